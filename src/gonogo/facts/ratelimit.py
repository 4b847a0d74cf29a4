"""A burst of failed logins and how the server answered each (:mod:`gonogo.probes.ratelimit` →
:mod:`gonogo.rules.ratelimit`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Attempt:
    """One login attempt.

    Attributes:
        number: 1-based. status: the answer. at: UTC ISO time it was sent. offset_s: since the
            first was sent.
        retry_after: the ``Retry-After`` header, if any; retry_after_s: it in seconds (delay
            seconds, or an HTTP date less the response's ``Date``), None when absent or unreadable.
        recheck: sent after a pause following a refusal without a usable ``Retry-After``.
    """

    number: int
    status: int
    at: str
    offset_s: float
    retry_after: str | None = None
    retry_after_s: float | None = None
    recheck: bool = False


@dataclass(frozen=True, slots=True)
class RateLimitFacts:
    """The attempts sent to ``url`` (``planned`` before the first refusal); ``pause_s``: the
    pause before a recheck attempt (0 when none was sent)."""

    url: str
    attempts: tuple[Attempt, ...]
    planned: int
    pause_s: float = 0.0
