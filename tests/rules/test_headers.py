"""Table tests of the security-header rules: raw headers in, pass/fail verdict out."""


from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from factories import failing, good_page, not_verified, page, verdict
from pydantic import ValidationError

from gonogo.rules import headers, hsts, permissions
from gonogo.schema.security import HeadersConfig

CHECKS: dict[str, Callable[..., Any]] = {
    "hsts": hsts.evaluate_hsts,
    "frame": headers.evaluate_frame,
    "nosniff": headers.evaluate_content_type_options,
    "referrer": headers.evaluate_referrer_policy,
    "permissions": permissions.evaluate_permissions_policy,
    "cross-origin": headers.evaluate_cross_origin,
    "disclosure": headers.evaluate_disclosure,
    "xss": headers.evaluate_xss_protection,
}
STS = "Strict-Transport-Security"
YEAR = f"{STS}: max-age=31536000; includeSubDomains"
CSP = "Content-Security-Policy"


def case(name: str, check: str, facts: Any, ok: bool, **config: Any) -> Any:
    return pytest.param(check, facts, config, ok, id=f"{check}:{name}")


CASES = [
    # --- HSTS -------------------------------------------------------------------------------
    case("plans-nginx-value", "hsts", page(YEAR), True),
    case("missing", "hsts", page("X-Frame-Options: DENY"), False),
    case("max-age-0-disables", "hsts", page(f"{STS}: max-age=0; includeSubDomains"), False),
    case("six-months-below-default-year", "hsts", page(f"{STS}: max-age=15552000; includeSubDomains"), False),
    case("year-without-includeSubDomains", "hsts", page(f"{STS}: max-age=31536000"), False),
    case("includeSubDomains-required", "hsts", page(f"{STS}: max-age=31536000"), False,
         require_include_subdomains=True),
    case("two-years-preload", "hsts", page(f"{STS}: max-age=63072000; includeSubDomains; preload"), True),
    case("lower-case-name", "hsts", page("strict-transport-security: max-age=31536000; includeSubDomains"), True),
    case("upper-case-directives", "hsts", page(f"{STS}: MAX-AGE=31536000; INCLUDESUBDOMAINS"), True),
    case("quoted-max-age", "hsts", page(f'{STS}: max-age="31536000"; includeSubDomains'), True),
    case("spaces-around-equals", "hsts", page(f"{STS}: max-age = 31536000 ; includeSubDomains"), True),
    case("duplicate-first-good-wins-but-differs", "hsts", page(YEAR, f"{STS}: max-age=0"), False),
    case("duplicate-identical-lines", "hsts", page(YEAR, YEAR), True),
    case("duplicate-first-zero-wins", "hsts", page(f"{STS}: max-age=0", YEAR), False),
    case("folded-duplicates-invalid", "hsts", page(f"{STS}: max-age=31536000, max-age=0"), False),
    case("repeated-directive-invalid", "hsts", page(f"{STS}: max-age=31536000; max-age=31536000"), False),
    case("no-max-age", "hsts", page(f"{STS}: includeSubDomains"), False),
    case("max-age-not-a-number", "hsts", page(f"{STS}: max-age=1y; includeSubDomains"), False),
    case("negative-max-age", "hsts", page(f"{STS}: max-age=-1; includeSubDomains"), False),
    case("on-plain-http-only", "hsts", page(YEAR, url="http://app.example.com/"), False),
    case("below-stricter-minimum", "hsts", page(YEAR), False, hsts_min_max_age=63072000),
    case("superscript-digits-invalid", "hsts", page(f"{STS}: max-age=³¹⁵³⁶⁰⁰⁰; includeSubDomains"), False),
    case("unbalanced-quote-invalid", "hsts", page(f'{STS}: max-age="31536000; includeSubDomains'), False),
    case("plus-sign-invalid", "hsts", page(f"{STS}: max-age=+31536000; includeSubDomains"), False),
    case("arabic-indic-digits-invalid", "hsts", page(f"{STS}: max-age=٣١٥٣٦٠٠٠; includeSubDomains"), False),
    case("quoted-value-with-semicolon-splits", "hsts", page(f'{STS}: max-age=31536000; includeSubDomains; x="a;b"'),
         False),
    case("unknown-directive-ignored", "hsts", page(f"{STS}: max-age=31536000; includeSubDomains; future=1"), True),
    case("trailing-semicolon", "hsts", page(f"{STS}: max-age=31536000; includeSubDomains;"), True),
    case("directive-name-with-space-invalid", "hsts", page(f"{STS}: max age=31536000; includeSubDomains"), False),
    # --- frame ------------------------------------------------------------------------------
    case("xfo-deny", "frame", page("X-Frame-Options: DENY"), True),
    case("xfo-sameorigin-lower-case", "frame", page("x-frame-options: sameorigin"), True),
    case("nothing", "frame", page("X-Content-Type-Options: nosniff"), False),
    case("xfo-allow-from", "frame", page("X-Frame-Options: ALLOW-FROM https://partner.example"), False),
    case("xfo-invalid-allowall", "frame", page("X-Frame-Options: ALLOWALL"), False),
    case("xfo-duplicate-deny", "frame", page("X-Frame-Options: DENY", "X-Frame-Options: DENY"), True),
    case("xfo-conflicting-values-block", "frame", page("X-Frame-Options: DENY", "X-Frame-Options: SAMEORIGIN"),
         True),
    case("xfo-two-invalid-values", "frame", page("X-Frame-Options: foo, bar"), False),
    case("csp-frame-ancestors-self", "frame", page(f"{CSP}: frame-ancestors 'self'"), True),
    case("csp-frame-ancestors-empty-is-none", "frame", page(f"{CSP}: frame-ancestors"), True),
    case("csp-frame-ancestors-star-overrides-xfo", "frame", page(f"{CSP}: frame-ancestors *", "X-Frame-Options: DENY"),
         False),
    case("csp-frame-ancestors-scheme-only", "frame", page(f"{CSP}: frame-ancestors https:"), False),
    case("csp-frame-ancestors-only-in-meta", "frame",
         page(meta=[("content-security-policy", "frame-ancestors 'none'")]), False),
    case("csp-frame-ancestors-report-only", "frame", page(f"{CSP}-Report-Only: frame-ancestors 'none'"), False),
    case("csp-two-policies-one-restrictive", "frame",
         page(f"{CSP}: frame-ancestors *", f"{CSP}: frame-ancestors https://partner.example"), True),
    case("xfo-missing-but-frame-ancestors", "frame", good_page(without=["x-frame-options"]), True),
    case("xfo-required-beside-frame-ancestors", "frame", good_page(without=["x-frame-options"]), False,
         require_x_frame_options=True),
    case("xfo-required-and-sent", "frame", good_page(), True, require_x_frame_options=True),
    case("csp-frame-ancestors-wildcard-with-port", "frame", page(f"{CSP}: frame-ancestors https://*:443"), False),
    case("csp-frame-ancestors-star-port", "frame", page(f"{CSP}: frame-ancestors *:443"), False),
    case("csp-frame-ancestors-star-path", "frame", page(f"{CSP}: frame-ancestors https://*/embed/"), False),
    case("csp-frame-ancestors-public-suffix", "frame", page(f"{CSP}: frame-ancestors https://*.com"), False),
    case("csp-frame-ancestors-partner-subdomains", "frame",
         page(f"{CSP}: frame-ancestors https://*.partner.example:443"), True),
    # --- X-Content-Type-Options -------------------------------------------------------------
    case("nosniff", "nosniff", page("X-Content-Type-Options: nosniff"), True),
    case("mixed-case", "nosniff", page("x-content-type-options: NoSniff"), True),
    case("missing", "nosniff", page(), False),
    case("duplicate-headers", "nosniff", page("X-Content-Type-Options: nosniff", "X-Content-Type-Options: nosniff"),
         True),
    case("invalid-value", "nosniff", page("X-Content-Type-Options: sniff"), False),
    case("first-token-counts", "nosniff", page("X-Content-Type-Options: foo", "X-Content-Type-Options: nosniff"),
         False),
    # --- Referrer-Policy --------------------------------------------------------------------
    case("strict-origin-when-cross-origin", "referrer", page("Referrer-Policy: strict-origin-when-cross-origin"),
         True),
    case("no-referrer-upper-case", "referrer", page("Referrer-Policy: NO-REFERRER"), True),
    case("unsafe-url", "referrer", page("Referrer-Policy: unsafe-url"), False),
    case("no-referrer-when-downgrade", "referrer", page("Referrer-Policy: no-referrer-when-downgrade"), False),
    case("absent-browser-default", "referrer", page(), True),
    case("absent-but-required", "referrer", page(), False, require_referrer_policy=True),
    case("fallback-list-last-valid-unsafe", "referrer", page("Referrer-Policy: no-referrer, unsafe-url"), False),
    case("fallback-list-last-valid-safe", "referrer", page("Referrer-Policy: unsafe-url, strict-origin"), True),
    case("unknown-token-ignored", "referrer", page("Referrer-Policy: no-referrer, future-policy"), True),
    case("only-unknown-token", "referrer", page("Referrer-Policy: same-site"), False),
    case("meta-overrides-header", "referrer", page("Referrer-Policy: no-referrer", meta=[("referrer", "unsafe-url")]),
         False),
    case("meta-legacy-always-is-unsafe-url", "referrer",
         page("Referrer-Policy: no-referrer", meta=[("referrer", "always")]), False),
    case("meta-legacy-never-is-no-referrer", "referrer",
         page("Referrer-Policy: unsafe-url", meta=[("referrer", "Never")]), True),
    case("meta-legacy-default", "referrer", page(meta=[("referrer", "default")]), True),
    case("meta-legacy-origin-when-crossorigin", "referrer", page(meta=[("referrer", "origin-when-crossorigin")]),
         False),
    case("header-legacy-always-is-invalid", "referrer", page("Referrer-Policy: always"), False),
    case("meta-invalid-keeps-header", "referrer", page("Referrer-Policy: no-referrer", meta=[("referrer", "bogus")]),
         True),
    case("meta-list-is-not-a-fallback-list", "referrer",
         page("Referrer-Policy: unsafe-url", meta=[("referrer", "no-referrer, same-origin")]), False),
    case("two-metas-last-wins", "referrer", page(meta=[("referrer", "no-referrer"), ("referrer", "always")]), False),
    case("origin-allowed-by-config", "referrer", page("Referrer-Policy: origin"), True,
         safe_referrer_policies=["origin", "no-referrer"]),
    case("body-meta-applies-too", "referrer",
         page("Referrer-Policy: no-referrer", body_meta=[("referrer", "unsafe-url")]), False),
    case("head-then-body-meta-last-wins", "referrer",
         page(meta=[("referrer", "unsafe-url")], body_meta=[("referrer", "same-origin")]), True),
    # --- Permissions-Policy -----------------------------------------------------------------
    case("all-denied", "permissions", page("Permissions-Policy: camera=(), microphone=(), geolocation=()"), True),
    case("missing", "permissions", page(), False),
    case("missing-not-required", "permissions", page(), True, require_permissions_policy=False),
    case("camera-to-everyone", "permissions", page("Permissions-Policy: camera=*, microphone=()"), False),
    case("self-and-partner", "permissions", page('Permissions-Policy: geolocation=(self "https://maps.example")'),
         True),
    case("feature-policy-syntax", "permissions", page("Permissions-Policy: camera 'none'"), False),
    case("legacy-feature-policy-only", "permissions", page("Feature-Policy: camera 'none'"), False),
    case("unrestricted-feature-open", "permissions", page("Permissions-Policy: fullscreen=*"), True),
    case("split-over-two-headers", "permissions", page("Permissions-Policy: camera=()", "Permissions-Policy: usb=*"),
         False),
    case("star-inside-inner-list", "permissions", page("Permissions-Policy: camera=(*)"), False),
    case("self-and-star-is-everyone", "permissions", page("Permissions-Policy: camera=(self *)"), False),
    case("origin-then-star", "permissions", page('Permissions-Policy: microphone=("https://a.example" *)'), False),
    case("report-to-parameter-parses", "permissions",
         page('Permissions-Policy: geolocation=(self "https://a.example");report-to=ep'), True),
    case("bare-self-token", "permissions", page("Permissions-Policy: camera=self, microphone=()"), True),
    case("parameter-on-empty-list", "permissions", page("Permissions-Policy: camera=();report-to=ep"), True),
    case("quoted-star-is-not-a-wildcard", "permissions", page('Permissions-Policy: camera="*"'), True),
    case("upper-case-key-does-not-parse", "permissions", page("Permissions-Policy: Camera=()"), False),
    case("trailing-comma-does-not-parse", "permissions", page("Permissions-Policy: camera=(),"), False),
    case("unterminated-list-does-not-parse", "permissions", page("Permissions-Policy: camera=(self"), False),
    case("unquoted-origin-is-an-ignored-token", "permissions",
         page("Permissions-Policy: camera=(https://a.example)"), True),
    case("second-of-several-open", "permissions", page("Permissions-Policy: geolocation=(self), payment=*"), False),
    case("duplicate-key-last-wins-open", "permissions", page("Permissions-Policy: camera=(), camera=*"), False),
    case("duplicate-key-last-wins-closed", "permissions", page("Permissions-Policy: camera=*, camera=()"), True),
    # --- COOP / COEP / CORP -----------------------------------------------------------------
    case("informational-by-default", "cross-origin", page(), True),
    case("coop-required-missing", "cross-origin", page(), False, require_coop=True),
    case("coop-required-same-origin", "cross-origin", page("Cross-Origin-Opener-Policy: same-origin"), True,
         require_coop=True),
    case("coop-required-unsafe-none", "cross-origin", page("Cross-Origin-Opener-Policy: unsafe-none"), False,
         require_coop=True),
    case("corp-required-cross-origin", "cross-origin", page("Cross-Origin-Resource-Policy: cross-origin"), False,
         require_corp=True),
    case("coep-required-with-report-to", "cross-origin",
         page('Cross-Origin-Embedder-Policy: require-corp; report-to="coep"'), True, require_coep=True),
    # --- disclosure -------------------------------------------------------------------------
    case("server-tokens-off", "disclosure", page("Server: nginx"), True),
    case("server-version", "disclosure", page("Server: nginx/1.22.1"), False),
    case("apache-major-only", "disclosure", page("Server: Apache/2"), False),
    case("iis-version", "disclosure", page("Server: Microsoft-IIS/10.0"), False),
    case("powered-by-php-version", "disclosure", page("X-Powered-By: PHP/8.2.7"), False),
    case("powered-by-without-version", "disclosure", page("X-Powered-By: Express"), True),
    case("aspnet-version", "disclosure", page("X-AspNet-Version: 4.0.30319"), False),
    case("lower-case-server", "disclosure", page("server: gunicorn/21.2.0"), False),
    case("no-such-headers", "disclosure", page(), True),
    # --- X-XSS-Protection -------------------------------------------------------------------
    case("absent", "xss", page(), True),
    case("disabled-0", "xss", page("X-XSS-Protection: 0"), True),
    case("plans-1-mode-block", "xss", page("X-XSS-Protection: 1; mode=block"), True),
    case("compact-1-mode-block", "xss", page("X-XSS-Protection: 1;mode=block"), True),
    case("bare-1", "xss", page("X-XSS-Protection: 1"), True),
    case("report-uri", "xss", page("X-XSS-Protection: 1; report=https://r.example/xss"), True),
    case("invalid-2", "xss", page("X-XSS-Protection: 2"), False),
    case("invalid-mode", "xss", page("X-XSS-Protection: 1; mode=allow"), False),
]


