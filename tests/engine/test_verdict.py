"""The verdict table: every outcome x severity x waiver combination."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from gonogo.model import Outcome, Severity
from gonogo.schema import Waiver
from gonogo.verdict import CheckResult, ExitCode, RunState, Verdict, apply_waivers, decide, headline

TODAY = dt.date(2026, 11, 22)
RUN_OUTCOMES = [o for o in Outcome if o is not Outcome.WAIVED]
WAIVER_STATES = ["none", "valid", "expired"]


def result(outcome: Outcome, severity: Severity, check_id: str = "x.check") -> CheckResult:
    return CheckResult(
        id=check_id, title="t", severity=severity, outcome=outcome, nodeid=f"n::{check_id}"
    )


def waiver(state: str, check_id: str = "x.check") -> list[Waiver]:
    if state == "none":
        return []
    expires = TODAY + dt.timedelta(days=10 if state == "valid" else -1)
    return [
        Waiver(check=check_id, reason="accepted", approver="Ann", ticket="CHG-1", expires=expires)
    ]


def expected(outcome: Outcome, severity: Severity, state: str) -> Verdict:
    unverified = outcome in (Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED, Outcome.REFUSED)
    if not unverified:
        return Verdict.GO
    if state == "valid":
        return Verdict.CONDITIONAL
    if severity is Severity.BLOCKER:
        return Verdict.NO_GO
    if severity is Severity.MAJOR:
        return Verdict.CONDITIONAL
    return Verdict.GO


CASES = list(itertools.product(RUN_OUTCOMES, list(Severity), WAIVER_STATES))


@pytest.mark.parametrize(
    ("outcome", "severity", "state"),
    CASES,
    ids=[f"{o.value}-{s.value}-waiver_{w}" for o, s, w in CASES],
)
def test_single_check_verdict(outcome: Outcome, severity: Severity, state: str) -> None:
    """One check's outcome, severity and waiver state decide the verdict as the fail-closed table says."""
    results, expired = apply_waivers([result(outcome, severity)], waiver(state), TODAY)
    decision = decide(results, RunState(), expired)
    assert decision.verdict is expected(outcome, severity, state)
    if state == "expired" and outcome.unverified:
        assert any("expired" in r for r in decision.reasons)
    if decision.verdict is not Verdict.GO:
        assert decision.reasons


@pytest.mark.parametrize(
    ("state", "verdict", "code"),
    [
        (RunState(interrupted=True), Verdict.NO_GO, ExitCode.INTERRUPTED),
        (RunState(crashed=("t::a",)), Verdict.NO_GO, ExitCode.NO_GO),
        (RunState(collection_errors=("checks/x.py",)), Verdict.NO_GO, ExitCode.NO_GO),
    ],
    ids=["interrupted", "crashed-worker", "collection-error"],
)
def test_run_state_is_never_go(state: RunState, verdict: Verdict, code: ExitCode) -> None:
    """An interrupted run, a crashed worker or a collection error is NO-GO even if every check passed."""
    decision = decide([result(Outcome.PASSED, Severity.BLOCKER)], state)
    assert decision.verdict is verdict
    assert decision.exit_code is code


def test_no_checks_selected_is_no_go() -> None:
    """A run that selected no gate checks cannot be GO."""
    decision = decide([], RunState())
    assert decision.verdict is Verdict.NO_GO
    assert "no gate checks" in decision.reasons[0]


def test_waiver_for_other_check_does_not_apply() -> None:
    """A waiver only covers the check id it names."""
    results, _ = apply_waivers(
        [result(Outcome.FAILED, Severity.BLOCKER)], waiver("valid", "y.other"), TODAY
    )
    assert decide(results, RunState()).verdict is Verdict.NO_GO


def test_waiver_expiring_today_still_applies() -> None:
    """``expires`` is the last day the waiver applies."""
    w = [Waiver(check="x.check", reason="accepted", approver="Ann", ticket="CHG-1", expires=TODAY)]
    results, _ = apply_waivers([result(Outcome.FAILED, Severity.BLOCKER)], w, TODAY)
    assert results[0].outcome is Outcome.WAIVED
    assert results[0].waiver == {
        "check": "x.check",
        "reason": "accepted",
        "approver": "Ann",
        "ticket": "CHG-1",
        "expires": TODAY.isoformat(),
    }


def test_headline_names_blockers() -> None:
    """The last terminal line names the verdict, the environment and the failing blockers."""
    results = [
        result(Outcome.FAILED, Severity.BLOCKER, "tls.cert-expiry"),
        result(Outcome.ERROR, Severity.BLOCKER, "redis.persistence"),
    ]
    decision = decide(results, RunState())
    line = headline(decision, "prod", results, "reports/prod/r/report.html")
    assert (
        line
        == "NO-GO (prod): 2 blockers not passed: tls.cert-expiry, redis.persistence -> reports/prod/r/report.html"
    )
