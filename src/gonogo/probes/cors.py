"""CORS probe: requests with foreign, ``null``, allowed and look-alike origins, and preflights.

I/O only; requests go through ``probes/http.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from gonogo.facts.cors import FOREIGN_ORIGIN, CorsFacts, CorsObservation
from gonogo.probes import http


def probe_cors(site: http.Site, paths: Sequence[str], allowed: Sequence[str]) -> CorsFacts:
    """GET each path with a foreign origin, ``null``, each allowed origin and look-alikes of it,
    and send one preflight per path (foreign origin, and the first allowed origin)."""
    origins = [FOREIGN_ORIGIN, "null", *allowed]
    for origin in allowed:  # look-alikes catch suffix/prefix matching and scheme confusion
        parts = urlsplit(origin)
        origins += [
            f"{parts.scheme}://{parts.netloc}.gonogo-probe.example",
            f"{parts.scheme}://gonogo{parts.netloc}",
        ]
        if parts.scheme == "https":
            origins.append(f"http://{parts.netloc}")
    found: list[CorsObservation] = []
    timeout = site.timeout_s
    with http.open_client(site.ca_bundle, timeout, verify=site.verify) as client:
        for path in paths:
            url = site.path(path)
            for origin in origins:
                found.append(_cors(client, url, "GET", origin, timeout))
            for origin in [FOREIGN_ORIGIN, *allowed[:1]]:
                found.append(_cors(client, url, "OPTIONS", origin, timeout))
    return CorsFacts(observations=tuple(found))


def _cors(
    client: http.ProbeClient, url: str, method: str, origin: str, timeout: float
) -> CorsObservation:
    headers = {"Origin": origin}
    if method == "OPTIONS":
        headers |= {
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        }
    facts = http.request(client, url, timeout, method=method, headers=headers, limit=http.EXCERPT)
    return CorsObservation(
        url=url,
        method=method,
        origin=origin,
        status=facts.status,
        allow_origin=facts.values("access-control-allow-origin"),
        allow_credentials=facts.header("access-control-allow-credentials"),
        allow_methods=facts.header("access-control-allow-methods"),
        vary=", ".join(facts.values("vary")) or None,
    )
