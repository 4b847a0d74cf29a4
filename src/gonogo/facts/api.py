"""What the smoke probes saw of the application's API (:mod:`gonogo.probes.api` →
:mod:`gonogo.rules.api`): readiness polls, declared endpoints, the log-in and log-out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of a request.

    Attributes:
        number: 1 for the first try. status: the HTTP status, None when none came.
        elapsed_ms: time to the full answer (or the error). error: the error, None when answered.
    """

    number: int
    status: int | None
    elapsed_ms: float
    error: str | None = None

    def shown(self) -> str:
        """``#2: 503 in 12 ms`` or ``#1: cannot connect ...``."""
        if self.error is not None:
            return f"#{self.number}: {self.error}"
        return f"#{self.number}: {self.status} in {self.elapsed_ms:.0f} ms"

    def to_builtin(self) -> dict[str, Any]:
        return {
            "attempt": self.number,
            "status": self.status,
            "elapsed_ms": self.elapsed_ms,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class ReadinessFacts:
    """The health endpoint polled until it answered 200 or the deadline passed.

    Attributes:
        url: the health endpoint. ready: whether it answered 200 before the deadline.
        waited_s: time from the first poll to the last answer. deadline_s: the limit.
        attempts: how many polls were made. shown: the first and last polls (bounded evidence).
    """

    url: str
    ready: bool
    waited_s: float
    deadline_s: float
    attempts: int
    shown: tuple[Attempt, ...]

    @property
    def last(self) -> Attempt | None:
        return self.shown[-1] if self.shown else None


@dataclass(frozen=True, slots=True)
class ApiFacts:
    """A declared endpoint's answer (the last attempt) and every attempt made.

    Attributes:
        name: the endpoint's name. method, url: what was requested. status: HTTP status.
        elapsed_ms: time to the full answer of the last attempt. content_type: its media type.
        body: parsed JSON (None when not JSON). text: the first 300 characters.
        attempts: every try; more than one when a transient error was retried.
    """

    name: str
    method: str
    url: str
    status: int
    elapsed_ms: float
    content_type: str
    body: Any
    text: str
    attempts: tuple[Attempt, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """A log-in: its answer and the names of the credentials it issued (never their values).

    Attributes:
        url: the log-in endpoint. status: HTTP status. elapsed_ms: its time.
        cookies: names of the cookies set. attempts: every try.
    """

    url: str
    status: int
    elapsed_ms: float
    cookies: tuple[str, ...]
    attempts: tuple[Attempt, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class LogoutFacts:
    """A log-in, a call that needs the session, the log-out and the same call again.

    Attributes:
        login: the log-in. check_url: the endpoint that needs the session (None: not declared).
        before: its status with the session. logout_status: the log-out's status.
        after: its status with the same credentials after the log-out.
    """

    login: SessionFacts
    check_url: str | None
    before: int | None
    logout_status: int
    after: int | None
