"""Tests of the Observatory-style grade: result codes per test, score, bands, min_grade."""


from __future__ import annotations

from typing import Any

import pytest
from factories import chain, cors_facts, cors_seen, good_page, not_verified, page, verdict

from gonogo.facts.cors import FOREIGN_ORIGIN
from gonogo.facts.http import ScriptRef
from gonogo.rules import grade, observatory
from gonogo.schema.security import HeadersConfig

A = "app.example.com"
GOOD_CHAIN = chain(f"301 http://{A}/ -> https://{A}/", f"200 https://{A}/")
H = "Content-Security-Policy"
STS = "Strict-Transport-Security"


@pytest.mark.parametrize(
    ("score", "letter"),
    [(135, "A+"), (100, "A+"), (99, "A"), (90, "A"), (89, "A-"), (85, "A-"), (84, "B+"), (80, "B+"),
     (79, "B"), (70, "B"), (69, "B-"), (65, "B-"), (64, "C+"), (60, "C+"), (59, "C"), (50, "C"),
     (49, "C-"), (45, "C-"), (44, "D+"), (40, "D+"), (39, "D"), (30, "D"), (29, "D-"), (25, "D-"),
     (24, "F"), (0, "F"), (-10, "F")],
)
def test_bands(score: int, letter: str) -> None:
    """Scores map to the Observatory's letter bands (floored to a multiple of 5, capped at 100)."""
    assert grade.band(score) == letter


def code(test: str, page_: Any, chain_: Any = GOOD_CHAIN, cors: Any = None) -> str:
    return dict((t, c) for t, c, _ in grade.grade(page_, chain_, cors).results)[test]


