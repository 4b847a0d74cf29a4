"""The verdict table: every outcome x severity x waiver combination."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from gonogo.model import Outcome, Severity
from gonogo.report.headline import headline
from gonogo.schema import Waiver
from gonogo.verdict import (
    CheckResult,
    ExitCode,
    NotRun,
    RunState,
    SeverityLowered,
    Verdict,
    apply_waivers,
    decide,
)

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
    """One check's outcome, severity and waiver state decide the verdict as the fail-closed table says
    (beside a passing check, so that the run verified something)."""
    checks = [result(outcome, severity), result(Outcome.PASSED, Severity.INFO, "y.passes")]
    results, expired = apply_waivers(checks, waiver(state), TODAY)
    decision = decide(results, RunState(), expired)
    assert decision.verdict is expected(outcome, severity, state)
    if state == "expired":
        assert any("expired" in r for r in decision.reasons)
    if decision.verdict is not Verdict.GO:
        assert decision.reasons


@pytest.mark.parametrize("state", WAIVER_STATES)
@pytest.mark.parametrize("severity", list(Severity))
@pytest.mark.parametrize("outcome", RUN_OUTCOMES, ids=[o.value for o in RUN_OUTCOMES])
def test_nothing_verified_is_no_go(outcome: Outcome, severity: Severity, state: str) -> None:
    """A run whose only check did not pass (or was waived) verified nothing: NO-GO, saying so."""
    results, expired = apply_waivers([result(outcome, severity)], waiver(state), TODAY)
    decision = decide(results, RunState(), expired)
    verified = outcome is Outcome.PASSED or (outcome.unverified and state == "valid")
    if verified:
        assert decision.verdict is expected(outcome, severity, state)
    else:
        assert decision.verdict is Verdict.NO_GO
        assert any("no check was verified" in r for r in decision.reasons)


def test_all_not_applicable_is_no_go() -> None:
    """An environment that declares no component (every check not applicable) is never GO."""
    results = [result(Outcome.NOT_APPLICABLE, s, f"x.{s.value}") for s in Severity]
    decision = decide(results, RunState())
    assert decision.verdict is Verdict.NO_GO
    assert decision.exit_code is ExitCode.NO_GO
    assert decision.reasons[0].startswith("no check was verified: none of the 4 selected checks")


def test_expired_waiver_of_passing_check_is_called_out() -> None:
    """An expired waiver is named even when its check now passes (stale risk acceptance)."""
    results, expired = apply_waivers(
        [result(Outcome.PASSED, Severity.BLOCKER)], waiver("expired"), TODAY
    )
    decision = decide(results, RunState(), expired)
    assert decision.verdict is Verdict.GO
    assert expired == [
        "waiver for x.check expired on 2026-11-21 (approver Ann, CHG-1): the check passed; remove the waiver"
    ]
    line = headline(decision, "prod", results, "r.html")
    assert line == "GO (prod): 1 passed; 1 expired waiver -> r.html"


def test_go_headline_names_minor_and_info_findings() -> None:
    """A GO headline does not hide failed minor and info checks."""
    results = [
        result(Outcome.PASSED, Severity.BLOCKER, "a.blocker"),
        result(Outcome.FAILED, Severity.MINOR, "headers.referrer-policy"),
        result(Outcome.ERROR, Severity.INFO, "headers.cross-origin"),
    ]
    decision = decide(results, RunState())
    assert decision.verdict is Verdict.GO
    assert headline(decision, "demo", results, "r.html") == (
        "GO (demo): 1 passed; 1 minor finding: headers.referrer-policy; "
        "1 info finding: headers.cross-origin -> r.html"
    )


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
    assert results[0].waiver == w[0]


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


def _not_run(check_id: str, severity: Severity) -> NotRun:
    return NotRun(check_id, "t", severity, "deselected by -k, --deselect, --lf or a conftest hook")


@pytest.mark.parametrize(
    ("severity", "verdict"),
    [
        (Severity.BLOCKER, Verdict.CONDITIONAL),
        (Severity.MAJOR, Verdict.CONDITIONAL),
        (Severity.MINOR, Verdict.GO),
        (Severity.INFO, Verdict.GO),
    ],
)
def test_check_left_out_by_the_selection(severity: Severity, verdict: Verdict) -> None:
    """A blocker or major of the selected stages that did not run keeps the verdict from GO
    (CONDITIONAL: nothing failed, nothing was proved); a minor or info one is only named."""
    state = RunState(not_run=(_not_run("a.left-out", severity),))
    decision = decide([result(Outcome.PASSED, Severity.BLOCKER)], state)
    assert decision.verdict is verdict
    assert decision.exit_code is ExitCode.GO
    assert any(
        r.startswith(f"{severity.value} not run: a.left-out (deselected") for r in decision.reasons
    )


def test_left_out_blocker_does_not_soften_no_go() -> None:
    """A failed blocker stays NO-GO when another is left out; the headline names both."""
    results = [result(Outcome.FAILED, Severity.BLOCKER, "a.failed")]
    state = RunState(not_run=tuple(_not_run(f"b.left-{n}", Severity.BLOCKER) for n in range(7)))
    decision = decide(results, state)
    assert decision.verdict is Verdict.NO_GO
    assert headline(decision, "prod", results, "r.html") == (
        "NO-GO (prod): 1 blocker not passed: a.failed; not run: b.left-0 (blocker), "
        "b.left-1 (blocker), b.left-2 (blocker), b.left-3 (blocker), b.left-4 (blocker) "
        "and 2 more -> r.html"
    )


def test_lowered_severity_is_a_reason_not_a_condition() -> None:
    """A severity the environment lowered is named in the reasons but does not change the verdict."""
    lowered = SeverityLowered("x.check", Severity.BLOCKER, Severity.INFO, "environments/p.toml")
    results = [result(Outcome.FAILED, Severity.INFO), result(Outcome.PASSED, Severity.BLOCKER, "y")]
    decision = decide(results, RunState(lowered=(lowered,)))
    assert decision.verdict is Verdict.GO
    assert "x.check: severity lowered blocker -> info by environments/p.toml" in decision.reasons
