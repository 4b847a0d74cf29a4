"""Cookie probe: every Set-Cookie seen while visiting pages and logging in once.

I/O only; requests go through ``probes/http.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.facts.cookies import CookieFacts, CookieObservation
from gonogo.probes import http

if TYPE_CHECKING:
    from gonogo.schema.security import CookiesConfig


def collect_cookies(site: http.Site, cfg: CookiesConfig) -> CookieFacts:
    """Visit ``[cookies] pages`` then submit the login form once (``login_path``, if set);
    record every Set-Cookie.

    A refused login (rate limited, locked) is recorded, not raised: the rule says what it means.
    """
    requests: list[tuple[str, str, tuple[str, dict[str, str]] | None]]
    requests = [("GET", path, None) for path in cfg.pages]
    if cfg.login_path:
        login = (cfg.login_format, dict(cfg.login_fields or {}))
        requests.append((cfg.login_method, cfg.login_path, login))
    seen: list[CookieObservation] = []
    steps: list[str] = []
    login_status: int | None = None
    # one client: cookies carry over, as in a browser
    with http.open_client(site.ca_bundle, site.timeout_s) as client:
        for method, path, body in requests:
            facts = http.request(client, site.path(path), site.timeout_s, method=method, body=body)
            step = f"{method} {path}"
            if body is not None:
                login_status = facts.status
            steps.append(f"{step} -> {facts.status}")
            date = facts.header("date")
            seen += [
                CookieObservation(step, facts.url, facts.status, c, date) for c in facts.set_cookies
            ]
    return CookieFacts(observations=tuple(seen), steps=tuple(steps), login_status=login_status)