CODES = [
    ("csp-demo", "content-security-policy", good_page(), "csp-implemented-with-no-unsafe"),
    ("csp-default-none", "content-security-policy", page(f"{H}: default-src 'none'"),
     "csp-implemented-with-no-unsafe-default-src-none"),
    ("csp-missing", "content-security-policy", page(), "csp-not-implemented"),
    ("csp-report-only", "content-security-policy", page(f"{H}-Report-Only: default-src 'none'"),
     "csp-not-implemented-but-reporting-enabled"),
    ("csp-unsafe-inline", "content-security-policy", page(f"{H}: default-src 'self' 'unsafe-inline'"),
     "csp-implemented-with-unsafe-inline"),
    ("csp-unsafe-eval", "content-security-policy", page(f"{H}: default-src 'self' 'unsafe-eval'; object-src 'none'"),
     "csp-implemented-with-unsafe-eval"),
    ("csp-no-object-src", "content-security-policy", page(f"{H}: script-src 'self'"),
     "csp-implemented-with-unsafe-inline"),
    ("csp-strict-dynamic-nonce", "content-security-policy",
     page(f"{H}: default-src 'self'; script-src 'strict-dynamic' 'nonce-abc' https: 'unsafe-inline'"),
     "csp-implemented-with-no-unsafe"),
    ("csp-strict-dynamic-alone", "content-security-policy", page(f"{H}: default-src 'self'; script-src 'strict-dynamic'"),
     "csp-header-invalid"),
    ("csp-duplicate-directive", "content-security-policy", page(f"{H}: default-src 'self'; default-src 'none'"),
     "csp-header-invalid"),
    ("csp-passive-http", "content-security-policy", page(f"{H}: default-src 'self'; img-src http:"),
     "csp-implemented-with-insecure-scheme-in-passive-content-only"),
    ("csp-style-inline", "content-security-policy", page(f"{H}: default-src 'self'; style-src 'unsafe-inline'"),
     "csp-implemented-with-unsafe-inline-in-style-src-only"),
    ("cookies-none", "cookies", good_page(), "cookies-not-found"),
    ("cookies-good", "cookies", good_page("Set-Cookie: session=1; Secure; HttpOnly; SameSite=Lax"),
     "cookies-secure-with-httponly-sessions-and-samesite"),
    ("cookies-no-samesite", "cookies", good_page("Set-Cookie: session=1; Secure; HttpOnly"),
     "cookies-secure-with-httponly-sessions"),
    ("cookies-session-insecure", "cookies", page("Set-Cookie: session=1; HttpOnly"), "cookies-session-without-secure-flag"),
    ("cookies-session-insecure-hsts", "cookies", good_page("Set-Cookie: session=1; HttpOnly"),
     "cookies-session-without-secure-flag-but-protected-by-hsts"),
    ("cookies-session-no-httponly", "cookies", good_page("Set-Cookie: session=1; Secure; SameSite=Lax"),
     "cookies-session-without-httponly-flag"),
    ("cookies-samesite-none-insecure", "cookies", good_page("Set-Cookie: pref=1; SameSite=None"),
     "cookies-samesite-flag-invalid"),
    ("redirect-good", "redirection", good_page(), "redirection-to-https"),
    ("redirect-missing", "redirection", good_page(), "redirection-missing"),
    ("redirect-http-first", "redirection", good_page(), "redirection-not-to-https-on-initial-redirection"),
    ("redirect-off-host", "redirection", good_page(), "redirection-off-host-from-http"),
    ("redirect-ends-http", "redirection", good_page(), "redirection-not-to-https"),
    ("redirect-no-listener", "redirection", good_page(), "redirection-not-needed-no-http"),
    ("referrer-private", "referrer-policy", good_page(), "referrer-policy-private"),
    ("referrer-unsafe", "referrer-policy", page("Referrer-Policy: unsafe-url"), "referrer-policy-unsafe"),
    ("referrer-invalid", "referrer-policy", page("Referrer-Policy: nope"), "referrer-policy-header-invalid"),
    ("hsts-six-months", "strict-transport-security", page("Strict-Transport-Security: max-age=15552000"),
     "hsts-implemented-max-age-at-least-six-months"),
    ("hsts-short", "strict-transport-security", page("Strict-Transport-Security: max-age=86400"),
     "hsts-implemented-max-age-less-than-six-months"),
    ("hsts-http", "strict-transport-security", page(url="http://app.example.com/"), "hsts-not-implemented-no-https"),
    ("sri-same-origin", "subresource-integrity", page("Content-Type: text/html", scripts=["/static/app.js"]),
     "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"),
    ("sri-cdn-without-integrity", "subresource-integrity", page(scripts=["https://cdn.other.net/lib.js"]),
     "sri-not-implemented-but-external-scripts-loaded-securely"),
    ("sri-cdn-with-integrity", "subresource-integrity",
     page(scripts=[ScriptRef("https://cdn.other.net/lib.js", "sha384-x", "anonymous")]),
     "sri-implemented-and-external-scripts-loaded-securely"),
    ("sri-cdn-over-http", "subresource-integrity", page(scripts=["http://cdn.other.net/lib.js"]),
     "sri-not-implemented-and-external-scripts-not-loaded-securely"),
    ("sri-protocol-relative", "subresource-integrity", page(scripts=["//cdn.other.net/lib.js"]),
     "sri-not-implemented-and-external-scripts-not-loaded-securely"),
    ("sri-not-html", "subresource-integrity", page("Content-Type: application/json"),
     "sri-not-implemented-response-not-html"),
    ("xcto-duplicate-joined", "x-content-type-options", page("X-Content-Type-Options: nosniff, nosniff"),
     "x-content-type-options-header-invalid"),
    ("xfo-allow-from-scores-zero", "x-frame-options", page("X-Frame-Options: ALLOW-FROM https://a.example"),
     "x-frame-options-allow-from-origin"),
    ("xfo-via-csp", "x-frame-options", page(f"{H}: frame-ancestors *"), "x-frame-options-implemented-via-csp"),
    ("xfo-missing", "x-frame-options", page(), "x-frame-options-not-implemented"),
    ("corp-same-site", "cross-origin-resource-policy", page("Cross-Origin-Resource-Policy: same-site"),
     "cross-origin-resource-policy-implemented-with-same-site"),
    ("corp-invalid", "cross-origin-resource-policy", page("Cross-Origin-Resource-Policy: nope"),
     "cross-origin-resource-policy-header-invalid"),
    # --- the Observatory's own readings, quirks included (headers.* read as browsers do) ----
    ("hsts-repeated-directive-last-wins", "strict-transport-security",
     page(f"{STS}: max-age=31536000; max-age=31536000"), "hsts-implemented-max-age-at-least-six-months"),
    ("hsts-repeated-directive-short-last", "strict-transport-security",
     page(f"{STS}: max-age=31536000; max-age=60"), "hsts-implemented-max-age-less-than-six-months"),
    ("hsts-plus-sign", "strict-transport-security", page(f"{STS}: max-age=+31536000"),
     "hsts-implemented-max-age-at-least-six-months"),
    ("hsts-quoted-is-nan", "strict-transport-security", page(f'{STS}: max-age="60"'),
     "hsts-implemented-max-age-at-least-six-months"),
    ("hsts-text-is-nan", "strict-transport-security", page(f"{STS}: max-age=forever"),
     "hsts-implemented-max-age-at-least-six-months"),
    ("hsts-digits-then-text", "strict-transport-security", page(f"{STS}: max-age=60s"),
     "hsts-implemented-max-age-less-than-six-months"),
    ("hsts-negative", "strict-transport-security", page(f"{STS}: max-age=-1"),
     "hsts-implemented-max-age-less-than-six-months"),
    ("hsts-spaces-around-equals", "strict-transport-security", page(f"{STS}: max-age = 31536000"),
     "hsts-header-invalid"),
    ("hsts-two-headers-joined", "strict-transport-security", page(f"{STS}: max-age=31536000", f"{STS}: max-age=0"),
     "hsts-header-invalid"),
    ("hsts-empty", "strict-transport-security", page(f"{STS}: "), "hsts-header-invalid"),
    ("referrer-legacy-meta-keyword-invalid", "referrer-policy",
     page("Referrer-Policy: no-referrer", meta=[("referrer", "always")]), "referrer-policy-private"),
    ("referrer-legacy-meta-only", "referrer-policy", page(meta=[("referrer", "never")]),
     "referrer-policy-header-invalid"),
    ("referrer-body-meta", "referrer-policy", page(body_meta=[("referrer", "unsafe-url")]), "referrer-policy-unsafe"),
    ("referrer-last-meta-replaces", "referrer-policy",
     page(meta=[("referrer", "unsafe-url")], body_meta=[("referrer", "no-referrer")]), "referrer-policy-private"),
    ("referrer-meta-list-read-as-list", "referrer-policy", page(meta=[("referrer", "unsafe-url, same-origin")]),
     "referrer-policy-private"),
    ("xfo-duplicate-deny-joined", "x-frame-options", page("X-Frame-Options: DENY", "X-Frame-Options: DENY"),
     "x-frame-options-header-invalid"),
    ("xfo-via-meta-frame-ancestors", "x-frame-options",
     page(meta=[("content-security-policy", "default-src 'self'; frame-ancestors 'none'")]),
     "x-frame-options-implemented-via-csp"),
    ("xfo-meta-frame-ancestors-alone", "x-frame-options", page(meta=[("content-security-policy", "frame-ancestors 'none'")]),
     "x-frame-options-not-implemented"),
    ("corp-meta-not-read", "cross-origin-resource-policy", page(meta=[("cross-origin-resource-policy", "same-site")]),
     "cross-origin-resource-policy-not-implemented"),
    ("csp-meta-in-body-counts", "content-security-policy", page(body_meta=[("content-security-policy", "default-src 'none'")]),
     "csp-implemented-with-no-unsafe-default-src-none"),
    ("csp-malformed-nonce-still-inert", "content-security-policy",
     page(f"{H}: default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-'"), "csp-implemented-with-no-unsafe"),
]
CHAINS = {
    "redirect-missing": chain(f"200 http://{A}/"),
    "redirect-http-first": chain(f"301 http://{A}/ -> http://{A}/x", f"301 http://{A}/x -> https://{A}/x",
                                 f"200 https://{A}/x"),
    "redirect-off-host": chain(f"301 http://{A}/ -> https://www.example.com/", "200 https://www.example.com/"),
    "redirect-ends-http": chain(f"301 http://{A}/ -> http://{A}/x", f"200 http://{A}/x"),
    "redirect-no-listener": None,
}


