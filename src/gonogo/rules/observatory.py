"""Each HTTP Observatory test as the Observatory reads the page: the result codes of the grade.

The scoring half is :mod:`.grade`. These readings imitate ``mdn/mdn-http-observatory``
(``src/analyzer/tests/*.js``, ``src/retriever/``), quirks included, so that the grade is
comparable with the public tool; our own checks read the same headers as browsers do. Where
the two differ it is on purpose and listed in the catalogue (``headers.grade`` notes):

- duplicate header lines arrive joined with ", " (Node's HTTP parser does that for these
  headers), so two ``Strict-Transport-Security`` or ``X-Frame-Options: DENY`` lines read as one
  invalid value;
- HSTS: ``max-age=`` parsed with ``parseInt`` (``+31536000`` and a repeated directive are fine,
  the last one wins; text that is not a number scores six months or more, as ``NaN`` compares
  false), a comma makes the header invalid, ``max-age = 1`` (spaces) is no max-age;
- Referrer-Policy: the header values then the last ``<meta name=referrer>`` anywhere in the
  page (not only the head), as one list whose last valid token wins, no legacy keywords;
- CSP: ``<meta>`` policies anywhere in the page, sources compared as prefixes (a malformed
  ``'nonce-`` still removes ``'unsafe-inline'``);
- no ``<meta http-equiv=Cross-Origin-Resource-Policy>`` (its retriever never collects it).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gonogo.rules import cookies as cookie_rules
from gonogo.rules import cors as cors_rules
from gonogo.rules import csp_parse, structured
from gonogo.rules.csp import PASSIVE
from gonogo.schema.security import HSTS_SIX_MONTHS

if TYPE_CHECKING:
    from gonogo.facts.cors import CorsFacts
    from gonogo.facts.http import HttpFacts, RedirectChain

_BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
_INLINE = {"'unsafe-inline'", "data:"}
_NONCE_HASH = csp_parse.NONCE_HASH  # the Observatory only looks at the prefix
REFERRER_PRIVATE = (
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
)
REFERRER_UNSAFE = ("origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade")
_PARSE_INT = re.compile(r"\s*([+-]?\d+)")


def results(
    page: HttpFacts, chain: RedirectChain | None, cors: CorsFacts | None, cert_valid: bool
) -> dict[str, str]:
    """The result code of each of the twelve tests, in the Observatory's order."""
    # read once, used twice: the X-Frame-Options test looks into the CSP, the cookies test asks
    # whether HSTS protects them
    policies = _active(page)
    hsts = _hsts(page, cert_valid)
    return {
        "content-security-policy": _csp(page, policies),
        "cookies": _cookies(page, hsts == "hsts-implemented-max-age-at-least-six-months"),
        "cross-origin-embedder-policy": _isolation(page, "cross-origin-embedder-policy", "coep"),
        "cross-origin-opener-policy": _isolation(page, "cross-origin-opener-policy", "coop"),
        "cross-origin-resource-sharing": _cors(cors),
        "redirection": _redirection(chain, cert_valid),
        "referrer-policy": _referrer(page),
        "strict-transport-security": hsts,
        "subresource-integrity": _sri(page),
        "x-content-type-options": _xcto(page),
        "x-frame-options": _xfo(page, policies),
        "cross-origin-resource-policy": _corp(page),
    }


def joined(page: HttpFacts, name: str) -> str | None:
    """The header as the Observatory sees it: every line joined with ", " (Node's parser)."""
    values = page.values(name)
    return ", ".join(values) if values else None


def _active(page: HttpFacts) -> list[csp_parse.Policy]:
    return [p for p in csp_parse.policies(page, body_meta=True) if p.origin != "report-only"]


def _csp(page: HttpFacts, found: list[csp_parse.Policy]) -> str:
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
        if any(s.startswith(_NONCE_HASH) for s in allowed):
            allowed.discard("'unsafe-inline'")
    if any(s.startswith(_NONCE_HASH) for s in script) and "'strict-dynamic'" in script:
        script = {
            s
            for s in script
            if not (any(s.startswith(b) for b in _BROAD) or s in ("'self'", "'unsafe-inline'"))
        }
    elif "'strict-dynamic'" in script:
        return "csp-header-invalid"
    active = [
        s for n, v in merged.items() if n not in PASSIVE and n != "script-src" for s in v
    ] + list(script)
    passive = [s for n in PASSIVE for s in (merged.get(n) or merged.get("default-src") or set())]
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


