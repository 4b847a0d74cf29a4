"""An overall grade in the style of the Mozilla HTTP Observatory, recorded as evidence.

Check ids: ``headers.grade``.

Scores the Observatory's twelve tests (CSP, cookies, COEP, COOP, CORS, redirection,
Referrer-Policy, HSTS, SRI, X-Content-Type-Options, X-Frame-Options, CORP; its algorithm
version 6) with its result codes and score modifiers
(``mdn/mdn-http-observatory`` ``src/grader/charts.js``), the baseline of 100, bonuses counted
only when the score without them is at least 90, and its A+...F bands. Each test's result code
comes from :mod:`.observatory`, the *Observatory's* reading of the headers, not our own checks'
(e.g. ``ALLOW-FROM`` scores 0 here, while ``headers.frame`` fails it): the grade is comparable
with the public tool, the verdicts of the other checks are ours. Like every header check it
grades only a page that ended on a 2xx (:mod:`.page`). Known gaps: no HSTS preload list (never
``hsts-preloaded`` +5 nor ``redirection-all-redirects-preloaded``), cookies only from the entry
page, the second-level domain for SRI is approximated by the last two host labels (no
public-suffix list).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from gonogo.model import Comparison, Finding, info
from gonogo.rules import observatory
from gonogo.rules.page import on_document
from gonogo.schema.security import GRADES

if TYPE_CHECKING:
    from gonogo.facts.cors import CorsFacts
    from gonogo.facts.http import HttpFacts, RedirectChain
    from gonogo.facts.tls import CertificateFacts
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
    # cross-origin-embedder-policy, cross-origin-opener-policy (algorithm version 6)
    "coep-implemented-with-require-corp": 10, "coep-implemented-with-credentialless": 10,
    "coep-implemented-with-unsafe-none": 0, "coep-not-implemented": 0,
    "coep-header-invalid": -5,
    "coop-implemented-with-same-origin": 10,
    "coop-implemented-with-same-origin-allow-popups": 10,
    "coop-implemented-with-noopener-allow-popups": 10,
    "coop-implemented-with-unsafe-none": 0, "coop-not-implemented": 0,
    "coop-header-invalid": -5,
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
    codes = observatory.results(page, chain, cors, certificate_valid(certificate))
    results = tuple((test, code, MODIFIERS[code]) for test, code in codes.items())
    uncurved = 100 + sum(m for _, _, m in results if m < 0)
    total = 100 + sum(m for _, _, m in results) if uncurved >= EXTRA_CREDIT_FROM else uncurved
    return Grade(max(total, 0), band(total), results)


@on_document
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
        # recorded, not judged: "passed" beside "grade F" must not read as an approval
        recorded = info("grade", f"{message} (no minimum set: [headers] min_grade)", result.grade)
        return [*findings, replace(recorded, headline=True)]
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
