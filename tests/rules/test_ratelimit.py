"""Table tests of the login rate-limit rule: a burst's status timeline in, verdict out."""


from __future__ import annotations

from typing import Any

import pytest
from factories import failing, not_verified, verdict

from gonogo.model import ErrorReason
from gonogo.probes.ratelimit import Attempt, RateLimitFacts
from gonogo.rules import ratelimit
from gonogo.schema.security import RateLimitConfig

URL = "https://app.example.com/login"


def burst(*statuses: int, planned: int = 7, retry_after: bool = True) -> RateLimitFacts:
    """Attempts 1..n with these statuses, 50 ms apart (429s carry Retry-After unless told)."""
    attempts = tuple(
        Attempt(n, s, f"2026-06-01T12:00:00.{n * 50:03d}+00:00", round((n - 1) * 0.05, 3),
                "900" if s == 429 and retry_after else None)
        for n, s in enumerate(statuses, 1)
    )
    return RateLimitFacts(url=URL, attempts=attempts, planned=planned)


CASES = [
    pytest.param(burst(401, 401, 401, 401, 401, 429), {}, True, id="refused-at-sixth"),
    pytest.param(burst(401, 401, 429), {}, True, id="refused-early"),
    pytest.param(burst(401, 401, 401, 401, 401, 401, 429), {}, False, id="refused-at-seventh"),
    pytest.param(burst(*[401] * 7), {}, False, id="never-refused"),
    pytest.param(burst(401, 401, 401, 401, 401, 503), {}, True, id="nginx-limit-req-503"),
    pytest.param(burst(401, 401, 401, 401, 401, 423), {}, True, id="account-locked-423"),
    pytest.param(burst(401, 401, 401, 401, 401, 503), {"refusal_statuses": [429]}, False, id="503-not-counted"),
    pytest.param(burst(401, 401, 401, 429), {"max_attempts": 3}, True, id="stricter-limit-met"),
    pytest.param(burst(401, 401, 401, 401, 429), {"max_attempts": 3}, False, id="stricter-limit-missed"),
    pytest.param(burst(*[404] * 7), {}, False, id="not-a-login-endpoint"),
    pytest.param(burst(401, 302, 401, 200, 403, 429), {}, True, id="mixed-login-answers-then-refused"),
    pytest.param(burst(400, 429), {}, True, id="bad-request-is-processed"),
    pytest.param(burst(429), {}, True, id="first-refused-with-retry-after-limiter-engaged"),
    pytest.param(burst(500, 401, 500, 429), {}, True, id="one-processed-among-errors"),
]
# refusals that prove nothing: the endpoint was never seen working (outcome error, not a pass)
UNVERIFIED = [
    pytest.param(burst(503), {}, "endpoint may be down", id="first-answer-503-broken-endpoint"),
    pytest.param(burst(429, retry_after=False), {}, "without Retry-After", id="first-429-without-retry-after"),
    pytest.param(burst(423), {}, "without Retry-After", id="first-423-account-locked"),
    pytest.param(burst(500, 500, 500, 500, 500, 429), {}, "no attempt was processed", id="server-errors-then-refused"),
    pytest.param(burst(502, 503), {}, "no attempt was processed", id="bad-gateway-then-503"),
    pytest.param(burst(404, 429), {}, "no attempt was processed", id="not-found-then-refused"),
]


@pytest.mark.parametrize(("facts", "config", "ok"), CASES)
def test_rate_limit_table(facts: RateLimitFacts, config: dict[str, Any], ok: bool) -> None:
    """The login passes when refusals start by attempt max_attempts + 1."""
    assert verdict(ratelimit.evaluate_login_rate_limit(facts, RateLimitConfig(**config))) is ok


@pytest.mark.parametrize(("facts", "config", "why"), UNVERIFIED)
def test_refusal_without_a_working_login_is_not_verified(facts: RateLimitFacts, config: dict[str, Any],
                                                         why: str) -> None:
    """A refusal before any attempt was processed as a login is an error (not verified), never a pass."""
    findings = ratelimit.evaluate_login_rate_limit(facts, RateLimitConfig(**config))
    found = not_verified(findings)
    assert why in found.message and any(f.name == "timeline" for f in findings)  # evidence kept
    first = facts.attempts[0].status
    assert found.unverified is (ErrorReason.CONNECTIVITY if first >= 500 else ErrorReason.CONFIG)


def test_timeline_is_evidence() -> None:
    """Every attempt is recorded with its number, status, time and offset; the refusal is dated."""
    findings = ratelimit.evaluate_login_rate_limit(burst(401, 401, 429), RateLimitConfig())
    timeline = next(f for f in findings if f.name == "timeline").measured
    assert [(a["attempt"], a["status"]) for a in timeline] == [(1, 401), (2, 401), (3, 429)]
    refused = next(f for f in findings if f.name == "refused_at")
    assert "attempt 3" in refused.message and "Retry-After: 900" in refused.message


def test_never_refused_says_how_many_were_sent() -> None:
    """A missing limiter fails with the number of attempts sent and the statuses seen."""
    findings = ratelimit.evaluate_login_rate_limit(burst(*[401] * 7), RateLimitConfig())
    assert failing(findings) == {"first_refused_attempt"}
    message = next(f.message for f in findings if not f.ok)
    assert "7 attempts" in message and "[401]" in message
