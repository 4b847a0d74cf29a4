"""Smoke probes of the application's API: readiness, declared endpoints, log-in and log-out.

I/O only (over :mod:`gonogo.probes.http`: bounded, TLS-verified, never following redirects).
A transient error (refused, timed out, 502/503/504) is retried ``[smoke] retries`` times after
``retry_delay_s``; every attempt is returned, so that a rule can tell a pass on a retry (flaky)
from a clean pass. Credentials travel only in headers the redactor observes: the log-in's
cookies are held in :class:`Session` (values never in facts) and sent as a ``Cookie`` header.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from gonogo.errors import ProbeRefused, ProbeTimeout
from gonogo.facts.api import ApiFacts, Attempt, LogoutFacts, ReadinessFacts, SessionFacts
from gonogo.probes import http
from gonogo.schema.smoke import Endpoint, Login, SmokeConfig
from gonogo.schema.web import WebConfig

TRANSIENT_STATUS = frozenset({502, 503, 504})
SHOWN_POLLS = 6  # readiness evidence: the first polls and the last ones


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer (internal to the probes). Attributes: status, headers, data, elapsed_ms."""

    status: int
    headers: httpx.Headers
    data: bytes
    elapsed_ms: float


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in session: the log-in's facts and its cookies (values hidden from repr)."""

    facts: SessionFacts
    cookies: Mapping[str, str] = field(repr=False, default_factory=dict)

    def header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}


def _send(
    web: WebConfig,
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: tuple[str, Any] | None = None,
) -> Answer:
    with http.open_client(web.ca_bundle, web.timeout_s) as client:
        response, data, elapsed = http.exchange(
            client, url, web.timeout_s, method=method, headers=headers, body=body
        )
    return Answer(response.status_code, response.headers, data, round(elapsed, 1))


def _retrying(smoke: SmokeConfig, call: Callable[[], Answer]) -> tuple[Answer, tuple[Attempt, ...]]:
    """``call`` until it gives an answer that is not transient, at most ``1 + retries`` times."""
    attempts: list[Attempt] = []
    for number in range(1, smoke.retries + 2):
        started = time.perf_counter()
        try:
            answer = call()
        except (ProbeRefused, ProbeTimeout) as err:
            spent = round((time.perf_counter() - started) * 1000, 1)
            attempts.append(Attempt(number, None, spent, str(err).splitlines()[0]))
            if number > smoke.retries:
                shown = "; ".join(a.shown() for a in attempts)
                raise type(err)(f"{err} (after {number} attempts: {shown})") from err
        else:
            attempts.append(Attempt(number, answer.status, answer.elapsed_ms))
            if answer.status not in TRANSIENT_STATUS or number > smoke.retries:
                return answer, tuple(attempts)
        time.sleep(smoke.retry_delay_s)
    raise AssertionError("unreachable")  # pragma: no cover


def wait_ready(web: WebConfig, smoke: SmokeConfig) -> ReadinessFacts:
    """Poll ``[web] health_path`` until it answers 200 or ``ready_timeout_s`` has passed.

    Refusals and timeouts are polled through (a service that is starting refuses); a TLS or
    protocol error is not transient and ends the wait at once (``ProbeError``).
    """
    url = web.url(str(web.health_path))
    started = time.monotonic()
    deadline = started + smoke.ready_timeout_s
    polls: list[Attempt] = []
    ready = False
    while True:
        number = len(polls) + 1
        begun = time.perf_counter()
        try:
            answer = _send(web, url, headers={"Accept": "application/json"})
        except (ProbeRefused, ProbeTimeout) as err:
            spent = round((time.perf_counter() - begun) * 1000, 1)
            polls.append(Attempt(number, None, spent, str(err).splitlines()[0]))
        else:
            polls.append(Attempt(number, answer.status, answer.elapsed_ms))
            ready = answer.status == 200
        left = deadline - time.monotonic()
        if ready or left <= 0:
            break
        time.sleep(min(smoke.ready_interval_s, left))
    shown = polls if len(polls) <= SHOWN_POLLS else polls[:2] + polls[-(SHOWN_POLLS - 2) :]
    return ReadinessFacts(
        url=url,
        ready=ready,
        waited_s=round(time.monotonic() - started, 2),
        deadline_s=smoke.ready_timeout_s,
        attempts=len(polls),
        shown=tuple(shown),
    )


def _decoded(answer: Answer) -> tuple[Any, str]:
    text = answer.data.decode("utf-8", errors="replace")
    try:
        return json.loads(text), text[:300]
    except json.JSONDecodeError:
        return None, text[:300]


def call(
    web: WebConfig, smoke: SmokeConfig, endpoint: Endpoint, session: Session | None = None
) -> ApiFacts:
    """Call a declared endpoint (with the session's cookies when given), retrying transients."""
    url = web.url(endpoint.path)
    headers = {"Accept": "application/json", **endpoint.headers}
    if session is not None:
        headers.update(session.header())
    body = None if endpoint.body is None else ("json", endpoint.body)

    def once() -> Answer:
        return _send(web, url, method=endpoint.method, headers=headers, body=body)

    answer, attempts = _retrying(smoke, once)
    parsed, text = _decoded(answer)
    return ApiFacts(
        name=endpoint.name,
        method=endpoint.method,
        url=url,
        status=answer.status,
        elapsed_ms=answer.elapsed_ms,
        content_type=answer.headers.get("content-type", "").split(";")[0].strip(),
        body=parsed,
        text=text,
        attempts=attempts,
    )


def _cookies(headers: httpx.Headers) -> dict[str, str]:
    found = {}
    for line in headers.get_list("set-cookie"):
        pair = line.split(";", 1)[0]
        name, sep, value = pair.partition("=")
        if sep and name.strip():
            found[name.strip()] = value.strip()
    return found


def log_in(web: WebConfig, smoke: SmokeConfig, login: Login) -> Session:
    """Log in with the synthetic account; the session's cookies come back in :class:`Session`."""
    url = web.url(login.path)
    body = (login.format, dict(login.fields))

    def once() -> Answer:
        return _send(
            web, url, method=login.method, headers={"Accept": "application/json"}, body=body
        )

    answer, attempts = _retrying(smoke, once)
    cookies = _cookies(answer.headers) if answer.status == login.status else {}
    facts = SessionFacts(
        url=url,
        status=answer.status,
        elapsed_ms=answer.elapsed_ms,
        cookies=tuple(sorted(cookies)),
        attempts=attempts,
    )
    return Session(facts, cookies)


def log_out(web: WebConfig, smoke: SmokeConfig, login: Login) -> LogoutFacts:
    """A fresh log-in, the session checked, logged out, and checked again (own session: the
    shared one of the ``auth`` endpoints stays logged in)."""
    session = log_in(web, smoke, login)
    if not session.cookies:
        return LogoutFacts(session.facts, None, None, 0, None)
    check = web.url(login.check_path) if login.check_path else None
    headers = {"Accept": "application/json", **session.header()}
    before = _send(web, check, headers=headers).status if check else None
    out = _send(
        web, web.url(login.logout_path or login.path), method=login.logout_method, headers=headers
    )
    after = _send(web, check, headers=headers).status if check else None
    return LogoutFacts(session.facts, check, before, out.status, after)


__all__ = ["Answer", "Session", "call", "log_in", "log_out", "wait_ready"]
