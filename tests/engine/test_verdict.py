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
    """A GO headline does not hide minor and info checks that did not pass, and does not call
    one that could not be checked a "finding"."""
    results = [
        result(Outcome.PASSED, Severity.BLOCKER, "a.blocker"),
        result(Outcome.FAILED, Severity.MINOR, "headers.referrer-policy"),
        result(Outcome.ERROR, Severity.INFO, "headers.cross-origin"),
    ]
    decision = decide(results, RunState())
    assert decision.verdict is Verdict.GO
    line = headline(decision, "demo", results, "r.html")
    assert line == (
        "GO (demo): 1 passed; 1 minor not passed: headers.referrer-policy; "
        "1 info check not passed: headers.cross-origin -> r.html"
    )
    assert "finding" not in line
    assert "info headers.cross-origin could not be checked (error) (does not block)" in (
        decision.reasons
    )


# the demo with postgres-down: what the whole gate leaves unpassed (issue 8)
POSTGRES_DOWN = [
    *(
        result(Outcome.ERROR, Severity.BLOCKER, cid)
        for cid in ("pg.connect", "pg.migrations", "pg.schema", "pg.version")
    ),
    result(Outcome.FAILED, Severity.BLOCKER, "smoke.health"),
    result(Outcome.FAILED, Severity.MAJOR, "backup.restore"),
    result(Outcome.FAILED, Severity.MAJOR, "cookies.flags"),
    *(
        result(Outcome.ERROR, Severity.MAJOR, cid)
        for cid in ("pg.app-role", "pg.archiving", "pg.capacity", "pg.replication")
    ),
    result(Outcome.FAILED, Severity.MAJOR, "ratelimit.login"),
    result(Outcome.ERROR, Severity.MINOR, "pg.slow-query-log"),
    result(Outcome.PASSED, Severity.BLOCKER, "tls.certificate"),
]


def test_no_go_headline_names_every_check_not_passed() -> None:
    """A NO-GO line names every check that did not pass, grouped by severity: the failed and
    errored majors beside the blockers (postgres-down left out seven majors)."""
    decision = decide(POSTGRES_DOWN, RunState())
    assert decision.verdict is Verdict.NO_GO
    assert headline(decision, "demo", POSTGRES_DOWN, "r.html") == (
        "NO-GO (demo): 5 blockers not passed: pg.connect, pg.migrations, pg.schema, "
        "pg.version, smoke.health; 7 majors not passed: backup.restore, cookies.flags, "
        "pg.app-role, pg.archiving, pg.capacity, pg.replication, ratelimit.login; "
        "1 minor not passed: pg.slow-query-log -> r.html"
    )


def test_headline_shortens_a_long_group_only_beyond_its_limit() -> None:
    """Ten ids of one severity are all named; the eleventh and later are counted as "N more"."""
    ten = [result(Outcome.FAILED, Severity.MAJOR, f"m.check-{n:02d}") for n in range(10)]
    twelve = [*ten, *(result(Outcome.ERROR, Severity.MAJOR, f"m.check-{n}") for n in (10, 11))]
    passed = [result(Outcome.PASSED, Severity.BLOCKER, "b.ok")]
    line = headline(decide(ten + passed, RunState()), "t", ten + passed, "r.html")
    assert line.startswith("CONDITIONAL (t): 10 majors not passed: m.check-00, ")
    assert "m.check-09 -> r.html" in line and "more" not in line
    line = headline(decide(twelve + passed, RunState()), "t", twelve + passed, "r.html")
    assert line.endswith("m.check-08, m.check-09 and 2 more -> r.html")


def test_run_cause_leads_the_headline_and_blockers_follow() -> None:
    """An interrupted run's line says so first, then names what did not pass."""
    results = [
        result(Outcome.ERROR, Severity.BLOCKER, "b.cut"),
        result(Outcome.PASSED, Severity.BLOCKER, "b.ok"),
    ]
    decision = decide(results, RunState(interrupted=True))
    assert headline(decision, "t", results, "r.html") == (
        "NO-GO (t): the run was interrupted before every check finished; "
        "1 blocker not passed: b.cut -> r.html"
    )


def test_reasons_are_true_about_a_lowered_check_that_errored() -> None:
    """A blocker the environment lowered to minor that errored is not hidden behind "every
    blocker and major check passed" and is not a "minor finding": the reasons name it, its
    outcome and its catalogue severity."""
    lowered = SeverityLowered("x.check", Severity.BLOCKER, Severity.MINOR, "environments/p.toml")
    results = [
        CheckResult(
            id="x.check", title="t", severity=Severity.MINOR, outcome=Outcome.ERROR,
            nodeid="n::x", message="db:5432 refused", error_reason="connectivity",
            default_severity=Severity.BLOCKER,
        ),
        result(Outcome.PASSED, Severity.BLOCKER, "y.passes"),
    ]  # fmt: skip
    decision = decide(results, RunState(lowered=(lowered,)))
    assert decision.verdict is Verdict.GO
    assert decision.reasons[0] == (
        "every blocker and major check passed (1 passed), except 1 the environment file "
        "lowered below major: x.check (blocker -> minor, error)"
    )
    assert (
        "minor x.check could not be checked (connectivity): db:5432 refused "
        "(does not block; blocker by default, lowered by environments/p.toml)"
    ) in decision.reasons
    line = headline(decision, "p", results, "r.html")
    assert line == (
        "GO (p): 1 passed; 1 minor not passed: x.check; "
        "severity lowered: x.check (blocker -> minor) -> r.html"
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
    left = tuple(_not_run(f"b.left-{n:02d}", Severity.BLOCKER) for n in range(12))
    decision = decide(results, RunState(not_run=left))
    assert decision.verdict is Verdict.NO_GO
    named = ", ".join(f"b.left-{n:02d} (blocker)" for n in range(10))
    assert headline(decision, "prod", results, "r.html") == (
        f"NO-GO (prod): 1 blocker not passed: a.failed; not run: {named} and 2 more -> r.html"
    )


def test_lowered_severity_is_a_reason_not_a_condition() -> None:
    """A severity the environment lowered is named in the reasons but does not change the verdict."""
    lowered = SeverityLowered("x.check", Severity.BLOCKER, Severity.INFO, "environments/p.toml")
    results = [result(Outcome.FAILED, Severity.INFO), result(Outcome.PASSED, Severity.BLOCKER, "y")]
    decision = decide(results, RunState(lowered=(lowered,)))
    assert decision.verdict is Verdict.GO
    assert "x.check: severity lowered blocker -> info by environments/p.toml" in decision.reasons
