"""Security headers of the HTTPS entry page, judged the way browsers read them.

Check ids: ``headers.frame``, ``headers.content-type-options``, ``headers.referrer-policy``,
``headers.cross-origin``, ``headers.disclosure``, ``headers.xss-protection``. The other
``headers.*`` checks have a module each: :mod:`.hsts`, :mod:`.csp`, :mod:`.permissions`,
:mod:`.grade`. Every one judges only a page that ended on a 2xx (:mod:`.page`).

Header names are case-insensitive and duplicates are read as the relevant spec says: every
``X-Frame-Options`` value (HTML's "conflicting values block"), the first
``X-Content-Type-Options`` token (Fetch), the last valid ``Referrer-Policy`` token (Referrer
Policy §8.1).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from gonogo.model import Comparison, Finding, Severity, compare, info
from gonogo.rules import csp_parse, structured
from gonogo.rules.page import on_document

if TYPE_CHECKING:
    from gonogo.facts.http import HttpFacts
    from gonogo.schema.security import HeadersConfig

REFERRER_TOKENS = (
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
)
# HTML "meta name=referrer": legacy keywords browsers still map (header values get no mapping)
LEGACY_META_REFERRER = {
    "never": "no-referrer",
    "default": "strict-origin-when-cross-origin",
    "always": "unsafe-url",
    "origin-when-crossorigin": "origin-when-cross-origin",
}
_VERSION = re.compile(r"\d+\.\d+|/\s*v?\d|\bv\d+\b")


def xfo_verdict(facts: HttpFacts) -> tuple[bool, str]:
    """Whether X-Frame-Options alone stops framing, per the HTML spec's processing model."""
    tokens = {
        t.strip().lower()
        for v in facts.values("x-frame-options")
        for t in v.split(",")
        if t.strip()
    }
    if not tokens:
        return False, "no X-Frame-Options"
    if len(tokens) > 1:
        if tokens & {"deny", "sameorigin", "allowall"}:
            return (
                True,
                f"X-Frame-Options values conflict ({', '.join(sorted(tokens))}): framing blocked",
            )
        return False, f"X-Frame-Options values all invalid ({', '.join(sorted(tokens))}): ignored"
    token = next(iter(tokens))
    if token in ("deny", "sameorigin"):
        return True, f"X-Frame-Options {token.upper()}"
    if token.startswith("allow-from"):
        return (
            False,
            "X-Frame-Options ALLOW-FROM is ignored by current browsers (use CSP frame-ancestors)",
        )
    return False, f"X-Frame-Options {token!r} is not a valid value (ignored)"


