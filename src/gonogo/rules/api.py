"""Smoke rules of the application's API.

Check ids: ``smoke.readiness``, ``smoke.endpoint``, ``smoke.login``, ``smoke.logout``.

A check that passed only after a retry gets a ``flaky`` finding: not ok, severity major (the
release is CONDITIONAL, never silently green), its message naming every attempt.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gonogo.model import Comparison, Finding, Severity, compare, expect, info
from gonogo.rules._excerpt import masked
from gonogo.rules.selector import MISSING, select

if TYPE_CHECKING:
    from gonogo.facts.api import ApiFacts, Attempt, LogoutFacts, ReadinessFacts, SessionFacts
    from gonogo.schema.smoke import Endpoint, Login

REFUSED = frozenset({401, 403})


def flaky(attempts: Sequence[Attempt], what: str) -> list[Finding]:
    """The ``flaky``/``attempts`` finding: an answer that needed a retry is flaky (major)."""
    tried = [a.to_builtin() for a in attempts]
    if len(attempts) <= 1:
        return [info("attempts", f"{what} answered on the first attempt", tried)]
    shown = "; ".join(a.shown() for a in attempts)
    return [
        Finding(
            "flaky",
            False,
            f"flaky: {what} answered only on attempt {len(attempts)}, after transient errors ({shown})",
            measured=tried,
            threshold=1,
            unit="attempts",
            comparison=Comparison.EQ,
            severity=Severity.MAJOR,
        )
    ]


def evaluate_readiness(facts: ReadinessFacts) -> list[Finding]:
    """The health endpoint answered 200 before the deadline; every poll is evidence."""
    last = facts.last
    polls = [a.to_builtin() for a in facts.shown]
    message = (
        f"{facts.url} answered 200 after {facts.waited_s:g} s ({facts.attempts} polls)"
        if facts.ready
        else f"{facts.url} was not ready within {facts.deadline_s:g} s ({facts.attempts} polls; "
        f"last {last.shown() if last else 'none'})"
    )
    return [
        Finding(
            "ready",
            facts.ready,
            message,
            measured=facts.waited_s,
            threshold=facts.deadline_s,
            unit="s",
            comparison=Comparison.LE,
        ),
        info("polls", f"{facts.attempts} polls (first and last shown)", polls),
    ]


def _shown(value: Any) -> str:
    # the value at a selector the environment file pinned: shown (the redactor still masks the
    # run's secrets); free text of a body that is not JSON is masked instead
    return json.dumps(value, ensure_ascii=False)[:120]


def evaluate_endpoint(facts: ApiFacts, endpoint: Endpoint) -> list[Finding]:
    """The expected status, every declared key present, every declared value equal, within the
    latency budget; and not flaky."""
    what = f"{endpoint.name}: {facts.method} {facts.url}"
    findings = [
        compare("status", facts.status, Comparison.EQ, endpoint.status, what=f"{what} status"),
        compare(
            "latency_ms",
            facts.elapsed_ms,
            Comparison.LE,
            endpoint.budget_ms,
            unit="ms",
            what=f"{endpoint.name} latency",
        ),
    ]
    if (endpoint.keys or endpoint.values) and facts.body is None:
        findings.append(
            Finding(
                "json",
                False,
                f"{what} did not answer JSON ({facts.content_type or 'no type'}): "
                f"{masked(facts.text)[:80]!r}",
            )
        )
        return findings + flaky(facts.attempts, endpoint.name)
    for key in endpoint.keys:
        found = select(facts.body, key) is not MISSING
        findings.append(
            expect(
                f"key:{key}",
                found,
                f"{endpoint.name}: {key} {'present' if found else 'missing'}",
                found,
                True,
            )
        )
    for key, wanted in endpoint.values.items():
        got = select(facts.body, key)
        if got is MISSING:
            findings.append(
                expect(f"value:{key}", False, f"{endpoint.name}: {key} missing", None, wanted)
            )
            continue
        ok = got == wanted and type(got) is type(wanted)
        findings.append(
            expect(
                f"value:{key}",
                ok,
                f"{endpoint.name}: {key} = {_shown(got)} (expected {_shown(wanted)})",
                got if ok else _shown(got),
                wanted,
            )
        )
    return findings + flaky(facts.attempts, endpoint.name)


def evaluate_login(facts: SessionFacts, login: Login) -> list[Finding]:
    """The log-in answered its expected status and issued a session cookie; not flaky."""
    findings = [
        compare("status", facts.status, Comparison.EQ, login.status, what=f"log-in {facts.url}"),
        expect(
            "session",
            bool(facts.cookies),
            f"log-in set cookies {', '.join(facts.cookies)}"
            if facts.cookies
            else "log-in set no session cookie",
            list(facts.cookies),
            "a session cookie",
        ),
        info("latency_ms", f"log-in took {facts.elapsed_ms:g} ms", facts.elapsed_ms, "ms"),
    ]
    return findings + flaky(facts.attempts, "log-in")


def evaluate_logout(facts: LogoutFacts, login: Login) -> list[Finding]:
    """After the log-out the session is refused (401/403) where it was accepted before."""
    findings = evaluate_login(facts.login, login)
    if not facts.login.cookies:
        return findings
    findings.append(
        compare("logout_status", facts.logout_status, Comparison.LT, 400, what="log-out status")
    )
    if facts.check_url is None:
        findings.append(info("revoked", "no [smoke.login] check_path: revocation not checked"))
        return findings
    findings.append(
        compare(
            "before", facts.before, Comparison.LT, 400, what=f"{facts.check_url} with the session"
        )
    )
    revoked = facts.after in REFUSED
    findings.append(
        expect(
            "revoked",
            revoked,
            f"{facts.check_url} after the log-out answered {facts.after}"
            + ("" if revoked else ": the session still works"),
            facts.after,
            sorted(REFUSED),
        )
    )
    return findings