@pytest.mark.parametrize(
    ("test", "facts", "chain_", "expected"),
    [pytest.param(t, f, CHAINS.get(i, GOOD_CHAIN), e, id=i) for i, t, f, e in CODES],
)
def test_result_codes(test: str, facts: Any, chain_: Any, expected: str) -> None:
    """Each Observatory test yields the result code the Observatory would give."""
    assert code(test, facts, chain_) == expected


@pytest.mark.parametrize(
    ("allow", "creds", "expected"),
    [
        (None, None, "cross-origin-resource-sharing-not-implemented"),
        ("*", None, "cross-origin-resource-sharing-implemented-with-public-access"),
        (FOREIGN_ORIGIN, "true", "cross-origin-resource-sharing-implemented-with-universal-access"),
        (FOREIGN_ORIGIN, None, "cross-origin-resource-sharing-implemented-with-restricted-access"),
    ],
    ids=["none", "public", "reflected-credentials", "reflected-no-credentials"],
)
def test_cors_codes(allow: str | None, creds: str | None, expected: str) -> None:
    """CORS is scored from the foreign-origin probe, as the Observatory's CORS request."""
    facts = cors_facts(cors_seen("null", "null"), cors_seen(FOREIGN_ORIGIN, allow, creds=creds))
    assert code("cross-origin-resource-sharing", good_page(), cors=facts) == expected


