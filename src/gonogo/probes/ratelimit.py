"""Rate-limit probe (intrusive): failed logins one after the other until the first refusal.

I/O only; requests go through ``probes/http.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from gonogo.facts.ratelimit import Attempt, RateLimitFacts
from gonogo.probes import http

if TYPE_CHECKING:
    from gonogo.schema.security import RateLimitConfig


def probe_rate_limit(login: http.Site, cfg: RateLimitConfig) -> RateLimitFacts:
    """Send up to ``max_attempts + extra_attempts`` failed logins to ``login.url``, one after
    the other (``[ratelimit]`` method, format and fields); stop at the first refusal.

    A refusal (after a processed attempt) without a usable ``Retry-After`` says nothing of how
    long it lasts: one more attempt follows ``recheck_after_s`` later. A fresh client per
    attempt, so that no session cookie makes the limiter treat us kindly.
    """
    url, timeout, refusal_statuses = login.url, login.timeout_s, cfg.refusal_statuses
    attempts = cfg.max_attempts + cfg.extra_attempts
    done: list[Attempt] = []
    start = time.monotonic()

    def send(number: int, recheck: bool = False) -> Attempt:
        # when the attempt was sent: the limiter's window is counted from the requests
        at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        offset = round(time.monotonic() - start, 3)
        with http.open_client(login.ca_bundle, timeout) as client:
            body = (cfg.login_format, dict(cfg.login_fields or {}))
            facts = http.request(client, url, timeout, method=cfg.login_method, body=body)
        header = facts.header("retry-after")
        seconds = retry_after_seconds(header, facts.header("date"))
        return Attempt(number, facts.status, at, offset, header, seconds, recheck)

    for number in range(1, attempts + 1):
        done.append(send(number))
        if done[-1].status in refusal_statuses:
            break
    pause = 0.0
    last = done[-1]
    if last.status in refusal_statuses and last.retry_after_s is None and last.number > 1:
        pause = cfg.recheck_after_s
        time.sleep(pause)
        done.append(send(last.number + 1, recheck=True))
    return RateLimitFacts(url=url, attempts=tuple(done), planned=attempts, pause_s=pause)


def retry_after_seconds(value: str | None, date: str | None) -> float | None:
    """``Retry-After`` in seconds: delay-seconds, or an HTTP date less the response ``Date``."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]+", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        now = parsedate_to_datetime(date) if date else dt.datetime.now(dt.UTC)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None or now.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
