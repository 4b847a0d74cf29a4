"""Builders of web-security facts for the rule tables: readable one-liners, real dataclasses.

``page("X-Frame-Options: DENY", "x-frame-options: sameorigin")`` is an HTTPS response with
those raw headers (order and duplicates kept), ``chain("301 http://a/ -> https://a/", "200
https://a/")`` a redirect chain, and so on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from gonogo.facts.cookies import CookieFacts, CookieObservation
from gonogo.facts.cors import CorsFacts, CorsObservation
from gonogo.facts.exposure import ExposureFacts, PathProbe
from gonogo.facts.http import Hop, HttpFacts, RedirectChain, ScriptRef
from gonogo.model import Finding, Outcome, Severity, conclude
from gonogo.model import graded as model_graded

SITE = "https://app.example.com/"
# The plans' nginx headers plus a strict CSP, Referrer-Policy and Permissions-Policy.
GOOD = (
    "Strict-Transport-Security: max-age=31536000; includeSubDomains",
    "X-Frame-Options: DENY",
    "X-Content-Type-Options: nosniff",
    "X-XSS-Protection: 1; mode=block",
    "Content-Security-Policy: default-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'",
    "Referrer-Policy: strict-origin-when-cross-origin",
    "Permissions-Policy: camera=(), microphone=(), geolocation=()",
    "Server: nginx",
)


def page(
    *headers: str,
    url: str = SITE,
    body: str = "",
    meta: Iterable[tuple[str, str]] = (),
    scripts: Iterable[ScriptRef | str] = (),
    status: int = 200,
    body_meta: Iterable[tuple[str, str]] = (),
    redirects: Iterable[str] = (),
) -> HttpFacts:
    """An HTTP response with raw ``Name: value`` headers (duplicates and case kept);
    ``meta``: metas of the head, ``body_meta``: outside it; ``redirects``: hops followed to
    reach it, as in :func:`chain`."""
    raw = tuple((h.split(":", 1)[0].strip(), h.split(":", 1)[1].strip()) for h in headers)
    refs = tuple(s if isinstance(s, ScriptRef) else ScriptRef(s) for s in scripts)
    return HttpFacts(
        url=url,
        status=status,
        headers=raw,
        set_cookies=tuple(v for k, v in raw if k.lower() == "set-cookie"),
        body_excerpt=body,
        meta=tuple(meta),
        scripts=refs,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
        body_length=len(body),
        body_meta=tuple(body_meta),
        redirects=chain(*redirects).hops if redirects else (),
    )


def good_page(*extra: str, without: Iterable[str] = (), **kwargs: object) -> HttpFacts:
    """The clean demo's headers, minus the named ones (case-insensitive), plus ``extra``."""
    drop = {w.lower() for w in without}
    kept = [h for h in GOOD if h.split(":", 1)[0].lower() not in drop]
    return page(*kept, *extra, **kwargs)  # type: ignore[arg-type]


def chain(*hops: str, truncated: bool = False) -> RedirectChain:
    """``"301 http://a/ -> https://a/"`` per hop; the arrow part is the resolved Location."""
    parsed = []
    for hop in hops:
        status, rest = hop.split(" ", 1)
        url, _, location = rest.partition(" -> ")
        parsed.append(Hop(url=url.strip(), status=int(status), location=location.strip() or None))
    return RedirectChain(hops=tuple(parsed), truncated=truncated)


def cors_seen(
    origin: str,
    allow: str | tuple[str, ...] | None = None,
    *,
    creds: str | None = None,
    method: str = "GET",
    path: str = "/",
    vary: str | None = "Origin",
    methods: str | None = None,
) -> CorsObservation:
    """One CORS probe: the Origin sent and the Access-Control-* headers received."""
    values = (allow,) if isinstance(allow, str) else (allow or ())
    return CorsObservation(
        url=SITE.rstrip("/") + path,
        method=method,
        origin=origin,
        status=200,
        allow_origin=values,
        allow_credentials=creds,
        allow_methods=methods,
        vary=vary,
    )


def cors_facts(*seen: CorsObservation) -> CorsFacts:
    return CorsFacts(observations=seen)


def cookies(
    *set_cookies: str, step: str = "GET /", url: str = SITE, date: str | None = None
) -> CookieFacts:
    """Set-Cookie values seen at one step (``GET /`` by default) of an HTTPS visit."""
    seen = tuple(CookieObservation(step, url, 200, c, date) for c in set_cookies)
    return CookieFacts(observations=seen, steps=(f"{step} -> 200",))


def probe(
    path: str,
    status: int = 404,
    body: str = "",
    content_type: str = "text/html",
    head: bytes | None = None,
    technique: str = "",
) -> PathProbe:
    """One probed path; ``head`` defaults to the body's first bytes; ``technique``: how an
    error page was provoked (exposure.debug)."""
    data = body.encode()
    return PathProbe(
        path=path,
        url=SITE.rstrip("/") + path,
        status=status,
        content_type=content_type,
        length=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        excerpt=body,
        head_hex=(head if head is not None else data)[:8].hex(),
        technique=technique,
    )


SPA = (  # an SPA shell: same page for every path, a fresh nonce each time
    "<!doctype html><html><head><script nonce='{n}'></script></head>"
    "<body><div id=app></div></body></html>"
)


def exposure(*probes: PathProbe, baseline: PathProbe | None = None) -> ExposureFacts:
    """Probed paths against a baseline (default: a 404 not-found page)."""
    return ExposureFacts(
        baseline=baseline or probe("/gonogo-x-not-found", 404, "Not Found"), probes=probes
    )


def verdict(findings: list[Finding]) -> bool:
    """Whether the check passes: every finding ok (and at least one finding)."""
    return bool(findings) and all(f.ok for f in findings)


def graded(findings: list[Finding], default: Severity = Severity.MAJOR) -> str:
    """What the engine makes of the findings of a check of severity ``default``: ``pass``,
    ``warn`` (failed, minor or info: does not block), ``major``, ``blocker`` or
    ``unverified`` (an error)."""
    outcome, _, _ = conclude(findings)
    if outcome is Outcome.PASSED:
        return "pass"
    if outcome is Outcome.ERROR:
        return "unverified"
    severity = model_graded(findings, default)
    return "warn" if severity.rank >= Severity.MINOR.rank else severity.value


def failing(findings: list[Finding]) -> set[str]:
    return {f.name for f in findings if not f.ok}


def not_verified(findings: list[Finding]) -> Finding:
    """The one finding saying the rule could not conclude (the check ends as an error)."""
    [found] = [f for f in findings if not f.ok]
    assert found.unverified is not None, f"{found.name} is a plain failure: {found.message}"
    return found