COOP, COEP = "Cross-Origin-Opener-Policy", "Cross-Origin-Embedder-Policy"


@pytest.mark.parametrize(
    ("test", "lines", "expected"),
    [
        ("cross-origin-opener-policy", [], "coop-not-implemented"),
        ("cross-origin-opener-policy", [f"{COOP}: same-origin"], "coop-implemented-with-same-origin"),
        ("cross-origin-opener-policy", [f'{COOP}: same-origin; report-to="r"'], "coop-implemented-with-same-origin"),
        ("cross-origin-opener-policy", [f"{COOP}: same-origin-allow-popups"],
         "coop-implemented-with-same-origin-allow-popups"),
        ("cross-origin-opener-policy", [f"{COOP}: noopener-allow-popups"],
         "coop-implemented-with-noopener-allow-popups"),
        ("cross-origin-opener-policy", [f"{COOP}: unsafe-none"], "coop-implemented-with-unsafe-none"),
        ("cross-origin-opener-policy", [f"{COOP}: Same-Origin"], "coop-header-invalid"),
        ("cross-origin-opener-policy", [f'{COOP}: "same-origin"'], "coop-header-invalid"),
        ("cross-origin-opener-policy", [f"{COOP}: same-origin"] * 2, "coop-header-invalid"),
        ("cross-origin-embedder-policy", [f"{COEP}: require-corp"], "coep-implemented-with-require-corp"),
        ("cross-origin-embedder-policy", [f"{COEP}: credentialless"], "coep-implemented-with-credentialless"),
        ("cross-origin-embedder-policy", [f"{COEP}: unsafe-none"], "coep-implemented-with-unsafe-none"),
        ("cross-origin-embedder-policy", [f"{COEP}: require-corp, credentialless"], "coep-header-invalid"),
        ("cross-origin-embedder-policy", [], "coep-not-implemented"),
    ],
    ids=["coop-absent", "coop-same-origin", "coop-report-to", "coop-allow-popups", "coop-noopener",
         "coop-unsafe-none", "coop-title-case", "coop-quoted", "coop-two-lines", "coep-require-corp",
         "coep-credentialless", "coep-unsafe-none", "coep-list", "coep-absent"],
)
def test_isolation_codes(test: str, lines: list[str], expected: str) -> None:
    """COOP and COEP are scored as the Observatory's algorithm version 6 scores them: an RFC 8941
    token compared exactly, one header line."""
    assert code(test, good_page(*lines)) == expected


def test_isolation_bonus_counts_only_from_ninety() -> None:
    """COOP same-origin and COEP require-corp add +10 each on a strong page (A+, 135)."""
    result = grade.grade(good_page(f"{COOP}: same-origin", f"{COEP}: require-corp"), GOOD_CHAIN, None)
    assert (result.score, result.grade) == (135, "A+")


