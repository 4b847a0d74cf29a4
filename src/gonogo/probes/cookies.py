"""Cookie probe: every Set-Cookie seen while visiting pages and logging in once.

I/O only; requests go through ``probes/http.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from gonogo.facts.cookies import CookieFacts, CookieObservation
from gonogo.probes import http


def collect_cookies(
    base_url: str,
    pages: Sequence[str],
    *,
    ca_bundle: Path | None,
    timeout: float,
    login_path: str | None = None,
    login_method: str = "POST",
    login_format: str = "form",
    login_fields: Mapping[str, str] | None = None,
) -> CookieFacts:
    """Visit ``pages`` then submit the login form once; record every Set-Cookie.

    A refused login (rate limited, locked) is recorded, not raised: the rule says what it means.
    """
    requests: list[tuple[str, str, tuple[str, dict[str, str]] | None]]
    requests = [("GET", path, None) for path in pages]
    if login_path:
        requests.append((login_method, login_path, (login_format, dict(login_fields or {}))))
    seen: list[CookieObservation] = []
    steps: list[str] = []
    login_status: int | None = None
    # one client: cookies carry over, as in a browser
    with http.open_client(ca_bundle, timeout) as client:
        for method, path, body in requests:
            facts = http.request(
                client, base_url.rstrip("/") + path, timeout, method=method, body=body
            )
            step = f"{method} {path}"
            if body is not None:
                login_status = facts.status
            steps.append(f"{step} -> {facts.status}")
            date = facts.header("date")
            seen += [
                CookieObservation(step, facts.url, facts.status, c, date) for c in facts.set_cookies
            ]
    return CookieFacts(observations=tuple(seen), steps=tuple(steps), login_status=login_status)
