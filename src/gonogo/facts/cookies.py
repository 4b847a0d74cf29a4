"""The cookies the site set, with their flags (:mod:`gonogo.probes.cookies` → :mod:`gonogo.rules.cookies`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CookieObservation:
    """One ``Set-Cookie``: the step that caused it (``GET /``, ``POST /login``), the response URL,
    status and ``Date`` (to tell a deletion from a cookie), and the raw header value."""

    step: str
    url: str
    status: int
    set_cookie: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class CookieFacts:
    """Every Set-Cookie seen while visiting pages and logging in; ``steps`` with their statuses;
    ``login_status``: what the login answered (None without a login step)."""

    observations: tuple[CookieObservation, ...]
    steps: tuple[str, ...]
    login_status: int | None = None
