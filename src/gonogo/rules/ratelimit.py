"""Login rate limiting, judged from a burst of failed logins.

Check ids: ``ratelimit.login``.

Plans: "Login: 5 requests per 15 minutes". With ``max_attempts = 5`` the limiter may let five
attempts through but must refuse the sixth at the latest; the probe sends a few more than that
(``extra_attempts``) and stops at the first refusal. A refusal is a status in
``refusal_statuses`` (429; 503 is nginx ``limit_req``'s default; 423 is an account lock).
The evidence is the timeline: attempt number, status, UTC time and offset from the first.

A refusal counts only after at least one attempt was processed as a login (401, 403, 200,
302...): an endpoint that answers 503 from the start is broken, not rate limited, and the check
is then not verified (an error). The exception is a refusal of the very first attempt that
carries ``Retry-After``: a limiter already engaged by earlier attempts within its window.

Refusing by the sixth attempt is not enough: the refusal must last. "5 per 15 minutes" allows
one attempt every ``window / max_attempts`` (180 s) on average, so a ``Retry-After`` shorter
than that announces a faster limit (nginx ``limit_req`` at 1r/s lets ~3,600 an hour through)
and fails. Without a usable ``Retry-After``, the probe sends one more attempt a few seconds
after the refusal (``[ratelimit] recheck_after_s``): processed, the limit lasts seconds and
fails; refused again, it passes (the window is not measured beyond that pause; the evidence
says so).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gonogo.model import Comparison, ErrorReason, Finding, compare, info

if TYPE_CHECKING:
    from gonogo.facts.ratelimit import RateLimitFacts
    from gonogo.schema.security import RateLimitConfig


def first_refusal(facts: RateLimitFacts, refusal_statuses: list[int]) -> int | None:
    """The attempt number of the first refused attempt, None when none was refused."""
    return next(
        (a.number for a in facts.attempts if a.status in refusal_statuses and not a.recheck), None
    )


def _listed(statuses: Iterable[int]) -> str:
    """Statuses as words for the message (``401, 503``), not a Python list."""
    return ", ".join(str(s) for s in sorted(statuses))


def processed(status: int, refusal_statuses: list[int]) -> bool:
    """The login answered as a login does (200, 302, 400, 401, 403...), not refused or broken."""
    return status not in refusal_statuses and status < 500 and status not in (404, 405)


def _unproven_refusal(facts: RateLimitFacts, refused: int, statuses: list[int]) -> Finding | None:
    """A refusal proves a limiter only after the endpoint was seen working (fail closed).

    A first answer of 503 is as likely a broken endpoint as a limiter; only a ``Retry-After``
    on it shows a limiter that earlier traffic already engaged.
    """
    if any(processed(a.status, statuses) for a in facts.attempts[: refused - 1]):
        return None
    first = facts.attempts[refused - 1]
    seen = " ".join(str(a.status) for a in facts.attempts)
    if refused == 1 and first.retry_after:
        return None
    if refused == 1:
        why = (
            f"the first attempt was already refused ({first.status}) without Retry-After: "
            "the endpoint may be down, or a limiter engaged by earlier traffic"
        )
    else:
        why = f"no attempt was processed as a login before the refusal (statuses {seen})"
    # a server error first says "broken endpoint"; a 4xx refusal says "limiter or account state"
    reason = ErrorReason.CONNECTIVITY if facts.attempts[0].status >= 500 else ErrorReason.CONFIG
    return Finding(
        "verified",
        False,
        f"{facts.url}: rate limit not verified: {why}; check that the login works "
        "([ratelimit] login_path, login_fields) and rerun after the limiter's window",
        measured=seen,
        unverified=reason,
    )


def evaluate_login_rate_limit(facts: RateLimitFacts, thresholds: RateLimitConfig) -> list[Finding]:
    timeline = [
        {"attempt": a.number, "status": a.status, "at": a.at, "offset_s": a.offset_s}
        | ({"retry_after": a.retry_after} if a.retry_after else {})
        | ({"recheck_after_pause_s": facts.pause_s} if a.recheck else {})
        for a in facts.attempts
    ]
    last = facts.attempts[-1] if facts.attempts else None
    findings = [
        info(
            "timeline",
            f"{len(facts.attempts)} attempts to {facts.url} in "
            f"{last.offset_s if last else 0:g} s: "
            + " ".join(str(a.status) for a in facts.attempts),
            measured=timeline,
        )
    ]
    statuses = {a.status for a in facts.attempts}
    if statuses and statuses <= {404, 405}:
        return [
            *findings,
            Finding(
                "endpoint",
                False,
                f"{facts.url} answers {_listed(statuses)}: not a login "
                "endpoint; check [ratelimit] login_path and login_method",
                measured=sorted(statuses),
            ),
        ]
    refused = first_refusal(facts, thresholds.refusal_statuses)
    unproven = _unproven_refusal(facts, refused, thresholds.refusal_statuses) if refused else None
    if unproven is not None:
        return [*findings, unproven]
    allowed = thresholds.max_attempts + 1
    finding = compare(
        "first_refused_attempt",
        refused,
        Comparison.LE,
        allowed,
        what=f"first refused attempt ({thresholds.max_attempts} per {thresholds.window} allowed)",
    )
    if refused is None:
        finding = Finding(
            finding.name,
            False,
            f"no login attempt refused in {len(facts.attempts)} attempts "
            f"(refusal expected by attempt {allowed}; "
            f"statuses {_listed(statuses)})",
            measured=None,
            threshold=allowed,
            comparison=Comparison.LE,
        )
    findings.append(finding)
    if refused is not None:
        when = facts.attempts[refused - 1]
        retry = f", Retry-After: {when.retry_after}" if when.retry_after else ""
        findings.append(
            info(
                "refused_at",
                f"refused from attempt {refused} ({when.status}) at {when.at}, "
                f"{when.offset_s:g} s after the first{retry}"
                + (" (a limiter already engaged by earlier attempts)" if refused == 1 else ""),
                measured=when.at,
            )
        )
        findings.append(_window(facts, refused, thresholds))
    errors = sorted(
        {
            a.status
            for a in facts.attempts
            if a.status >= 500 and a.status not in thresholds.refusal_statuses
        }
    )
    if errors:
        findings.append(
            info(
                "server_errors",
                f"server errors during the burst: {_listed(errors)}",
                measured=errors,
            )
        )
    return findings


def _window(facts: RateLimitFacts, refused: int, thresholds: RateLimitConfig) -> Finding:
    """Does the refusal last as long as the plan's rate asks, or only seconds?"""
    when = facts.attempts[refused - 1]
    spacing = thresholds.window_s / thresholds.max_attempts
    plan = f"{thresholds.max_attempts} per {thresholds.window}"
    if refused == 1:  # engaged by earlier traffic: Retry-After is what is left, not the window
        return info(
            "window",
            f"window not measured: the limiter was already engaged ({when.retry_after} s left)",
            measured=when.retry_after_s,
        )
    if when.retry_after_s is not None:
        return Finding(
            "window",
            when.retry_after_s >= spacing,
            f"refusal announces Retry-After: {when.retry_after} ({when.retry_after_s:g} s; "
            f">= {spacing:g} s required: {plan} allows one attempt every {spacing:g} s)",
            measured=when.retry_after_s,
            threshold=spacing,
            unit="s",
            comparison=Comparison.GE,
        )
    recheck = next((a for a in facts.attempts if a.recheck), None)
    if recheck is None or not (
        processed(recheck.status, thresholds.refusal_statuses)
        or recheck.status in thresholds.refusal_statuses
    ):
        seen = recheck.status if recheck else None
        return Finding(
            "window",
            False,
            f"window not verified: the refusal carries no Retry-After and the attempt sent "
            f"{facts.pause_s:g} s later "
            + (f"answered {seen}" if seen is not None else "was never sent"),
            measured=seen,
            unverified=ErrorReason.CONNECTIVITY,
        )
    lasted = recheck.status in thresholds.refusal_statuses
    return Finding(
        "window",
        lasted,
        f"no Retry-After; attempt {recheck.number}, sent {facts.pause_s:g} s after the refusal, "
        + (
            f"was refused again ({recheck.status}; the window is not measured beyond that pause)"
            if lasted
            else f"was processed ({recheck.status}): the limit lasts seconds, not {plan}"
        ),
        measured=recheck.status,
        threshold=f"refused {facts.pause_s:g} s later",
    )
