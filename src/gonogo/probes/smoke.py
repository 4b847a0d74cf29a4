"""Smoke probes: the application's health and version endpoints over HTTPS."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.probes import http


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


def fetch_json(url: str, *, ca_bundle: Path | None, timeout: float) -> EndpointFacts:
    """GET ``url`` (TLS verified against ``ca_bundle`` or the system store) and parse its JSON."""
    facts = http.fetch(
        url, ca_bundle=ca_bundle, timeout=timeout, headers={"Accept": "application/json"}
    )
    try:
        body = json.loads(facts.body_excerpt)
    except json.JSONDecodeError:
        body = None
    return EndpointFacts(
        url=url,
        status=facts.status,
        elapsed_ms=round(facts.elapsed_ms, 1),
        body=body,
        text=facts.body_excerpt[:500],
    )