@pytest.mark.parametrize(("check", "facts", "config", "ok"), CASES)
def test_header_table(check: str, facts: Any, config: dict[str, Any], ok: bool) -> None:
    """Each header case passes or fails its check as a browser would read the headers."""
    findings = CHECKS[check](facts, HeadersConfig(**config))
    assert verdict(findings) is ok, [f.message for f in findings]


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_clean_demo_headers_pass(check: str) -> None:
    """The plans' nginx headers plus a strict CSP, Referrer- and Permissions-Policy pass every check."""
    assert verdict(CHECKS[check](good_page(), HeadersConfig()))


def test_permissions_policy_notes_ignored_entries() -> None:
    """Allowlist entries browsers ignore (a quoted "*", an unquoted origin) are noted, not failed."""
    findings = permissions.evaluate_permissions_policy(
        page('Permissions-Policy: camera="*", geolocation=(self https://a.example)'), HeadersConfig()
    )
    ignored = next(f for f in findings if f.name == "ignored")
    assert ignored.ok and len(ignored.measured) == 2


def test_permissions_policy_syntax_error_names_the_position() -> None:
    """An unparseable header fails once, saying browsers drop it whole."""
    [finding] = permissions.evaluate_permissions_policy(page("Permissions-Policy: camera=(self"), HeadersConfig())
    assert finding.name == "syntax" and "ignore the whole header" in finding.message