def _cookies(page: HttpFacts, hsts: bool) -> str:
    if not page.set_cookies:
        return "cookies-not-found"
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
    if seen.allow_origin[0] == seen.origin and cors_rules.credentials(seen):
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def _redirection(chain: RedirectChain | None, cert_valid: bool) -> str:
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
    metas = page.metas("referrer")
    values = [*page.values("referrer-policy"), *metas[-1:]]  # the last meta replaces the others
    if not values:
        return "referrer-policy-not-implemented"
    tokens = [t.strip().lower() for t in ", ".join(values).split(",")]
    valid = [t for t in tokens if t in REFERRER_PRIVATE + REFERRER_UNSAFE]
    policy = valid[-1] if valid else None
    if policy in REFERRER_PRIVATE:
        return "referrer-policy-private"
    return "referrer-policy-unsafe" if policy else "referrer-policy-header-invalid"


def _hsts(page: HttpFacts, cert_valid: bool) -> str:
    if not page.https:
        return "hsts-not-implemented-no-https"
    if not cert_valid:  # browsers ignore HSTS received over a connection with errors
        return "hsts-invalid-cert"
    value = joined(page, "strict-transport-security")
    if value is None:
        return "hsts-not-implemented"
    max_age = observatory_max_age(value[:1024])
    if max_age is None:
        return "hsts-header-invalid"
    six = not max_age < HSTS_SIX_MONTHS  # NaN is never less: "at least six months"
    return f"hsts-implemented-max-age-{'at-least' if six else 'less-than'}-six-months"


def observatory_max_age(value: str) -> float | None:
    """``max-age`` as the Observatory reads it; None when it calls the header invalid.

    Directives are split on ``;``, trimmed and lower-cased; the last ``max-age=`` wins and is
    read by JavaScript's ``parseInt`` (leading spaces, a sign, digits; ``NaN`` without any).
    """
    if "," in value:
        return None
    max_age: float | None = None
    for directive in (d.strip().lower() for d in value.split(";")):
        if directive.startswith("max-age="):
            number = _PARSE_INT.match(directive[8:128])
            max_age = int(number[1]) if number else math.nan
    return max_age


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
    value = joined(page, "x-content-type-options")
    if value is None:
        return "x-content-type-options-not-implemented"
    return (
        "x-content-type-options-nosniff"
        if value[:256].strip().lower() == "nosniff"
        else "x-content-type-options-header-invalid"
    )


def _xfo(page: HttpFacts, found: list[csp_parse.Policy]) -> str:
    if _frame_ancestors(page, found):
        return "x-frame-options-implemented-via-csp"
    value = (joined(page, "x-frame-options") or "")[:1024].strip().lower()
    if not value:
        return "x-frame-options-not-implemented"
    if value in ("deny", "sameorigin"):
        return "x-frame-options-sameorigin-or-deny"
    return (
        "x-frame-options-allow-from-origin"
        if value.startswith("allow-from")
        else "x-frame-options-header-invalid"
    )


def _frame_ancestors(page: HttpFacts, found: list[csp_parse.Policy]) -> bool:
    # The Observatory looks for frame-ancestors in its parsed policy, headers and <meta> alike
    # (unfiltered there), when some policy is in force and none has a repeated directive.
    if not found or any(set(p.duplicates) - {"report-uri", "report-to"} for p in found):
        return False
    metas = page.metas("content-security-policy")
    unfiltered = [p for p in found if p.origin == "header"]
    unfiltered += [csp_parse.parse_policy(c, "header") for c in metas]
    return any(p.get("frame-ancestors") is not None for p in unfiltered)


_ISOLATION = {
    "coop": ("same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"),
    "coep": ("require-corp", "credentialless", "unsafe-none"),
}


def _isolation(page: HttpFacts, name: str, code: str) -> str:
    # its COOP and COEP tests (algorithm version 6): more than one line is invalid, the value
    # an RFC 8941 item whose bare item is a token, compared exactly
    values = page.values(name)
    if not values:
        return f"{code}-not-implemented"
    if len(values) > 1:
        return f"{code}-header-invalid"
    try:
        item = structured.parse_item(values[0][:1024].strip())
    except structured.StructuredFieldError:
        return f"{code}-header-invalid"
    token = str(item.value) if isinstance(item.value, structured.Token) else None
    if token not in _ISOLATION[code]:
        return f"{code}-header-invalid"
    return f"{code}-implemented-with-{token}"


def _corp(page: HttpFacts) -> str:
    value = joined(page, "cross-origin-resource-policy")
    if not value:
        return "cross-origin-resource-policy-not-implemented"
    token = value[:256].strip().lower()
    if token in ("same-origin", "same-site", "cross-origin"):
        return f"cross-origin-resource-policy-implemented-with-{token}"
    return "cross-origin-resource-policy-header-invalid"
