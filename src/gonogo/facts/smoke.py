"""A JSON endpoint's answer (:mod:`gonogo.probes.smoke` → :mod:`gonogo.rules.smoke`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class EndpointFacts:
    """One GET of a JSON endpoint.

    Attributes:
        url: what was fetched. status: HTTP status. elapsed_ms: time to the full response.
        body: parsed JSON (None when the body is not JSON). text: the first 500 characters.
    """

    url: str
    status: int
    elapsed_ms: float
    body: Any
    text: str
