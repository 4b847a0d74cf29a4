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
    """GET ``url`` (TLS verified against ``ca_bundle`` or the system store) and parse its JSON.

    The whole body is parsed (up to ``http.MAX_BODY``), not the 4 KiB excerpt other probes keep:
    a detailed health document is still JSON.
    """
    with http.open_client(ca_bundle, timeout) as client:
        response, data, elapsed_ms = http.exchange(
            client, url, timeout, headers={"Accept": "application/json"}
        )
    text = data.decode(response.charset_encoding or "utf-8", errors="replace")
    try:
        body = json.loads(text)
    except json.JSONDecodeError:
        body = None
    return EndpointFacts(
        url=url,
        status=response.status_code,
        elapsed_ms=round(elapsed_ms, 1),
        body=body,
        text=text[:500],
    )
