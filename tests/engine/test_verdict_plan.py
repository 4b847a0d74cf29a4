"""The plan in the verdict: an open manual item weighs like an unverified check of its severity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gonogo.engine.signoff import judge
from gonogo.model import Outcome, Severity
from gonogo.plans import attest
from gonogo.plans.model import MANUAL, ItemKind, Mapping, MappingKind, Plan, PlanItem, Review
from gonogo.plans.selected import SelectedPlan
from gonogo.verdict import CheckResult, OpenItems, RunState, Verdict, decide

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _result(outcome: Outcome, severity: Severity = Severity.BLOCKER) -> CheckResult:
    return CheckResult(id="x.check", title="t", severity=severity, outcome=outcome, nodeid="n")


def _results(outcome: Outcome, severity: Severity = Severity.BLOCKER) -> list[CheckResult]:
    """The check under test beside one that passed (a run where nothing passed is NO-GO)."""
    ok = CheckResult(
        id="a.ok", title="t", severity=Severity.BLOCKER, outcome=Outcome.PASSED, nodeid="o"
    )
    return [ok, _result(outcome, severity)]


def _open(severity: Severity) -> OpenItems:
    return OpenItems(severity, f"plan p: 1 {severity.value} item not attested: s/item")


P, F = Outcome.PASSED, Outcome.FAILED
B, M, MI, IN = Severity.BLOCKER, Severity.MAJOR, Severity.MINOR, Severity.INFO

# (check outcome, check severity, open item severities, verdict)
CASES = [
    ("no-plan-passed", P, B, [], Verdict.GO),
    ("open-blocker", P, B, [B], Verdict.NO_GO),
    ("open-major", P, B, [M], Verdict.CONDITIONAL),
    ("open-minor-named-only", P, B, [MI], Verdict.GO),
    ("open-info-named-only", P, B, [IN], Verdict.GO),
    ("open-blocker-and-major", P, B, [B, M], Verdict.NO_GO),
    ("failed-major-check-open-minor", F, M, [MI], Verdict.CONDITIONAL),
    ("failed-blocker-check-no-open", F, B, [], Verdict.NO_GO),
    ("failed-blocker-check-open-major", F, B, [M], Verdict.NO_GO),
]


@pytest.mark.parametrize(
    ("outcome", "severity", "open_items", "verdict"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_open_items_weigh_by_severity(
    outcome: Outcome, severity: Severity, open_items: list[Severity], verdict: Verdict
) -> None:
    """An open blocker item is NO-GO, an open major CONDITIONAL, minor and info only named."""
    items = [_open(s) for s in open_items]
    decision = decide(_results(outcome, severity), RunState(), (), items)
    assert decision.verdict is verdict
    for item in items:  # every open item is named in the reasons, whatever it weighs
        assert item.line in decision.reasons
    assert decision.exit_code == (1 if verdict is Verdict.NO_GO else 0)


def test_reason_order_blockers_then_majors_then_the_rest() -> None:
    """Open plan blockers follow the failed blocker checks, majors the majors, minors come last."""
    items = [_open(MI), _open(M), _open(B)]
    reasons = decide(_results(F, M), RunState(), (), items).reasons
    assert reasons.index(_open(B).line) < reasons.index("major x.check failed")
    assert reasons.index("major x.check failed") < reasons.index(_open(M).line)
    assert reasons.index(_open(M).line) < reasons.index(_open(MI).line)


def _plan(gate: bool, severity: Severity | None = None) -> Plan:
    mapping = Mapping(MappingKind.MANUAL, Review.CONFIRMED, severity=severity)
    items = (
        PlanItem("s/sign-off", ("S",), "Security sign-off", ItemKind.CHECKBOX, 1, mapping),
        PlanItem("s/unreviewed", ("S",), "Not reviewed yet", ItemKind.CHECKBOX, 2, MANUAL),
    )
    return Plan("p", "P", "p.md", "0" * 64, items, manual_gate=gate)


def _attested(*refs: str) -> list[attest.Attestation]:
    at = NOW - dt.timedelta(days=1)
    return [attest.make(r, by="Ann Lee", note="checked", at=at, valid_days=30) for r in refs]


PLAN_CASES = [
    ("unattested-blocker", True, None, [], Verdict.NO_GO),
    ("both-attested", True, None, ["p:s/sign-off", "p:s/unreviewed"], Verdict.GO),
    ("one-left-open", True, None, ["p:s/sign-off"], Verdict.NO_GO),
    ("manual-gate-off", False, None, [], Verdict.GO),
    ("major-item-open", True, Severity.MAJOR, ["p:s/unreviewed"], Verdict.CONDITIONAL),
]


@pytest.mark.parametrize(
    ("gate", "severity", "refs", "verdict"),
    [c[1:] for c in PLAN_CASES],
    ids=[c[0] for c in PLAN_CASES],
)
def test_plan_status_to_verdict(
    gate: bool, severity: Severity | None, refs: list[str], verdict: Verdict
) -> None:
    """From the plan's status to the verdict: attestations settle items; manual_gate=false only
    reports; an unreviewed mapping counts like an unattested manual blocker."""
    chosen = SelectedPlan(_plan(gate, severity), tuple(_attested(*refs)), Path(), "--plan")
    _status, items = judge(chosen, _results(P), NOW, None)
    decision = decide(_results(P), RunState(), (), items)
    assert decision.verdict is verdict, decision.reasons
    if verdict is Verdict.NO_GO:
        assert any("not attested" in r and "s/" in r for r in decision.reasons)
