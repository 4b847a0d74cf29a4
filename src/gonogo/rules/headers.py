"""Security headers of the HTTPS entry page, judged the way browsers read them.

Check ids: ``headers.hsts``, ``headers.frame``, ``headers.content-type-options``,
``headers.referrer-policy``, ``headers.permissions-policy``, ``headers.cross-origin``,
``headers.disclosure``, ``headers.xss-protection``. (``headers.csp`` is in :mod:`.csp`,
``headers.grade`` in :mod:`.grade`.)

Header names are case-insensitive and duplicates are read as the relevant spec says: the first
``Strict-Transport-Security`` only (RFC 6797 §8.1), every ``X-Frame-Options`` value (HTML's
"conflicting values block"), the first ``X-Content-Type-Options`` token (Fetch), the last
valid ``Referrer-Policy`` token (Referrer Policy §8.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gonogo.model import Comparison, Finding, compare, info
from gonogo.rules import csp, structured
from gonogo.schema.security import HSTS_SIX_MONTHS

if TYPE_CHECKING:
    from gonogo.probes.http import HttpFacts
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


@dataclass(frozen=True, slots=True)
class Hsts:
    """A parsed ``Strict-Transport-Security`` value; ``error`` set when browsers ignore it."""

    max_age: int | None = None
    include_subdomains: bool = False
    preload: bool = False
    error: str | None = None


def parse_hsts(value: str) -> Hsts:
    """RFC 6797 §6.1: each directive at most once, ``max-age`` required, unknown ones ignored."""
    if "," in value:  # two headers folded into one line by a proxy: not valid STS syntax
        return Hsts(error="several values in one header (folded duplicates)")
    seen: set[str] = set()
    max_age: int | None = None
    for part in value.split(";"):
        name, _, raw = part.strip().partition("=")
        name = name.strip().lower()
        if not name:
            continue
        if name in seen:
            return Hsts(error=f"directive {name} repeated")
        seen.add(name)
        if name == "max-age":
            raw = raw.strip().strip('"')
            if not raw.isdigit():
                return Hsts(error=f"max-age {raw!r} is not a number of seconds")
            max_age = int(raw)
    if max_age is None:
        return Hsts(error="no max-age directive")
    return Hsts(max_age, "includesubdomains" in seen, "preload" in seen)


def evaluate_hsts(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """HSTS on the HTTPS response: parseable, long enough, includeSubDomains when required."""
    if not facts.https:
        return [
            Finding(
                "hsts",
                False,
                f"HSTS judged on {facts.url}: browsers ignore HSTS received over plain "
                "HTTP; judge the HTTPS response",
                measured=facts.header("strict-transport-security"),
            )
        ]
    values = facts.values("strict-transport-security")
    if not values:
        return [
            Finding(
                "hsts",
                False,
                "no Strict-Transport-Security header on the HTTPS response",
                threshold=f"max-age >= {thresholds.hsts_min_max_age}",
            )
        ]
    findings: list[Finding] = []
    if len(values) > 1:
        findings.append(
            info(
                "duplicates",
                f"{len(values)} Strict-Transport-Security headers: browsers apply only the first",
                measured=list(values),
            )
        )
    parsed = parse_hsts(values[0])
    if parsed.error or parsed.max_age is None:
        return [
            *findings,
            Finding(
                "hsts",
                False,
                f"Strict-Transport-Security ignored by browsers: {parsed.error}",
                measured=values[0],
            ),
        ]
    if parsed.max_age == 0:
        return [
            *findings,
            Finding(
                "max_age",
                False,
                "HSTS max-age=0 tells browsers to forget HSTS (disabled)",
                measured=0,
                threshold=thresholds.hsts_min_max_age,
                unit="s",
                comparison=Comparison.GE,
            ),
        ]
    minimum = max(thresholds.hsts_min_max_age, HSTS_SIX_MONTHS)
    findings.append(
        compare("max_age", parsed.max_age, Comparison.GE, minimum, unit="s", what="HSTS max-age")
    )
    if thresholds.hsts_require_include_subdomains:
        findings.append(
            compare(
                "include_subdomains",
                parsed.include_subdomains,
                Comparison.EQ,
                True,
                what="HSTS includeSubDomains",
            )
        )
    findings.append(
        info(
            "preload",
            f"HSTS preload directive {'present' if parsed.preload else 'absent'}",
            measured=parsed.preload,
        )
    )
    return findings


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


def evaluate_frame(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """Clickjacking: CSP ``frame-ancestors`` (which overrides XFO when present) or XFO."""
    ancestors = csp.frame_ancestors(facts)
    xfo = ", ".join(facts.values("x-frame-options")) or None
    if ancestors:
        # A resource must satisfy every policy: one restrictive frame-ancestors is enough.
        ok = any(not any(csp.is_broad(s) for s in a) for a in ancestors)  # empty = 'none'
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


def evaluate_content_type_options(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """``X-Content-Type-Options: nosniff`` (Fetch reads the first comma-separated token)."""
    values = facts.values("x-content-type-options")
    first = ", ".join(values).split(",")[0].strip().lower() if values else None
    return [compare("nosniff", first, Comparison.EQ, "nosniff", what="X-Content-Type-Options")]


def referrer_policy(facts: HttpFacts) -> tuple[str | None, bool]:
    """The effective policy and whether one was sent: the header's last valid token, then
    each ``<meta name=referrer>`` in order (the meta tag overrides the header)."""
    headers = facts.values("referrer-policy")
    tokens = [t for v in headers for t in (s.strip().lower() for s in v.split(","))]
    valid = [t for t in tokens if t in REFERRER_TOKENS]
    policy = valid[-1] if valid else None
    metas = [c for n, c in facts.meta if n == "referrer"]
    for content in metas:
        # HTML maps the legacy meta keywords (never, always...) and takes one token, no list
        token = content.strip().lower()
        token = LEGACY_META_REFERRER.get(token, token)
        if token in REFERRER_TOKENS:
            policy = token
    return policy, bool(headers or metas)


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
                    *(f"<meta> {c}" for n, c in facts.meta if n == "referrer"),
                ],
                threshold=safe,
            )
        ]
    return [compare("referrer_policy", policy, Comparison.IN, safe, what="Referrer-Policy")]


def evaluate_permissions_policy(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """Permissions-Policy is sent, parses, and grants no restricted feature to every origin."""
    values = facts.values("permissions-policy")
    if not values:
        legacy = facts.header("feature-policy")
        why = "only the legacy Feature-Policy header" if legacy else "no Permissions-Policy header"
        return [
            Finding(
                "permissions_policy",
                not thresholds.require_permissions_policy,
                why,
                measured=legacy,
            )
        ]
    joined = ", ".join(values)  # several field lines form one dictionary (RFC 9110 §5.3)
    try:
        members = structured.parse_dictionary(joined)
    except structured.StructuredFieldError as err:
        # A structured-field parse error makes browsers drop the whole header.
        return [
            Finding(
                "syntax",
                False,
                f"Permissions-Policy does not parse as a structured-field dictionary ({err}): "
                "browsers ignore the whole header",
                measured=joined,
                threshold="RFC 8941 dictionary, e.g. camera=(), geolocation=(self)",
            )
        ]
    allowlists = {name: permissions_allowlist(member) for name, member in members.items()}
    open_to_all = sorted(f for f, allow in allowlists.items() if "*" in allow)
    restricted = sorted(set(open_to_all) & set(thresholds.restricted_features))
    findings = [
        Finding(
            "features",
            not restricted,
            f"Permissions-Policy grants {', '.join(restricted)} to every origin (*)"
            if restricted
            else f"Permissions-Policy sets {len(members)} features, none restricted open to all",
            measured={name: " ".join(allow) or "()" for name, allow in allowlists.items()},
            threshold=f"not * for {', '.join(thresholds.restricted_features)}",
        )
    ]
    ignored = sorted(
        f"{name}: {item!r}"
        for name, member in members.items()
        for item in member.items()
        if not _pp_valid(item)
    )
    if ignored:
        findings.append(
            info(
                "ignored",
                f"Permissions-Policy allowlist entries browsers ignore: {'; '.join(ignored)}",
                measured=ignored,
            )
        )
    return findings


def permissions_allowlist(member: structured.Member) -> list[str]:
    """The allowlist of one feature: ``*`` (every origin), ``self``, ``src`` or origins.

    ``*`` anywhere in the list grants every origin, whatever else the list holds.
    """
    return [str(item) for item in member.items() if _pp_valid(item)]


def _pp_valid(item: object) -> bool:
    # tokens * / self / src, or a string holding an origin; anything else is ignored
    if isinstance(item, structured.Token):
        return item in ("*", "self", "src")
    return isinstance(item, str) and bool(re.match(r"^[a-z][a-z0-9+.-]*://[^/\s]+/?$", item, re.I))


_CROSS_ORIGIN = {
    "cross-origin-opener-policy": (
        "coop",
        ("same-origin", "same-origin-allow-popups", "noopener-allow-popups"),
    ),
    "cross-origin-embedder-policy": ("coep", ("require-corp", "credentialless")),
    "cross-origin-resource-policy": ("corp", ("same-origin", "same-site")),
}


def evaluate_cross_origin(facts: HttpFacts, thresholds: HeadersConfig) -> list[Finding]:
    """COOP, COEP and CORP: recorded; required only where ``[headers] require_*`` says so."""
    findings: list[Finding] = []
    for header, (key, strong) in _CROSS_ORIGIN.items():
        value = facts.header(header)
        token = value.split(";")[0].strip().lower() if value else None
        required = getattr(thresholds, f"require_{key}")
        if required:
            findings.append(compare(key, token, Comparison.IN, list(strong), what=header.title()))
        else:
            findings.append(info(key, f"{header.title()}: {value or 'absent'}", measured=value))
    return findings


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
