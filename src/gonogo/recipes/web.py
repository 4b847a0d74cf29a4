"""The web entry point's facts that several checks read, fetched once per run.

Each function is the one recipe for its facts: the probe, its arguments and its
``gate.shared`` key. ``headers.grade`` reads the page, the certificate (:mod:`.tls`), the
redirect chain and the CORS answers that ``headers.*``, ``exposure.source-maps``, ``tls.*``,
``redirect.https`` and ``cors.policy`` judge; with one recipe each they cannot drift apart into a
second fetch. The ``verify=False`` variants (certificate unchecked, only to grade a site whose
certificate ``tls.certificate`` already failed) are shared under their own keys. They leave
``gate.target`` to the gate test: ``headers.grade`` combines them.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from gonogo.errors import ProbeRefused
from gonogo.probes import cors, http

if TYPE_CHECKING:
    from gonogo.facts.cors import CorsFacts
    from gonogo.facts.http import HttpFacts, RedirectChain
    from gonogo.gate import Gate


def _unverified(verify: bool) -> str:
    return "" if verify else ":unverified"


def site(gate: Gate, url: str | None = None, *, verify: bool = True) -> http.Site:
    """The site ``[web]`` names, at ``url`` (default: its ``base_url``): the web probes' target."""
    return http.Site.of(gate.require("web"), url, verify=verify)


def page(gate: Gate, *, verify: bool = True, fresh: bool = False) -> HttpFacts:
    """The site's page as a browser lands on it (``fresh``: a second response, not shared)."""
    web = gate.require("web")
    fetch = partial(
        http.fetch_page, site(gate, verify=verify), max_hops=gate.config.headers.max_redirects
    )
    if fresh:
        return fetch()
    return gate.shared(f"page:{web.base_url}{_unverified(verify)}", fetch)


def redirect_start(gate: Gate) -> str:
    """The plain-HTTP URL the redirect chain starts from."""
    web = gate.require("web")
    return str(web.http_url or http.plain_url(web.base_url))


def redirect_chain(gate: Gate, *, verify: bool = True) -> RedirectChain:
    """Every response from ``http://`` on to the first that is not a redirect."""
    web, start = gate.require("web"), redirect_start(gate)
    follow = partial(
        http.follow_redirects,
        http.Site.of(web, start, verify=verify),
        max_hops=gate.config.headers.max_redirects,
    )
    return gate.shared(f"redirect:{start}{_unverified(verify)}", follow)


def plain_http(gate: Gate) -> RedirectChain | None:
    """The redirect chain from plain HTTP, or None when nothing listens there: ``[web]
    http_url`` unset and the derived ``http://host/`` refusing connections (a declared
    ``http_url`` that refuses is down, and stays an error)."""
    try:
        return redirect_chain(gate)
    except ProbeRefused:
        if gate.require("web").http_url:
            raise
        return None


def cors_answers(gate: Gate, *, verify: bool = True) -> CorsFacts:
    """The answers to the CORS probe's origins on ``[cors]``'s paths."""
    web, cfg = gate.require("web"), gate.config.cors
    probe = partial(
        cors.probe_cors,
        http.Site.of(web, verify=verify),
        cfg.paths(web.health_path),
        cfg.allowed_origins,
    )
    return gate.shared(f"cors:{web.base_url}{_unverified(verify)}", probe)
