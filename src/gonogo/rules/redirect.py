"""HTTP → HTTPS redirection, judged on the whole chain.

Check ids: ``redirect.https``.

The first hop from ``http://`` must go straight to ``https://`` on the same host (otherwise the
HSTS header of that host is never seen, and the first request can be hijacked), with a
permanent status (301/308, so browsers and crawlers remember it), and no later hop may go back
to ``http://``. The chain must end on an HTTPS response within the bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gonogo.model import Comparison, Finding, compare, info

if TYPE_CHECKING:
    from gonogo.probes.http import RedirectChain
    from gonogo.schema.security import HeadersConfig

PERMANENT = (301, 308)


def describe(chain: RedirectChain) -> list[str]:
    return [f"{h.status} {h.url}" + (f" -> {h.location}" if h.location else "") for h in chain.hops]


def evaluate_redirect(chain: RedirectChain, thresholds: HeadersConfig) -> list[Finding]:
    """First hop to HTTPS on the same host, permanent, no downgrade, HTTPS at the end."""
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
    findings.append(
        compare(
            "first_hop_scheme",
            target.scheme,
            Comparison.EQ,
            "https",
            what=f"scheme of the first redirect ({first.location})",
        )
    )
    findings.append(
        compare(
            "first_hop_host",
            target.hostname,
            Comparison.EQ,
            start.hostname,
            what="host of the first redirect",
        )
    )
    if thresholds.redirect_require_permanent:
        findings.append(
            compare(
                "permanent",
                first.status,
                Comparison.IN,
                list(PERMANENT),
                what="status of the first redirect",
            )
        )
    downgrades = [
        f"{h.url} -> {h.location}"
        for h in chain.hops
        if h.location
        and urlsplit(h.url).scheme == "https"
        and urlsplit(h.location).scheme != "https"
    ]
    findings.append(
        Finding(
            "no_downgrade",
            not downgrades,
            "redirect from HTTPS back to HTTP: " + "; ".join(downgrades)
            if downgrades
            else "no redirect from HTTPS back to HTTP",
            measured=downgrades,
            threshold=[],
        )
    )
    final = chain.hops[-1]
    if chain.truncated:
        findings.append(
            Finding(
                "final",
                False,
                f"still redirecting after {len(chain.hops)} responses (loop or too long a chain)",
                measured=len(chain.hops),
                threshold=thresholds.max_redirects,
            )
        )
    else:
        ends_https = urlsplit(final.url).scheme == "https"
        findings.append(
            Finding(
                "final",
                ends_https,
                f"chain ends at {final.status} {final.url}",
                measured=final.url,
                threshold="an https:// URL",
            )
        )
    return findings
