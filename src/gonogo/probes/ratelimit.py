"""Rate-limit probe (intrusive): failed logins one after the other until the first refusal.

I/O only; requests go through ``probes/http.py``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gonogo.probes import http


@dataclass(frozen=True, slots=True)
class Attempt:
    """One login attempt: number (1-based), status, at (UTC ISO, when sent), offset_s (since the
    first was sent), retry_after (the header, if any)."""

    number: int
    status: int
    at: str
    offset_s: float
    retry_after: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimitFacts:
    url: str
    attempts: tuple[Attempt, ...]
    planned: int


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
) -> RateLimitFacts:
    """Send up to ``attempts`` failed logins, one after the other; stop at the first refusal.

    A fresh client per attempt, so that no session cookie makes the limiter treat us kindly.
    """
    done: list[Attempt] = []
    start = time.monotonic()
    for number in range(1, attempts + 1):
        # when the attempt was sent: the limiter's window is counted from the requests
        at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        offset = round(time.monotonic() - start, 3)
        with http.open_client(ca_bundle, timeout) as client:
            body = (body_format, dict(fields or {}))
            facts = http.request(client, url, timeout, method=method, body=body)
        done.append(Attempt(number, facts.status, at, offset, facts.header("retry-after")))
        if facts.status in refusal_statuses:
            break
    return RateLimitFacts(url=url, attempts=tuple(done), planned=attempts)
