"""Smoke probes: the application's health and version endpoints over HTTPS."""

from __future__ import annotations

import json

from gonogo.facts.smoke import EndpointFacts
from gonogo.probes import http


def fetch_json(site: http.Site) -> EndpointFacts:
    """GET ``site.url`` (TLS verified against its CA bundle or the system store) and parse its
    JSON.

    The whole body is parsed (up to ``http.MAX_BODY``), not the 4 KiB excerpt other probes keep:
    a detailed health document is still JSON.
    """
    url, timeout = site.url, site.timeout_s
    with http.open_client(site.ca_bundle, timeout) as client:
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
