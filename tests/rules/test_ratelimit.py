"""Table tests of the login rate-limit rule: a burst's status timeline in, verdict out."""


from __future__ import annotations

from typing import Any

import pytest
from factories import failing, not_verified, verdict

from gonogo.facts.ratelimit import Attempt, RateLimitFacts
from gonogo.model import ErrorReason
from gonogo.rules import ratelimit
from gonogo.schema.security import RateLimitConfig

URL = "https://app.example.com/login"


def burst(
    *statuses: int, planned: int = 7, retry_after: str | None = "900", recheck: int | None = None
) -> RateLimitFacts:
    """Attempts 1..n with these statuses, 50 ms apart (429s carry ``retry_after``, 900 s unless
    told); ``recheck``: the status of one more attempt sent 3 s after the refusal."""
    attempts = [
        Attempt(n, s, f"2026-06-01T12:00:00.{n * 50:03d}+00:00", round((n - 1) * 0.05, 3),
                retry_after if s == 429 else None,
                float(retry_after) if s == 429 and retry_after and retry_after.isdigit() else None)
        for n, s in enumerate(statuses, 1)
    ]
    if recheck is not None:
        n = len(attempts) + 1
        attempts.append(Attempt(n, recheck, "2026-06-01T12:00:03.500+00:00", 3.5, recheck=True))
    return RateLimitFacts(url=URL, attempts=tuple(attempts), planned=planned, pause_s=3.0 if recheck else 0.0)


CASES = [
    pytest.param(burst(401, 401, 401, 401, 401, 429), {}, True, id="refused-at-sixth"),
    pytest.param(burst(401, 401, 429), {}, True, id="refused-early"),
    pytest.param(burst(401, 401, 401, 401, 401, 401, 429), {}, False, id="refused-at-seventh"),
    pytest.param(burst(*[401] * 7), {}, False, id="never-refused"),
    pytest.param(burst(401, 401, 401, 401, 401, 503, recheck=503), {}, True, id="nginx-limit-req-503-still-refused"),
    pytest.param(burst(401, 401, 401, 401, 401, 423, recheck=423), {}, True, id="account-locked-423-still-locked"),
    # --- the refusal must last: Retry-After against window / max_attempts, else a recheck ---
    pytest.param(burst(401, 401, 401, 401, 401, 429, retry_after="1"), {}, False, id="retry-after-1s-per-second-limit"),
    pytest.param(burst(401, 401, 401, 401, 401, 429, retry_after="60"), {}, False, id="retry-after-60s-per-minute"),
    pytest.param(burst(401, 401, 401, 401, 401, 429, retry_after="179"), {}, False, id="retry-after-just-short"),
    pytest.param(burst(401, 401, 401, 401, 401, 429, retry_after="180"), {}, True, id="retry-after-token-bucket-180s"),
    pytest.param(burst(401, 401, 401, 401, 401, 429, retry_after="60"), {"window": "5 minutes"}, True,
                 id="retry-after-60s-five-per-five-minutes"),
    pytest.param(burst(401, 401, 401, 401, 401, 429, retry_after="900"), {"window": "1 hour"}, True,
                 id="retry-after-900s-hourly-window"),
    pytest.param(burst(401, 401, 401, 401, 401, 429, retry_after=None, recheck=401), {}, False,
                 id="nginx-1r-s-burst-4-processed-3s-later"),
    pytest.param(burst(401, 401, 401, 401, 401, 503, recheck=401), {}, False, id="limit-req-503-processed-3s-later"),
    pytest.param(burst(401, 401, 401, 401, 401, 429, retry_after=None, recheck=429), {}, True,
                 id="no-retry-after-still-refused-3s-later"),
    pytest.param(burst(401, 401, 401, 401, 401, 429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT", recheck=429), {},
                 True, id="unreadable-retry-after-rechecked"),
    pytest.param(burst(401, 401, 401, 401, 401, 503), {"refusal_statuses": [429]}, False, id="503-not-counted"),
    pytest.param(burst(401, 401, 401, 429, retry_after="300"), {"max_attempts": 3}, True, id="stricter-limit-met"),
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
    pytest.param(burst(429, retry_after=None), {}, "without Retry-After", id="first-429-without-retry-after"),
    pytest.param(burst(423), {}, "without Retry-After", id="first-423-account-locked"),
    pytest.param(burst(500, 500, 500, 500, 500, 429), {}, "no attempt was processed", id="server-errors-then-refused"),
    pytest.param(burst(502, 503), {}, "no attempt was processed", id="bad-gateway-then-503"),
    pytest.param(burst(404, 429), {}, "no attempt was processed", id="not-found-then-refused"),
]
# a refusal whose duration could not be read: no Retry-After and the recheck proves nothing
WINDOW_UNVERIFIED = [
    pytest.param(burst(401, 401, 429, retry_after=None), id="no-retry-after-no-recheck"),
    pytest.param(burst(401, 401, 429, retry_after=None, recheck=500), id="recheck-server-error"),
    pytest.param(burst(401, 401, 429, retry_after=None, recheck=404), id="recheck-not-found"),
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
    assert "7 attempts" in message and "statuses 401)" in message


@pytest.mark.parametrize("facts", WINDOW_UNVERIFIED)
def test_refusal_of_unknown_duration_is_not_verified(facts: RateLimitFacts) -> None:
    """A refusal without Retry-After whose recheck proves neither way leaves the window not
    verified (an error), never a pass."""
    found = not_verified(ratelimit.evaluate_login_rate_limit(facts, RateLimitConfig()))
    assert found.name == "window" and found.unverified is ErrorReason.CONNECTIVITY


def test_short_retry_after_names_the_plan() -> None:
    """A Retry-After far shorter than the window fails with the plan's rate as the threshold."""
    findings = ratelimit.evaluate_login_rate_limit(burst(*[401] * 5, 429, retry_after="1"), RateLimitConfig())
    window = next(f for f in findings if f.name == "window")
    assert not window.ok and (window.measured, window.threshold, window.unit) == (1.0, 180.0, "s")
    assert "5 per 15 minutes" in window.message


def test_recheck_is_evidence() -> None:
    """The recheck attempt is in the timeline with the pause before it, and its result is named."""
    facts = burst(*[401] * 5, 429, retry_after=None, recheck=401)
    findings = ratelimit.evaluate_login_rate_limit(facts, RateLimitConfig())
    timeline = next(f for f in findings if f.name == "timeline").measured
    assert timeline[-1] == {"attempt": 7, "status": 401, "at": "2026-06-01T12:00:03.500+00:00", "offset_s": 3.5,
                            "recheck_after_pause_s": 3.0}
    window = next(f for f in findings if f.name == "window")
    assert not window.ok and "3 s after the refusal" in window.message and "processed (401)" in window.message


def test_window_must_be_a_duration() -> None:
    """[ratelimit] window is parsed at the boundary: a typo is a configuration error."""
    from pydantic import ValidationError

    assert RateLimitConfig(window="1 hour").window_s == 3600
    with pytest.raises(ValidationError, match="not a duration"):
        RateLimitConfig(window="fifteen minutes")
