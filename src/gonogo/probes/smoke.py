"""Smoke probes: the application's health and version endpoints over HTTPS."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout


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
    """GET ``url`` verifying TLS against ``ca_bundle`` (or the system store)."""
    verify: Any = str(ca_bundle) if ca_bundle else True
    host = httpx.URL(url).host
    started = time.perf_counter()
    try:
        with httpx.Client(verify=verify, timeout=timeout, follow_redirects=False) as client:
            response = client.get(url, headers={"Accept": "application/json"})
    except httpx.TimeoutException as err:
        raise ProbeTimeout(f"{host}: no answer from {url} within {timeout:g} s; is the service up?") from err
    except httpx.ConnectError as err:
        raise ProbeRefused(f"{host}: cannot connect to {url} ({_reason(err)}); check [web] base_url and that the service is up") from err
    except httpx.HTTPError as err:
        raise ProbeError(f"{host}: request to {url} failed ({_reason(err)})") from err
    elapsed_ms = (time.perf_counter() - started) * 1000
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    return EndpointFacts(url=url, status=response.status_code, elapsed_ms=round(elapsed_ms, 1), body=body, text=response.text[:500])


def _reason(err: Exception) -> str:
    text = str(err) or type(err).__name__
    return text.splitlines()[0][:200]