def test_hsts_zero_is_reported_as_disabled() -> None:
    """max-age=0 says HSTS is switched off, with the configured minimum as the threshold."""
    [finding] = hsts.evaluate_hsts(page(f"{STS}: max-age=0"), HeadersConfig())
    assert "disabled" in finding.message and finding.threshold == 31536000


def test_hsts_measures_max_age() -> None:
    """A short max-age is measured in seconds against the minimum."""
    findings = hsts.evaluate_hsts(page(f"{STS}: max-age=86400; includeSubDomains"), HeadersConfig())
    assert failing(findings) == {"max_age"}
    assert next(f for f in findings if f.name == "max_age").measured == 86400


def test_allow_from_message_names_the_reason() -> None:
    """ALLOW-FROM fails with the reason: current browsers ignore it."""
    [finding] = headers.evaluate_frame(page("X-Frame-Options: ALLOW-FROM https://a.example"), HeadersConfig())
    assert "ALLOW-FROM" in finding.message and "ignored" in finding.message


def test_hsts_minimum_cannot_go_below_six_months() -> None:
    """The environment file cannot lower the HSTS minimum below six months."""
    with pytest.raises(ValidationError, match="six months"):
        HeadersConfig(hsts_min_max_age=86400)


@pytest.mark.parametrize(
    ("value", "max_age", "subdomains", "error"),
    [
        ("max-age=31536000; includeSubDomains", 31536000, True, None),
        ("max-age=0", 0, False, None),
        ("includeSubDomains", None, False, "no max-age directive"),
        ("max-age=1, max-age=2", None, False, "several values in one header (folded duplicates)"),
        ('max-age="31536000"', 31536000, False, None),
        ("max-age=³¹⁵³⁶⁰⁰⁰", None, False, "value '³¹⁵³⁶⁰⁰⁰' of max-age is neither a token nor a quoted string"),
        ("max-age=+31536000", None, False, "max-age '+31536000' is not a number of seconds"),
        ('max-age="31536000', None, False,
         "value '\"31536000' of max-age is neither a token nor a quoted string"),
    ],
    ids=["full", "zero", "no-max-age", "folded", "quoted", "superscript", "plus-sign", "unbalanced-quote"],
)
def test_parse_hsts(value: str, max_age: int | None, subdomains: bool, error: str | None) -> None:
    """The HSTS parser follows RFC 6797 §6.1."""
    parsed = hsts.parse_hsts(value)
    assert (parsed.max_age, parsed.include_subdomains, parsed.error) == (max_age, subdomains, error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a=1, b=?0, c", {"a": 1, "b": False, "c": True}),
        ('a="x\\"y", b=tok/en:1', {"a": 'x"y', "b": "tok/en:1"}),
        ("a=-1.5, b=:aGk=:", {"a": -1.5, "b": b"hi"}),
        ("a=(1 2);p=3, b=()", {"a": (1, 2), "b": ()}),
    ],
    ids=["integer-boolean-bare-key", "escaped-string-token", "decimal-bytes", "inner-lists"],
)
def test_structured_dictionary_values(value: str, expected: dict[str, Any]) -> None:
    """The RFC 8941 dictionary parser reads every bare item type, inner lists and parameters."""
    from gonogo.rules import structured

    parsed = structured.parse_dictionary(value)
    values = {k: tuple(i for i, _ in m.value) if m.is_list else m.value for k, m in parsed.items()}
    assert values == expected


