"""Words a release manager reads: rule messages say "absent", "yes", "one of a, b", never
Python's None, True, False or a list's repr, and a recorded grade never reads as approved."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from factories import chain, good_page, page

from gonogo.facts.ratelimit import Attempt, RateLimitFacts
from gonogo.facts.smoke import EndpointFacts
from gonogo.model import Comparison, Finding, compare
from gonogo.rules import grade, headers, hsts, ratelimit, smoke
from gonogo.rules import tls as tls_rules
from gonogo.schema.security import HeadersConfig, RateLimitConfig
from gonogo.schema.tls import TlsConfig

# what Python prints for its own values: None, True, False, [], ['a'], [401], {}, {'a': 1}
PYTHON = re.compile(r"\b(None|True|False)\b|\[\]|\['|\[\d|\{\}|\{'")
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
NO_REDIRECT = chain("200 http://app.example.com/")  # with no headers either: grade F


def _health(body: object) -> EndpointFacts:
    return EndpointFacts("https://app.example.com/health", 200, 12.0, body, str(body))


def _never_refused() -> RateLimitFacts:
    attempts = tuple(Attempt(n, 401, f"2026-06-01T12:00:0{n}+00:00", n - 1.0) for n in range(1, 8))
    return RateLimitFacts(
        url="https://app.example.com/login", attempts=attempts, planned=7, pause_s=0.0
    )


def _chain_without_error() -> list[Finding]:
    from rules.test_tls import cert_facts  # the TLS table's builders

    return tls_rules.evaluate_certificate(cert_facts(chain_valid=False), TlsConfig(), NOW)


Case = tuple[str, Callable[[], list[Finding]], str]
CASES: list[Case] = [
    (
        "nosniff-absent",
        lambda: headers.evaluate_content_type_options(page(), HeadersConfig()),
        "X-Content-Type-Options = absent (required == nosniff)",
    ),
    (
        "coop-absent-one-of",
        lambda: headers.evaluate_cross_origin(page(), HeadersConfig(require_coop=True)),
        "Cross-Origin-Opener-Policy = absent (required one of same-origin, "
        "same-origin-allow-popups, noopener-allow-popups)",
    ),
    (
        "hsts-include-subdomains-no",
        lambda: hsts.evaluate_hsts(
            page("Strict-Transport-Security: max-age=31536000"), HeadersConfig()
        ),
        "HSTS without includeSubDomains: subdomains stay reachable over plain HTTP",
    ),
    (
        "grade-without-minimum",
        lambda: grade.evaluate_grade(page(), NO_REDIRECT, None, HeadersConfig()),
        "grade F (no minimum set: [headers] min_grade)",
    ),
    (
        "health-without-status",
        lambda: smoke.evaluate_health(_health({"checks": {"db": True}}), 1500),
        "health body has no status field",
    ),
    (
        "health-dependency-true",
        lambda: smoke.evaluate_health(_health({"status": "ok", "checks": {"db": True}}), 1500),
        "dependency db: true",
    ),
    (
        "health-status-null",
        lambda: smoke.evaluate_health(_health({"status": None}), 1500),
        "health reports status null",
    ),
    (
        "version-absent",
        lambda: smoke.evaluate_version(_health({}), "1.4.2"),
        "deployed version = absent (required == 1.4.2)",
    ),
    (
        "ratelimit-statuses",
        lambda: ratelimit.evaluate_login_rate_limit(_never_refused(), RateLimitConfig()),
        "statuses 401)",
    ),
    (
        "chain-without-verify-error",
        _chain_without_error,
        "chain does not verify against system",
    ),
]


@pytest.mark.parametrize(("rule", "expected"), [pytest.param(r, e, id=n) for n, r, e in CASES])
def test_messages_use_words(rule: Callable[[], list[Finding]], expected: str) -> None:
    """The message says what a person reads ("absent", "yes", "one of a, b", "no minimum set")
    and no message of the rule shows a Python literal."""
    messages = [f.message for f in rule()]
    assert any(expected in m for m in messages), messages
    assert not [m for m in messages if PYTHON.search(m)], messages


@pytest.mark.parametrize(
    ("measured", "comparison", "threshold", "unit", "message"),
    [
        pytest.param(None, Comparison.LE, 3600.0, "s", "age = absent (required <= 3,600 s)", id="none-no-unit"),
        pytest.param(True, Comparison.EQ, True, "", "age = yes (required == yes)", id="bool"),
        pytest.param([], Comparison.EQ, ["a"], "", "age = none (required == a)", id="empty-list"),
        pytest.param("x", Comparison.IN, ["a", "b"], "", "age = x (required one of a, b)", id="in"),
        pytest.param("a", Comparison.NOT_IN, ("a",), "", "age = a (required none of a)", id="not-in"),
        pytest.param(5, Comparison.GE, 30, "days", "age = 5 days (required >= 30 days)", id="number"),
    ],
)  # fmt: skip
def test_compare_prints_words(
    measured: object, comparison: Comparison, threshold: object, unit: str, message: str
) -> None:
    """compare() formats absent values, booleans and lists as words; numbers keep their unit."""
    assert compare("age", measured, comparison, threshold, unit=unit).message == message


def test_grade_without_minimum_is_recorded_not_approved() -> None:
    """With no [headers] min_grade the grade is a key figure that passes, and its message says
    that no minimum was set, so "passed" beside "grade F" does not read as approved."""
    [finding] = [
        f
        for f in grade.evaluate_grade(page(), NO_REDIRECT, None, HeadersConfig())
        if f.name == "grade"
    ]
    assert (finding.ok, finding.measured, finding.headline) == (True, "F", True)
    assert finding.message.endswith("grade F (no minimum set: [headers] min_grade)")
    configured = grade.evaluate_grade(good_page(), None, None, HeadersConfig(min_grade="A"))
    assert "no minimum set" not in configured[-1].message
