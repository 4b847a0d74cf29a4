"""HTTP → HTTPS redirection, judged on the whole chain.

Check ids: ``redirect.https``.

The first hop from ``http://`` goes straight to ``https://`` on the same host (otherwise the
HSTS header of that host is never seen, and the first request can be hijacked), with a
permanent status (301/308, so browsers and crawlers remember it), no later hop goes back to
``http://``, and the chain ends on an HTTPS response within the bound. Severity per finding:

- the check's (blocker): plain HTTP answered without a redirect, a chain that ends on
  ``http://``, a loop or a chain longer than ``[headers] max_redirects``;
- major (the Observatory deducts 10 or more, or the hop can be intercepted): a first hop to
  ``http://`` (another plain-HTTP URL before HTTPS), a first hop to another site, an HTTPS →
  HTTP hop later in a chain that still ends on HTTPS;
- minor (a warning, as the Observatory's -5): a first hop to another host of the same site
  (``example.com`` → ``www.example.com``), a temporary first hop (302/307; strict:
  ``[headers] redirect_require_permanent``).

No plain-HTTP listener at all (``[web] http_url`` unset and port 80 refusing connections) is
no redirect failure when the HTTPS page sends valid HSTS: nothing can be downgraded (a note);
without HSTS it is a minor warning here (``headers.hsts`` fails that).
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gonogo.model import Comparison, Finding, Severity, compare, info
from gonogo.rules.csp_parse import is_public_suffix
from gonogo.rules.hsts import parse_hsts

if TYPE_CHECKING:
    from gonogo.facts.http import HttpFacts, RedirectChain
    from gonogo.schema.security import HeadersConfig

PERMANENT = (301, 308)


def describe(chain: RedirectChain) -> list[str]:
    return [f"{h.status} {h.url}" + (f" -> {h.location}" if h.location else "") for h in chain.hops]


def site(host: str | None) -> str:
    """The registrable domain of ``host`` (``www.example.co.uk`` -> ``example.co.uk``), without
    the public-suffix list (:func:`.csp_parse.is_public_suffix` approximates it); an IP
    address is its own site."""
    name = (host or "").lower().rstrip(".")
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        labels = name.split(".")
        for start in range(len(labels) - 1):
            if is_public_suffix(".".join(labels[start + 1 :])):
                return ".".join(labels[start:])
    return name


def evaluate_redirect(
    chain: RedirectChain | None, thresholds: HeadersConfig, page: HttpFacts | None = None
) -> list[Finding]:
    """First hop to HTTPS on the same host, permanent, no downgrade, HTTPS at the end;
    ``chain`` None: nothing listens for plain HTTP (judged with the HTTPS ``page``'s HSTS)."""
    if chain is None:
        return no_listener(page)
    route = describe(chain)
    findings = [info("chain", " | ".join(route), measured=route)]
    first = chain.hops[0]
    start = urlsplit(first.url)
    if start.scheme != "http":
        return [
            *findings,
            Finding(
                "first_hop",
                False,
                f"the chain starts at {first.url}, not at an http:// URL",
                measured=first.url,
                threshold="http://...",
            ),
        ]
    if first.location is None:
        return [
            *findings,
            Finding(
                "first_hop",
                False,
                f"{first.url} answers {first.status} without redirecting to HTTPS",
                measured=first.status,
                threshold="redirect to https://",
            ),
        ]
    target = urlsplit(first.location)
    scheme = compare(
        "first_hop_scheme",
        target.scheme,
        Comparison.EQ,
        "https",
        what=f"scheme of the first redirect ({first.location})",
    )
    findings.append(scheme if scheme.ok else _with(scheme, Severity.MAJOR, ""))
    findings.append(_first_host(start.hostname, target.hostname))
    findings.append(_permanent(first.status, thresholds))
    findings.append(_downgrades(chain))
    findings.append(_final(chain, thresholds))
    return findings


def no_listener(page: HttpFacts | None) -> list[Finding]:
    """Plain HTTP refused: fine when the HTTPS page pins HTTPS with valid HSTS."""
    values = page.values("strict-transport-security") if page is not None else ()
    parsed = parse_hsts(values[0]) if values else None
    pinned = parsed is not None and parsed.error is None and bool(parsed.max_age)
    if pinned:
        return [
            info(
                "no_http_listener",
                "no plain-HTTP listener (connection refused) and the HTTPS page sends HSTS: "
                "nothing to redirect and nothing to downgrade",
                measured=values[0],
            )
        ]
    return [
        Finding(
            "no_http_listener",
            False,
            "no plain-HTTP listener (connection refused) and no valid HSTS on the HTTPS page: "
            "a visitor typing the name reaches nothing, and a network attacker can answer "
            "there (a warning; headers.hsts fails the missing HSTS)",
            measured=list(values),
            threshold="HSTS on the HTTPS page",
            severity=Severity.MINOR,
        )
    ]


def _with(finding: Finding, severity: Severity, note: str) -> Finding:
    return replace(finding, message=finding.message + note, severity=severity)


def _first_host(start: str | None, target: str | None) -> Finding:
    found = compare(
        "first_hop_host", target, Comparison.EQ, start, what="host of the first redirect"
    )
    if found.ok:
        return found
    if site(start) == site(target):
        return _with(
            found,
            Severity.MINOR,
            f" (a warning: another host of {site(start)}, which never sets HSTS for {start})",
        )
    return _with(found, Severity.MAJOR, f" ({site(target)} is another site)")


def _permanent(status: int, thresholds: HeadersConfig) -> Finding:
    found = compare(
        "permanent", status, Comparison.IN, list(PERMANENT), what="status of the first redirect"
    )
    if found.ok or thresholds.redirect_require_permanent:
        return found
    return _with(
        found,
        Severity.MINOR,
        " (a warning: browsers follow it, but do not remember it; "
        "[headers] redirect_require_permanent makes it fail)",
    )


def _downgrades(chain: RedirectChain) -> Finding:
    downgrades = [
        f"{h.url} -> {h.location}"
        for h in chain.hops
        if h.location
        and urlsplit(h.url).scheme == "https"
        and urlsplit(h.location).scheme != "https"
    ]
    return Finding(
        "no_downgrade",
        not downgrades,
        "redirect from HTTPS back to HTTP: " + "; ".join(downgrades)
        if downgrades
        else "no redirect from HTTPS back to HTTP",
        measured=downgrades,
        threshold=[],
        severity=Severity.MAJOR if downgrades else None,
    )


def _final(chain: RedirectChain, thresholds: HeadersConfig) -> Finding:
    final = chain.hops[-1]
    if chain.truncated:
        return Finding(
            "final",
            False,
            f"still redirecting after {len(chain.hops)} responses (loop or too long a chain)",
            measured=len(chain.hops),
            threshold=thresholds.max_redirects,
        )
    ends_https = urlsplit(final.url).scheme == "https"
    return Finding(
        "final",
        ends_https,
        f"chain ends at {final.status} {final.url}",
        measured=final.url,
        threshold="an https:// URL",
    )
