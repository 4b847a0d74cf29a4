"""Cookie flags of every cookie the entry pages and the login flow set.

Check ids: ``cookies.flags``.

Per cookie: ``Secure`` (and set over HTTPS), ``HttpOnly`` for session/auth cookies, an
explicit valid ``SameSite``, ``SameSite=None`` only with ``Secure``, and the
``__Secure-``/``__Host-`` prefix rules (RFC 6265bis §4.1.3). A session cookie is every cookie
the login sets (it is what the login hands out), unless ``[cookies] non_session_cookies`` names
it (a CSRF token scripts must read), and any cookie whose name matches
``[cookies] session_cookie_names`` (globs).

Each cookie is one finding whose severity is that of its worst problem:

- blocker: a session cookie without ``Secure`` (or set over plain HTTP) or without
  ``HttpOnly``: it is stolen on the wire or by one injected script;
- the check's severity (major): what browsers reject or ignore: ``SameSite=None`` without
  ``Secure``, an unknown ``SameSite`` value, a broken ``__Host-``/``__Secure-`` prefix;
- minor (a warning, as MDN recommends and the Observatory deducts little or nothing): another
  cookie without ``Secure`` (``[cookies] require_secure`` makes it major), no ``SameSite``
  (``require_samesite``), and a cookie only *named* like a token (``token_cookie_names``:
  ``jwt``, ``*access_token*``...) readable by scripts.

A ``Set-Cookie`` that deletes a cookie (``Max-Age<=0`` or an ``Expires`` before the response's
``Date``) carries no value to protect and is only noted. A login answered with a refusal status
(429, 503, 423: rate limited or locked) set nothing judgeable: not verified.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from gonogo.model import ErrorReason, Finding, Severity, info
from gonogo.schema.security import REFUSAL_STATUSES

if TYPE_CHECKING:
    from gonogo.facts.cookies import CookieFacts, CookieObservation
    from gonogo.schema.security import CookiesConfig

THRESHOLD = "Secure; HttpOnly for session cookies; SameSite=Strict|Lax (None only with Secure)"


@dataclass(frozen=True, slots=True)
class Cookie:
    """A parsed ``Set-Cookie``. ``same_site`` is lower-cased, None when absent."""

    name: str
    value: str
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None
    domain: str | None = None
    path: str | None = None
    max_age: int | None = None
    expires: str | None = None


def parse_set_cookie(raw: str) -> Cookie:
    """RFC 6265 §5.2: the pair up to the first ``;``, then attributes (the last one wins)."""
    pair, *attributes = raw.split(";")
    name, sep, value = pair.partition("=")
    if not sep:  # RFC 6265bis: a pair without "=" is a nameless cookie
        name, value = "", pair
    fields: dict[str, Any] = {}
    for attribute in attributes:
        key, _, val = attribute.partition("=")
        key, val = key.strip().lower(), val.strip()
        if key in ("secure", "httponly"):
            fields[key] = True
        elif key == "samesite":
            fields["same_site"] = val.lower()
        elif key == "domain":
            fields["domain"] = val.lower().lstrip(".") or None
        elif key == "path":
            fields["path"] = val or None
        elif key == "max-age" and re.fullmatch(r"-?\d+", val):
            fields["max_age"] = int(val)
        elif key == "expires":
            fields["expires"] = val
    return Cookie(
        name=name.strip(),
        value=value.strip(),
        secure=fields.pop("secure", False),
        http_only=fields.pop("httponly", False),
        **fields,
    )


def matches(name: str, patterns: list[str]) -> bool:
    """Whether ``name`` matches one of the globs (any case)."""
    lower = name.lower()
    return any(fnmatch.fnmatchcase(lower, p.lower()) for p in patterns)


def is_session(name: str, thresholds: CookiesConfig, *, from_login: bool = False) -> bool:
    """A session/auth cookie: set by the login, or named like one; never a listed non-session."""
    if matches(name, thresholds.non_session_cookies):
        return False
    return from_login or matches(name, thresholds.session_cookie_names)


def is_token_named(name: str, thresholds: CookiesConfig) -> bool:
    """Named like a bearer token (``jwt``, ``*access_token*``...), not a listed non-session."""
    return not matches(name, thresholds.non_session_cookies) and matches(
        name, thresholds.token_cookie_names
    )


def is_deletion(cookie: Cookie, date: str | None) -> bool:
    if cookie.max_age is not None:  # Max-Age wins over Expires
        return cookie.max_age <= 0
    expires, now = _date(cookie.expires), _date(date)
    return expires is not None and now is not None and expires <= now


Problem = tuple[str, Severity | None]  # what is wrong, and its severity (None: the check's)


def problems(
    cookie: Cookie,
    *,
    https: bool,
    session: bool,
    thresholds: CookiesConfig,
    token: bool = False,
) -> list[Problem]:
    """What is wrong with one cookie (empty when nothing is), each with its severity."""
    stolen = Severity.BLOCKER if session else None
    warn = None if thresholds.require_secure else Severity.MINOR
    found: list[Problem] = []
    if not https:
        found.append(("set over plain HTTP", stolen or warn))
    if not cookie.secure:
        found.append(("no Secure", stolen or warn))
    if session and not cookie.http_only:
        found.append(("session cookie without HttpOnly", Severity.BLOCKER))
    elif token and not cookie.http_only:
        found.append(
            (
                "named like a token but readable by scripts (no HttpOnly; name it in "
                "[cookies] session_cookie_names if it authenticates)",
                Severity.MINOR,
            )
        )
    same_site = cookie.same_site
    if same_site is None:
        found.append(("no SameSite", None if thresholds.require_samesite else Severity.MINOR))
    elif same_site not in ("strict", "lax", "none"):
        found.append((f"SameSite={same_site!r} is not Strict, Lax or None (ignored)", None))
    elif same_site == "none" and not cookie.secure:
        found.append(("SameSite=None without Secure (browsers reject the cookie)", None))
    lower = cookie.name.lower()
    if lower.startswith(("__secure-", "__host-")) and not (cookie.secure and https):
        prefix = cookie.name.split("-")[0]
        found.append((f"{prefix}- prefix requires Secure over HTTPS (browsers reject it)", None))
    if lower.startswith("__host-"):
        if cookie.domain:
            found.append(("__Host- prefix forbids Domain (browsers reject it)", None))
        if cookie.path != "/":
            found.append(("__Host- prefix requires Path=/ (browsers reject it)", None))
    return found


def worst(found: list[Problem]) -> Severity | None:
    """The finding's severity: blocker if any problem is, else the check's own (None) if any
    problem has it, else minor (only warnings); None without problems."""
    severities = [sev for _, sev in found]
    if Severity.BLOCKER in severities:
        return Severity.BLOCKER
    if not found or None in severities:
        return None
    return Severity.MINOR


def evaluate_cookies(
    facts: CookieFacts,
    thresholds: CookiesConfig,
    refusal_statuses: Sequence[int] = REFUSAL_STATUSES,
) -> list[Finding]:
    """One finding per cookie set; a failure when the configured login set none; not verified
    when the login was refused (``refusal_statuses``, as ``[ratelimit]`` counts them)."""
    login = f"{thresholds.login_method} {thresholds.login_path}"
    findings = [info("steps", "visited: " + "; ".join(facts.steps), measured=list(facts.steps))]
    findings += [_judge(seen, thresholds, login) for seen in facts.observations]
    if not facts.observations:
        findings.append(info("cookies", "no cookies set by the visited pages or the login"))
    done = [s for s in facts.steps if thresholds.login_path and s.startswith(f"{login} ->")]
    if done and facts.login_status in refusal_statuses:
        # Not a verdict on cookies: the login was never processed (often the rate-limit
        # probe's own doing: the limiter stays engaged for its window).
        findings.append(
            Finding(
                "login",
                False,
                f"the login ({done[0]}) was refused (rate limited or locked), so the session "
                "cookie was not checked; rerun after the limiter's window, or run cookies.flags "
                "before ratelimit.login",
                measured=facts.login_status,
                threshold=f"a login not answered {', '.join(map(str, refusal_statuses))}",
                unverified=ErrorReason.CONNECTIVITY,
            )
        )
    elif done and not any(o.step == login for o in facts.observations):
        # Fail closed: a refused or mistyped login would otherwise pass without a session cookie.
        findings.append(
            Finding(
                "login",
                False,
                f"the login ({done[0]}) set no cookie, so the session cookie was not "
                "judged; check [cookies] login_fields (or drop login_path if the login sets none)",
                measured=done[0],
                threshold="a cookie set by the login",
            )
        )
    return findings


def _judge(seen: CookieObservation, thresholds: CookiesConfig, login: str) -> Finding:
    cookie = parse_set_cookie(seen.set_cookie)
    label = cookie.name or "(nameless)"
    if is_deletion(cookie, seen.date):
        return info(f"cookie {label}", f"cookie {label!r} cleared by {seen.step}")
    session = is_session(cookie.name, thresholds, from_login=seen.step == login)
    token = not session and is_token_named(cookie.name, thresholds)
    https = seen.url.lower().startswith("https://")
    found = problems(cookie, https=https, session=session, thresholds=thresholds, token=token)
    kind = "session cookie" if session else "cookie"
    flags = [f for f, on in (("Secure", cookie.secure), ("HttpOnly", cookie.http_only)) if on]
    flags += [f"SameSite={cookie.same_site.capitalize()}"] if cookie.same_site else []
    severity = worst(found)
    warning = " (a warning)" if severity is Severity.MINOR else ""
    summary = "; ".join(text for text, _ in found) + warning if found else ", ".join(flags)
    measured = {
        "step": seen.step,
        "secure": cookie.secure,
        "httponly": cookie.http_only,
        "samesite": cookie.same_site,
        "session": session,
        "domain": cookie.domain,
        "path": cookie.path,
    }
    return Finding(
        f"cookie {label}",
        not found,
        f"{kind} {label!r} from {seen.step}: {summary}",
        measured=measured,
        threshold=THRESHOLD,
        severity=severity,
    )


def _date(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:  # cookie dates often use "01-Jan-1970"; RFC 1123 parsing wants spaces
        parsed = parsedate_to_datetime(re.sub(r"(\d{2})-(\w{3})-(\d{2,4})", r"\1 \2 \3", text))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