@pytest.mark.parametrize("value", ["a=1.2345", "a=\"unterminated", "a=(1 2", "a=1,", "A=1", "a=?2", "a=:!!:"])
def test_structured_dictionary_rejects_invalid(value: str) -> None:
    """Invalid structured-field syntax is rejected (browsers then drop the whole header)."""
    from gonogo.rules import structured

    with pytest.raises(structured.StructuredFieldError):
        structured.parse_dictionary(value)


NOT_A_DOCUMENT = [
    ("503-with-every-header", good_page(status=503), "connectivity"),
    ("302-to-another-origin", good_page("Location: https://sso.example.net/login", status=302), "config"),
    ("redirect-loop", good_page("Location: /a", status=302, redirects=["302 https://app.example.com/ -> /a"] * 10),
     "config"),
    ("401-login-required", good_page(status=401), "auth"),
    ("404-wrong-base-url", good_page(status=404), "config"),
]


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize(("facts", "reason"), [pytest.param(f, r, id=n) for n, f, r in NOT_A_DOCUMENT])
def test_headers_of_a_non_document_are_not_verified(check: str, facts: Any, reason: str) -> None:
    """A page that did not end on a 2xx (a redirect, an error page) is not judged, whatever its
    headers: not verified, with the route followed as evidence."""
    [finding] = CHECKS[check](facts, HeadersConfig())
    assert not_verified([finding]).unverified == reason
    assert finding.measured[-1].startswith(str(facts.status))


def test_headers_after_same_origin_redirects_name_the_route() -> None:
    """The document reached through same-origin redirects is judged, the route noted first."""
    facts = good_page(url="https://app.example.com/home", redirects=["302 https://app.example.com/ -> /home"])
    findings = hsts.evaluate_hsts(facts, HeadersConfig())
    assert verdict(findings)
    assert findings[0].name == "page" and "302 https://app.example.com/ -> 200" in findings[0].message