@on_document
def evaluate_frame(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """Clickjacking: CSP ``frame-ancestors`` (which overrides XFO when present) or XFO."""
    ancestors = csp_parse.frame_ancestors(facts)
    xfo = ", ".join(facts.values("x-frame-options")) or None
    if ancestors:
        # A resource must satisfy every policy: one restrictive frame-ancestors is enough.
        ok = any(not any(csp_parse.is_broad(s) for s in a) for a in ancestors)  # empty = 'none'
        shown = [" ".join(a) or "'none'" for a in ancestors]
        state = "restricts framing" if ok else "allows any site to frame the page"
        findings = [
            Finding(
                "frame",
                ok,
                f"CSP frame-ancestors {state} (X-Frame-Options is then ignored)",
                measured=shown,
                threshold="frame-ancestors without wildcards",
            )
        ]
        if thresholds.require_x_frame_options:  # legacy browsers, or a plan that names XFO
            xfo_ok, why = xfo_verdict(facts)
            findings.append(
                Finding(
                    "x_frame_options",
                    xfo_ok,
                    f"{why} (required by [headers])",
                    measured=xfo,
                    threshold="DENY or SAMEORIGIN",
                )
            )
        elif xfo:
            findings.append(
                info("x_frame_options", f"X-Frame-Options {xfo} also sent (legacy browsers)")
            )
        return findings
    ok, why = xfo_verdict(facts)
    return [
        Finding(
            "frame",
            ok,
            why + ("" if ok else "; no CSP frame-ancestors either"),
            measured=xfo,
            threshold="X-Frame-Options DENY|SAMEORIGIN or CSP frame-ancestors",
        )
    ]


@on_document
def evaluate_content_type_options(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """``X-Content-Type-Options: nosniff`` (Fetch reads the first comma-separated token of the
    joined lines); missing or invalid is a minor warning unless ``require_nosniff``."""
    values = facts.values("x-content-type-options")
    first = ", ".join(values).split(",")[0].strip().lower() if values else None
    found = compare("nosniff", first, Comparison.EQ, "nosniff", what="X-Content-Type-Options")
    if found.ok or thresholds.require_nosniff:
        return [found]
    why = "browsers ignore the value" if values else "MIME sniffing stays on"
    return [
        replace(
            found,
            message=f"{found.message}: a warning, {why} ([headers] require_nosniff makes it fail)",
            severity=Severity.MINOR,
        )
    ]


def referrer_metas(facts: HttpFacts) -> list[str]:
    """``<meta name=referrer>`` contents in document order: HTML applies one wherever it is in
    the document (head or body), unlike a CSP ``<meta>``; template contents never apply."""
    return facts.metas("referrer")


def referrer_policy(facts: HttpFacts) -> tuple[str | None, bool]:
    """The effective policy and whether one was sent: the header's last valid token, then
    each ``<meta name=referrer>`` in order (the meta tag overrides the header)."""
    headers = facts.values("referrer-policy")
    tokens = [t for v in headers for t in (s.strip().lower() for s in v.split(","))]
    valid = [t for t in tokens if t in REFERRER_TOKENS]
    policy = valid[-1] if valid else None
    metas = referrer_metas(facts)
    for content in metas:
        # HTML maps the legacy meta keywords (never, always...) and takes one token, no list
        token = content.strip().lower()
        token = LEGACY_META_REFERRER.get(token, token)
        if token in REFERRER_TOKENS:
            policy = token
    return policy, bool(headers or metas)


@on_document
def evaluate_referrer_policy(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """The effective Referrer-Policy is one of the safe values (absent: browser default)."""
    policy, sent = referrer_policy(facts)
    safe = thresholds.safe_referrer_policies
    if not sent:
        message = "no Referrer-Policy: browsers default to strict-origin-when-cross-origin"
        return [
            Finding(
                "referrer_policy",
                not thresholds.require_referrer_policy,
                message,
                threshold=safe,
                comparison=Comparison.IN,
            )
        ]
    if policy is None:
        return [
            Finding(
                "referrer_policy",
                False,
                "Referrer-Policy has no recognised value (ignored)",
                measured=[
                    *facts.values("referrer-policy"),
                    *(f"<meta> {c}" for c in referrer_metas(facts)),
                ],
                threshold=safe,
            )
        ]
    return [compare("referrer_policy", policy, Comparison.IN, safe, what="Referrer-Policy")]


# Each header, its finding key, the values browsers know (compared exactly: the header names
# are case-insensitive, the values are case-sensitive tokens) and the strong ones among them.
_CROSS_ORIGIN = {
    "cross-origin-opener-policy": (
        "coop",
        ("same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"),
        ("same-origin", "same-origin-allow-popups", "noopener-allow-popups"),
    ),
    "cross-origin-embedder-policy": (
        "coep",
        ("require-corp", "credentialless", "unsafe-none"),
        ("require-corp", "credentialless"),
    ),
    "cross-origin-resource-policy": (
        "corp",
        ("same-origin", "same-site", "cross-origin"),
        ("same-origin", "same-site"),
    ),
}
_TITLES = {
    "cross-origin-opener-policy": "Cross-Origin-Opener-Policy",
    "cross-origin-embedder-policy": "Cross-Origin-Embedder-Policy",
    "cross-origin-resource-policy": "Cross-Origin-Resource-Policy",
}


def cross_origin_value(facts: HttpFacts, header: str) -> tuple[str | None, str | None]:
    """The policy browsers apply from ``header`` and, when they ignore what was sent, why.

    The field lines are joined with ", " (Fetch's "get"), so two lines are one invalid value.
    COOP and COEP are structured-field items (HTML): a token with parameters (``report-to``);
    CORP is compared byte for byte (Fetch). Either way ``Same-Origin`` is not ``same-origin``.
    """
    values = facts.values(header)
    if not values:
        return None, None
    joined = ", ".join(values)
    known = _CROSS_ORIGIN[header][1]
    if header == "cross-origin-resource-policy":
        token = joined.strip(" \t")
    else:
        try:
            item = structured.parse_item(joined)
        except structured.StructuredFieldError as err:
            why = f"sent on {len(values)} lines, read as one" if len(values) > 1 else str(err)
            return None, f"not a structured-field token ({why})"
        if not isinstance(item.value, structured.Token):
            return None, "a quoted string, not a token"
        token = str(item.value)
    if token in known:
        return token, None
    if len(values) > 1:
        return None, f"sent on {len(values)} lines, which browsers read as one invalid value"
    if token.lower() in known:
        return None, f"{token!r} is not {token.lower()!r}: the values are case-sensitive"
    return None, f"{token!r} is not one of {', '.join(known)}"


@on_document
def evaluate_cross_origin(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """COOP, COEP and CORP: an invalid value fails (minor) whether or not the header is
    required; a missing or weak one fails only where ``[headers] require_*`` says so."""
    findings: list[Finding] = []
    for header, (key, _, strong) in _CROSS_ORIGIN.items():
        title = _TITLES[header]
        sent = facts.values(header)
        token, invalid = cross_origin_value(facts, header)
        required = getattr(thresholds, f"require_{key}")
        if invalid:
            findings.append(
                Finding(
                    key,
                    False,
                    f"{title} ignored by browsers: {invalid}",
                    measured=list(sent),
                    threshold=f"exactly one of {', '.join(_CROSS_ORIGIN[header][1])}",
                    severity=None if required else Severity.MINOR,
                )
            )
        elif required:
            findings.append(compare(key, token, Comparison.IN, list(strong), what=title))
        else:
            findings.append(info(key, f"{title}: {token or 'absent'}", measured=token))
    return findings


@on_document
def evaluate_disclosure(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """``Server``, ``X-Powered-By``... do not reveal product versions."""
    findings: list[Finding] = []
    for name in thresholds.disclosure_headers:
        for value in facts.values(name):
            leaks = bool(_VERSION.search(value))
            findings.append(
                Finding(
                    name.lower(),
                    not leaks,
                    f"{name}: {value!r} " + ("reveals a version" if leaks else "(no version)"),
                    measured=value,
                    threshold="no version number",
                )
            )
    return findings or [info("disclosure", "no Server/X-Powered-By style headers")]


@on_document
def evaluate_xss_protection(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """X-XSS-Protection is obsolete: ``0`` or absent is right; ``1; mode=block`` is only noted."""
    value = facts.header("x-xss-protection")
    if value is None:
        return [info("x_xss_protection", "X-XSS-Protection absent (obsolete header; fine)")]
    parts = [p.strip().lower() for p in value.split(";")]
    params = [p.replace(" ", "") for p in parts[1:] if p]
    if parts[0] == "0" and not params:
        return [
            info(
                "x_xss_protection",
                "X-XSS-Protection: 0 (auditor disabled; recommended)",
                measured=value,
            )
        ]
    if parts[0] == "1" and all(p == "mode=block" or p.startswith("report=") for p in params):
        return [
            info(
                "x_xss_protection",
                f"X-XSS-Protection: {value} is obsolete: current browsers ignore it; "
                "send 0 or nothing and rely on CSP",
                measured=value,
            )
        ]
    return [
        Finding(
            "x_xss_protection",
            False,
            f"X-XSS-Protection {value!r} is not a valid value",
            measured=value,
            threshold="0, absent, or 1; mode=block",
        )
    ]