def test_clean_demo_scores_a_plus() -> None:
    """The plans' headers with a strict CSP score 115 (A+): CSP +5, Referrer +5, frame-ancestors +5."""
    result = grade.grade(good_page(), GOOD_CHAIN, None)
    assert (result.score, result.grade) == (115, "A+")


def test_bare_site_scores_f() -> None:
    """No headers and no redirect: 100 - 25 - 20 - 20 - 5 - 20 = 10, an F."""
    result = grade.grade(page(), chain(f"200 http://{A}/"), None)
    assert (result.score, result.grade) == (10, "F")


def test_bonus_needs_ninety_without_it() -> None:
    """Bonuses count only when the score without them is 90 or more (here 80: B+, bonuses ignored)."""
    facts = good_page(without=["strict-transport-security"])
    result = grade.grade(facts, GOOD_CHAIN, None)
    assert (result.score, result.grade) == (80, "B+")


@pytest.mark.parametrize(
    ("min_grade", "facts", "ok"),
    [(None, page(), True), ("B+", good_page(), True), ("B+", page(), False), ("A+", good_page(), True)],
    ids=["evidence-only", "a-plus-meets-b-plus", "f-misses-b-plus", "a-plus-meets-a-plus"],
)
def test_min_grade(min_grade: str | None, facts: Any, ok: bool) -> None:
    """headers.grade fails only when min_grade is configured and not reached."""
    findings = grade.evaluate_grade(facts, GOOD_CHAIN, None, HeadersConfig(min_grade=min_grade))
    assert verdict(findings) is ok
    assert [f.name for f in findings if f.headline] == ["grade"]  # shown in the report banner


@pytest.mark.parametrize(
    ("changes", "hsts", "redirection", "score"),
    [
        ({}, "hsts-implemented-max-age-at-least-six-months", "redirection-to-https", 115),
        ({"chain_valid": False, "verify_error": "self-signed certificate"}, "hsts-invalid-cert",
         "redirection-invalid-cert", 60),
        ({"chain_valid": False, "verify_error": "certificate has expired"}, "hsts-invalid-cert",
         "redirection-invalid-cert", 60),
        ({"hostname_matches": False}, "hsts-invalid-cert", "redirection-invalid-cert", 60),
    ],
    ids=["valid", "self-signed", "expired", "hostname-mismatch"],
)
def test_invalid_certificate_codes(changes: dict[str, Any], hsts: str, redirection: str, score: int) -> None:
    """A certificate browsers reject costs HSTS and redirection 20 each, as in the Observatory."""
    from test_tls import cert_facts

    result = grade.grade(good_page(), GOOD_CHAIN, None, cert_facts(**changes))
    codes = {t: c for t, c, _ in result.results}
    assert (codes["strict-transport-security"], codes["redirection"], result.score) == (hsts, redirection, score)


def test_invalid_certificate_still_reports_a_missing_redirect() -> None:
    """No redirect at all stays redirection-missing even when the certificate is invalid."""
    from test_tls import cert_facts

    result = grade.grade(good_page(), chain(f"200 http://{A}/"), None, cert_facts(chain_valid=False))
    assert dict((t, c) for t, c, _ in result.results)["redirection"] == "redirection-missing"


def test_grade_of_a_non_document_is_not_verified() -> None:
    """An error page is not graded (its headers are not the document's): not verified."""
    findings = grade.evaluate_grade(good_page(status=503), GOOD_CHAIN, None, HeadersConfig(min_grade="A"))
    assert not_verified(findings).name == "page"


@pytest.mark.parametrize(
    ("value", "max_age"),
    [("max-age=100", 100), ("MAX-AGE=100; preload", 100), (" max-age= 7", 7), ("max-age=1; max-age=2", 2),
     ("max-age=1, max-age=2", None), ("includeSubDomains", None)],
)
def test_observatory_max_age(value: str, max_age: int | None) -> None:
    """max-age is read as the Observatory's parseInt does: the last one, leading spaces allowed."""
    assert observatory.observatory_max_age(value) == max_age
