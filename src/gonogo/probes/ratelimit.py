"""Rate-limit probe (intrusive): failed logins one after the other until the first refusal.

I/O only; requests go through ``probes/http.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime
from pathlib import Path

from gonogo.facts.ratelimit import Attempt, RateLimitFacts
from gonogo.probes import http


def probe_rate_limit(
    url: str,
    *,
    attempts: int,
    refusal_statuses: Sequence[int],
    ca_bundle: Path | None,
    timeout: float,
    method: str = "POST",
    body_format: str = "form",
    fields: Mapping[str, str] | None = None,
    recheck_after_s: float = 3.0,
) -> RateLimitFacts:
    """Send up to ``attempts`` failed logins, one after the other; stop at the first refusal.

    A refusal (after a processed attempt) without a usable ``Retry-After`` says nothing of how
    long it lasts: one more attempt follows ``recheck_after_s`` later. A fresh client per
    attempt, so that no session cookie makes the limiter treat us kindly.
    """
    done: list[Attempt] = []
    start = time.monotonic()

    def send(number: int, recheck: bool = False) -> Attempt:
        # when the attempt was sent: the limiter's window is counted from the requests
        at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        offset = round(time.monotonic() - start, 3)
        with http.open_client(ca_bundle, timeout) as client:
            body = (body_format, dict(fields or {}))
            facts = http.request(client, url, timeout, method=method, body=body)
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
        pause = recheck_after_s
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
