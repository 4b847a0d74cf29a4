"""The ROLL BACK verdict: a failed rollback criterion after a deploy, distinct from NO-GO."""

from __future__ import annotations

import pytest

from gonogo.model import Outcome, Severity
from gonogo.report.headline import headline
from gonogo.verdict import CheckResult, ExitCode, RunState, Verdict, decide

CRITERIA = ("postdeploy", "monitoring", "rollback_criteria")


def result(
    check_id: str, outcome: Outcome, markers: tuple[str, ...] = (), message: str = ""
) -> CheckResult:
    return CheckResult(
        id=check_id,
        title=check_id,
        severity=Severity.BLOCKER,
        outcome=outcome,
        nodeid=check_id,
        markers=markers,
        message=message,
    )


TRIPPED = result(
    "postdeploy.rollback", Outcome.FAILED, CRITERIA, "error_ratio = 0.5 (required <= 0.01)"
)


@pytest.mark.parametrize(
    ("rollback", "other", "verdict", "code"),
    [
        pytest.param(Outcome.FAILED, Outcome.PASSED, Verdict.ROLL_BACK, 5, id="tripped-alone"),
        pytest.param(Outcome.FAILED, Outcome.FAILED, Verdict.ROLL_BACK, 5, id="tripped-and-no-go"),
        pytest.param(Outcome.ERROR, Outcome.PASSED, Verdict.NO_GO, 1, id="unverified-is-no-go"),
        pytest.param(Outcome.SKIPPED, Outcome.PASSED, Verdict.NO_GO, 1, id="skipped-is-no-go"),
        pytest.param(Outcome.WAIVED, Outcome.PASSED, Verdict.CONDITIONAL, 0, id="waived"),
        pytest.param(Outcome.PASSED, Outcome.FAILED, Verdict.NO_GO, 1, id="held-not-rollback"),
        pytest.param(Outcome.PASSED, Outcome.PASSED, Verdict.GO, 0, id="clean"),
    ],
)
def test_rollback_verdict_table(
    rollback: Outcome, other: Outcome, verdict: Verdict, code: int
) -> None:
    """Only a failed rollback criterion says ROLL BACK (exit 5); one not evaluated is NO-GO."""
    results = [
        result("postdeploy.rollback", rollback, CRITERIA),
        result("postdeploy.metrics", other, ("postdeploy",)),
    ]
    decision = decide(results, RunState())
    assert (decision.verdict, int(decision.exit_code)) == (verdict, code)
    assert bool(decision.rollback) is (verdict is Verdict.ROLL_BACK)


def test_a_failed_check_without_the_marker_never_rolls_back() -> None:
    """The marker decides, not the id: a failed postdeploy check is an ordinary NO-GO."""
    decision = decide([result("postdeploy.metrics", Outcome.FAILED)], RunState())
    assert decision.verdict is Verdict.NO_GO and decision.rollback == ()


def test_rollback_names_the_criteria_in_reasons_and_headline() -> None:
    """The verdict line leads with ROLL BACK and the criteria that tripped, with their values."""
    decision = decide([TRIPPED], RunState())
    assert decision.reasons[0].startswith("rollback criteria breached: postdeploy.rollback: ")
    line = headline(decision, "prod", [TRIPPED], "reports/x")
    assert line.startswith("ROLL BACK (prod): rollback criteria breached: postdeploy.rollback")
    assert "error_ratio = 0.5" in line


def test_interrupt_keeps_its_exit_code_over_rollback() -> None:
    """An interrupted run exits 2 even when a criterion tripped before the interrupt."""
    decision = decide([TRIPPED], RunState(interrupted=True))
    assert decision.verdict is Verdict.ROLL_BACK
    assert decision.exit_code is ExitCode.INTERRUPTED
