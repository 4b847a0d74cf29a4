"""An overall grade in the style of the Mozilla HTTP Observatory, recorded as evidence.

Check ids: ``headers.grade``.

Reproduces the Observatory's ten tests (CSP, cookies, CORS, redirection, Referrer-Policy, HSTS,
SRI, X-Content-Type-Options, X-Frame-Options, CORP) with its result codes and score modifiers
(``mdn/mdn-http-observatory`` ``src/grader/charts.js``), the baseline of 100, bonuses counted
only when the score without them is at least 90, and its A+...F bands. Here each test follows
the *Observatory's* reading of the headers, not our own checks' (e.g. ``ALLOW-FROM`` scores 0
here, while ``headers.frame`` fails it): the grade is comparable with the public tool, the
verdicts of the other checks are ours. Known gaps: no HSTS preload list (never ``hsts-preloaded``
+5 nor ``redirection-all-redirects-preloaded``), cookies only from the entry page, the second-level
domain for SRI is approximated by the last two host labels (no public-suffix list).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gonogo.model import Comparison, Finding, info
from gonogo.rules import cookies as cookie_rules
from gonogo.rules import csp, headers
from gonogo.schema.security import GRADES, HSTS_SIX_MONTHS

if TYPE_CHECKING:
    from gonogo.probes.cors import CorsFacts
    from gonogo.probes.http import HttpFacts, RedirectChain
    from gonogo.probes.tls import CertificateFacts
    from gonogo.schema.security import HeadersConfig

# fmt: off
MODIFIERS: dict[str, int] = {
    # content-security-policy
    "csp-implemented-with-no-unsafe-default-src-none": 10, "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-but-duplicate-directives": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10, "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20, "csp-header-invalid": -25,
    "csp-not-implemented": -25, "csp-not-implemented-but-reporting-enabled": -25,
    # cookies
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0, "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20, "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20, "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    # cross-origin-resource-sharing
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    # redirection
    "redirection-to-https": 0, "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5, "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20, "redirection-missing": -20, "redirection-invalid-cert": -20,
    # referrer-policy
    "referrer-policy-private": 5, "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5, "referrer-policy-header-invalid": -5,
    # strict-transport-security
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10, "hsts-not-implemented": -20,
    "hsts-header-invalid": -20, "hsts-not-implemented-no-https": -20, "hsts-invalid-cert": -20,
    # subresource-integrity
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0, "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    # x-content-type-options
    "x-content-type-options-nosniff": 0, "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    # x-frame-options
    "x-frame-options-implemented-via-csp": 5, "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0, "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    # cross-origin-resource-policy
    "cross-origin-resource-policy-implemented-with-same-origin": 10,
    "cross-origin-resource-policy-implemented-with-same-site": 10,
    "cross-origin-resource-policy-implemented-with-cross-origin": 0,
    "cross-origin-resource-policy-not-implemented": 0,
    "cross-origin-resource-policy-header-invalid": -5,
}
BANDS = ((100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"),
         (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F"))
# fmt: on
EXTRA_CREDIT_FROM = 90
_BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
_INLINE = {"'unsafe-inline'", "data:"}


@dataclass(frozen=True, slots=True)
class Grade:
    """Attributes: score (>= 0), grade (A+...F), results: (test, result code, modifier)."""

    score: int
    grade: str
    results: tuple[tuple[str, str, int], ...]


def band(score: int) -> str:
    floored = min(max(score, 0) // 5 * 5, 100)
    return next(letter for low, letter in BANDS if floored >= low)


def certificate_valid(certificate: CertificateFacts | None) -> bool:
    """The Observatory's "valid certificate chain": trusted, current, for this host name.

    Unknown (no certificate facts) counts as valid, as a page fetched with verification
    already proved it.
    """
    return certificate is None or (certificate.chain_valid and certificate.hostname_matches)


def grade(
    page: HttpFacts,
    chain: RedirectChain | None,
    cors: CorsFacts | None,
    certificate: CertificateFacts | None = None,
) -> Grade:
    valid = certificate_valid(certificate)
    codes = {
        "content-security-policy": _csp(page),
        "cookies": _cookies(page, valid),
        "cross-origin-resource-sharing": _cors(cors),
        "redirection": _redirection(chain, valid),
        "referrer-policy": _referrer(page),
        "strict-transport-security": _hsts(page, valid),
        "subresource-integrity": _sri(page),
        "x-content-type-options": _xcto(page),
        "x-frame-options": _xfo(page),
        "cross-origin-resource-policy": _corp(page),
    }
    results = tuple((test, code, MODIFIERS[code]) for test, code in codes.items())
    uncurved = 100 + sum(m for _, _, m in results if m < 0)
    total = 100 + sum(m for _, _, m in results) if uncurved >= EXTRA_CREDIT_FROM else uncurved
    return Grade(max(total, 0), band(total), results)


def evaluate_grade(
    page: HttpFacts,
    chain: RedirectChain | None,
    cors: CorsFacts | None,
    thresholds: HeadersConfig,
    certificate: CertificateFacts | None = None,
) -> list[Finding]:
    result = grade(page, chain, cors, certificate)
    findings = [
        info(test, f"{test}: {code} ({modifier:+d})", measured=code)
        for test, code, modifier in result.results
    ]
    message = f"Observatory-style score {result.score}, grade {result.grade}"
    if thresholds.min_grade is None:  # the grade is a key figure of the release either way
        return [*findings, replace(info("grade", message, measured=result.grade), headline=True)]
    ok = GRADES.index(result.grade) <= GRADES.index(thresholds.min_grade)
    return [
        *findings,
        Finding(
            "grade",
            ok,
            f"{message} (required {thresholds.min_grade} or better)",
            measured=result.grade,
            threshold=thresholds.min_grade,
            comparison=Comparison.GE,
            headline=True,
        ),
    ]


def _csp(page: HttpFacts) -> str:
    found = [p for p in csp.policies(page) if p.origin != "report-only"]
    if not found:
        reporting = page.values("content-security-policy-report-only")
        return "csp-not-implemented-but-reporting-enabled" if reporting else "csp-not-implemented"
    duplicates = {d for p in found for d in p.duplicates}
    if duplicates - {"report-uri", "report-to"}:
        return "csp-header-invalid"  # the Observatory rejects repeated directives outright
    merged: dict[str, set[str]] = {}
    for policy in found:  # a source must appear in every policy that sets the directive
        for name, sources in policy.directives:
            merged[name] = merged[name] & set(sources) if name in merged else set(sources)
    merged = {k: v or {"'none'"} for k, v in merged.items()}

    def get(*names: str) -> set[str]:
        return next((set(merged[n]) for n in names if n in merged), {"*"})

    script, style, objects = (
        get("script-src", "default-src"),
        get("style-src", "default-src"),
        get("object-src", "default-src"),
    )
    for allowed in (script, style):  # a nonce or hash makes 'unsafe-inline' inert
        if any(s.startswith(csp.NONCE_HASH) for s in allowed):
            allowed.discard("'unsafe-inline'")
    if any(s.startswith(csp.NONCE_HASH) for s in script) and "'strict-dynamic'" in script:
        script = {
            s
            for s in script
            if not (any(s.startswith(b) for b in _BROAD) or s in ("'self'", "'unsafe-inline'"))
        }
    elif "'strict-dynamic'" in script:
        return "csp-header-invalid"
    active = [
        s for n, v in merged.items() if n not in csp.PASSIVE and n != "script-src" for s in v
    ] + list(script)
    passive = [
        s for n in csp.PASSIVE for s in (merged.get(n) or merged.get("default-src") or set())
    ]
    insecure = ("http:", "ftp:")
    if script & (_BROAD | _INLINE) or objects & _BROAD:
        return "csp-implemented-with-unsafe-inline"
    if page.https and any(s.startswith(insecure) for s in active):
        return "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script | style:
        return "csp-implemented-with-unsafe-eval"
    if page.https and any(s.startswith(insecure) for s in passive):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style & (_BROAD | _INLINE):
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    if duplicates:
        return "csp-implemented-but-duplicate-directives"
    if merged.get("default-src") == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"


_COOKIE_ORDER = [
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
]


def _worse(new: str, old: str | None, order: list[str]) -> str:
    return new if old is None or order.index(new) > order.index(old) else old


def _cookies(page: HttpFacts, cert_valid: bool = True) -> str:
    if not page.set_cookies:
        return "cookies-not-found"
    hsts = _hsts(page, cert_valid) == "hsts-implemented-max-age-at-least-six-months"
    result: str | None = None
    missing_samesite = False
    for raw in page.set_cookies:
        cookie = cookie_rules.parse_set_cookie(raw)
        name = cookie.name.lower()
        session, anticsrf = "login" in name or "sess" in name, "csrf" in name
        secure = cookie.secure and page.https
        if cookie.same_site is not None and cookie.same_site not in ("lax", "strict", "none"):
            result = _worse("cookies-samesite-flag-invalid", result, _COOKIE_ORDER)
        if not secure and cookie.same_site == "none":
            result = _worse("cookies-samesite-flag-invalid", result, _COOKIE_ORDER)
        if not secure:
            code = (
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-without-secure-flag"
            )
            result = _worse(code, result, _COOKIE_ORDER)
        if anticsrf and not cookie.same_site:
            result = _worse("cookies-anticsrf-without-samesite-flag", result, _COOKIE_ORDER)
        if session and not secure:
            code = "cookies-session-without-secure-flag" + (
                "-but-protected-by-hsts" if hsts else ""
            )
            result = _worse(code, result, _COOKIE_ORDER)
        if session and not cookie.http_only:
            result = _worse("cookies-session-without-httponly-flag", result, _COOKIE_ORDER)
        missing_samesite = missing_samesite or not cookie.same_site
    if result:
        return result
    return "cookies-secure-with-httponly-sessions" + ("" if missing_samesite else "-and-samesite")


def _cors(cors: CorsFacts | None) -> str:
    seen = next(
        (o for o in (cors.observations if cors else ()) if o.method == "GET" and "://" in o.origin),
        None,
    )
    if seen is None or not seen.allow_origin:
        return "cross-origin-resource-sharing-not-implemented"
    value = seen.allow_origin[0].strip().lower()
    if value == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    if (
        seen.allow_origin[0] == seen.origin
        and (seen.allow_credentials or "").strip().lower() == "true"
    ):
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def _redirection(chain: RedirectChain | None, cert_valid: bool = True) -> str:
    if chain is None:
        return "redirection-not-needed-no-http"
    route = [urlsplit(h.url) for h in chain.hops]
    if len(route) == 1:
        return "redirection-missing"
    if route[-1].scheme != "https":
        return "redirection-not-to-https"
    if not cert_valid:  # the HTTPS hop presented a chain a browser rejects
        return "redirection-invalid-cert"
    if route[1].scheme == "http":
        return "redirection-not-to-https-on-initial-redirection"
    if route[0].scheme == "http" and route[0].hostname != route[1].hostname:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def _referrer(page: HttpFacts) -> str:
    policy, sent = headers.referrer_policy(page)
    if not sent:
        return "referrer-policy-not-implemented"
    if policy in ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"):
        return "referrer-policy-private"
    return "referrer-policy-unsafe" if policy else "referrer-policy-header-invalid"


def _hsts(page: HttpFacts, cert_valid: bool = True) -> str:
    if not page.https:
        return "hsts-not-implemented-no-https"
    if not cert_valid:  # browsers ignore HSTS received over a connection with errors
        return "hsts-invalid-cert"
    value = page.header("strict-transport-security")
    if value is None:
        return "hsts-not-implemented"
    parsed = headers.parse_hsts(value)
    if parsed.error or parsed.max_age is None:
        return "hsts-header-invalid"
    six = parsed.max_age >= HSTS_SIX_MONTHS
    return f"hsts-implemented-max-age-{'at-least' if six else 'less-than'}-six-months"


_SRI_ORDER = [
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-implemented-but-external-scripts-not-loaded-securely",
    "sri-not-implemented-but-external-scripts-loaded-securely",
    "sri-not-implemented-and-external-scripts-not-loaded-securely",
    "sri-not-implemented-response-not-html",
]


def _site(host: str | None) -> str:
    return ".".join((host or "").split(".")[-2:])


def _sri(page: HttpFacts) -> str:
    if page.content_type and "html" not in page.content_type:
        return "sri-not-implemented-response-not-html"
    if not page.scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    result: str | None = None
    foreign = False
    own = _site(urlsplit(page.url).hostname)
    for script in page.scripts:
        src = script.src.strip()
        relative_protocol = src.startswith("//") and not src.startswith("///")
        absolute = src.lower().startswith(("http://", "https://"))
        relative_origin = not relative_protocol and not absolute
        same_site = relative_protocol or relative_origin or _site(urlsplit(src).hostname) == own
        secure_origin = relative_origin or (same_site and not relative_protocol)
        secure_scheme = (absolute and src.lower().startswith("https://")) or (
            relative_origin and page.https
        )
        if not secure_origin:
            foreign = True
            if script.integrity and not secure_scheme:
                result = _worse(
                    "sri-implemented-but-external-scripts-not-loaded-securely", result, _SRI_ORDER
                )
            elif not script.integrity and secure_scheme:
                result = _worse(
                    "sri-not-implemented-but-external-scripts-loaded-securely", result, _SRI_ORDER
                )
            elif not script.integrity:
                result = _worse(
                    "sri-not-implemented-and-external-scripts-not-loaded-securely",
                    result,
                    _SRI_ORDER,
                )
        elif script.integrity and secure_scheme and result is None:
            result = "sri-implemented-and-all-scripts-loaded-securely"
    if result:
        return result
    if foreign:
        return "sri-implemented-and-external-scripts-loaded-securely"
    return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"


def _xcto(page: HttpFacts) -> str:
    value = page.header("x-content-type-options")
    if value is None:
        return "x-content-type-options-not-implemented"
    return (
        "x-content-type-options-nosniff"
        if value.strip().lower() == "nosniff"
        else "x-content-type-options-header-invalid"
    )


def _xfo(page: HttpFacts) -> str:
    if any(
        p.get("frame-ancestors") is not None for p in csp.policies(page) if p.origin == "header"
    ):
        return "x-frame-options-implemented-via-csp"
    value = (page.header("x-frame-options") or "").strip().lower()
    if not value:
        return "x-frame-options-not-implemented"
    if value in ("deny", "sameorigin"):
        return "x-frame-options-sameorigin-or-deny"
    return (
        "x-frame-options-allow-from-origin"
        if value.startswith("allow-from")
        else "x-frame-options-header-invalid"
    )


def _corp(page: HttpFacts) -> str:
    value = page.header("cross-origin-resource-policy")
    if value is None:
        value = next(
            (c for n, c in reversed(page.meta) if n == "cross-origin-resource-policy"), None
        )
    if value is None:
        return "cross-origin-resource-policy-not-implemented"
    token = value.strip().lower()
    if token in ("same-origin", "same-site", "cross-origin"):
        return f"cross-origin-resource-policy-implemented-with-{token}"
    return "cross-origin-resource-policy-header-invalid"
