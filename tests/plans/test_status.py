"""Each item's status in a run, coverage per section, and the verdict lines of open items."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from gonogo.model import Outcome, Severity
from gonogo.plans import attest
from gonogo.plans.model import ItemKind, Mapping, MappingKind, Plan, PlanItem, Review, Stage
from gonogo.plans.status import ItemStatus, combine, evaluate
from gonogo.plans.wire import to_wire

NOW = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)
OK, NA = Review.CONFIRMED, MappingKind.NOT_APPLICABLE


def _item(item_id: str, mapping: Mapping, section: tuple[str, ...] = ("Checks",), parent: str | None = None) -> PlanItem:
    return PlanItem(item_id, section, item_id, ItemKind.CHECKBOX, 1, mapping, False, parent)


def _plan(*items: PlanItem, **kw: object) -> Plan:
    return Plan("p", "P", "p.md", "0" * 64, tuple(items), **kw)  # type: ignore[arg-type]


def _att(item_id: str, days_ago: int = 1, valid_days: int = 30, plan: str = "p") -> attest.Attestation:
    return attest.make(
        f"{plan}:{item_id}",
        by="Ann Lee",
        note="checked",
        at=NOW - dt.timedelta(days=days_ago),
        valid_days=valid_days,
    )


CHECKS = Mapping(MappingKind.CHECKS, OK, checks=("a.one", "a.two"))
MANUAL = Mapping(MappingKind.MANUAL, OK)

CASES = {
    "not-applicable-by-the-plan": (Mapping(NA, OK, reason="marketing"), {}, [], None, ItemStatus.NOT_APPLICABLE, "marketing"),
    "all-checks-passed": (CHECKS, {"a.one": Outcome.PASSED, "a.two": Outcome.PASSED}, [], None, ItemStatus.VERIFIED, "passed: a.one, a.two"),
    "passed-and-not-applicable": (CHECKS, {"a.one": Outcome.PASSED, "a.two": Outcome.NOT_APPLICABLE}, [], None, ItemStatus.VERIFIED, "passed: a.one"),
    "one-failed": (CHECKS, {"a.one": Outcome.PASSED, "a.two": Outcome.FAILED}, [], None, ItemStatus.FAILED, "a.two failed"),
    "one-errored": (CHECKS, {"a.one": Outcome.ERROR, "a.two": Outcome.PASSED}, [], None, ItemStatus.FAILED, "a.one error"),
    "one-refused": (CHECKS, {"a.one": Outcome.REFUSED, "a.two": Outcome.PASSED}, [], None, ItemStatus.FAILED, "a.one refused"),
    "one-skipped": (CHECKS, {"a.one": Outcome.SKIPPED, "a.two": Outcome.PASSED}, [], None, ItemStatus.FAILED, "a.one skipped"),
    "failure-wins-over-not-run": (CHECKS, {"a.one": Outcome.FAILED}, [], None, ItemStatus.FAILED, "a.one failed"),
    "one-did-not-run": (CHECKS, {"a.one": Outcome.PASSED}, [], None, ItemStatus.NOT_RUN, "not run: a.two"),
    "all-not-applicable-here": (CHECKS, {"a.one": Outcome.NOT_APPLICABLE, "a.two": Outcome.NOT_APPLICABLE}, [], None, ItemStatus.NOT_APPLICABLE, "not applicable here"),
    "one-waived": (CHECKS, {"a.one": Outcome.WAIVED, "a.two": Outcome.PASSED}, [], None, ItemStatus.WAIVED, "waived: a.one"),
    "attestation-does-not-replace-checks": (CHECKS, {}, [_att("x")], None, ItemStatus.NOT_RUN, "not run"),
    "manual-attested": (MANUAL, {}, [_att("x")], None, ItemStatus.ATTESTED, "attested by Ann Lee on 2026-12-09"),
    "manual-attestation-expired": (MANUAL, {}, [_att("x", days_ago=31)], None, ItemStatus.OPEN, "no valid attestation"),
    "manual-attestation-of-another-plan": (MANUAL, {}, [_att("x", plan="q")], None, ItemStatus.OPEN, "no valid attestation"),
    "manual-of-a-stage-not-run": (replace(MANUAL, stage=Stage.POSTDEPLOY), {}, [], {"predeploy"}, ItemStatus.NOT_RUN, "due at the postdeploy stage"),
    "manual-of-the-stage-run": (replace(MANUAL, stage=Stage.SMOKE), {}, [], {"smoke"}, ItemStatus.OPEN, "no valid attestation"),
    "suggested-checks-verify-nothing": (replace(CHECKS, review=Review.SUGGESTED), {"a.one": Outcome.PASSED, "a.two": Outcome.PASSED}, [], None, ItemStatus.OPEN, "mapping not reviewed yet"),
    "suggested-but-attested": (replace(CHECKS, review=Review.SUGGESTED), {}, [_att("x")], None, ItemStatus.ATTESTED, "attested"),
    "suggested-not-applicable-is-open": (Mapping(NA, Review.SUGGESTED, reason="r"), {}, [], None, ItemStatus.OPEN, "not reviewed"),
}


@pytest.mark.parametrize("mapping, results, attestations, stages, status, why", CASES.values(), ids=CASES.keys())
def test_item_status(mapping: Mapping, results: dict[str, Outcome], attestations: list[attest.Attestation], stages: set[str] | None, status: ItemStatus, why: str) -> None:
    """One item's status follows its mapping, the run's outcomes and valid attestations."""
    state = evaluate(_plan(_item("x", mapping)), results, attestations, NOW, stages).items[0]
    assert state.status is status
    assert why in state.why


def _nested() -> Plan:
    return _plan(
        _item("s/group", Mapping(MappingKind.GROUP, OK), ("Phase", "DB")),
        _item("s/checked", CHECKS, ("Phase", "DB", "Group"), parent="s/group"),
        _item("s/manual", MANUAL, ("Phase", "DB", "Group"), parent="s/group"),
        _item("s/na", Mapping(NA, OK, reason="later"), ("Phase", "Later")),
        _item("s/major", replace(MANUAL, severity=Severity.MAJOR), ("Other",)),
    )


GROUPS = {
    "open-child-keeps-the-group-open": ({"a.one": Outcome.PASSED, "a.two": Outcome.PASSED}, [], ItemStatus.OPEN),
    "failed-child-fails-it": ({"a.one": Outcome.FAILED, "a.two": Outcome.PASSED}, [_att("s/manual")], ItemStatus.FAILED),
    "verified-and-attested-is-attested": ({"a.one": Outcome.PASSED, "a.two": Outcome.PASSED}, [_att("s/manual")], ItemStatus.ATTESTED),
}


@pytest.mark.parametrize("results, attestations, status", GROUPS.values(), ids=GROUPS.keys())
def test_group_follows_its_items(results: dict[str, Outcome], attestations: list[attest.Attestation], status: ItemStatus) -> None:
    """A group is as good as its worst item: failed, open, not run, waived, attested, verified."""
    assert evaluate(_nested(), results, attestations, NOW).items[0].status is status


def test_coverage_per_section_and_overall() -> None:
    """Coverage counts items (not groups) by status per section path and for the whole plan."""
    result = evaluate(_nested(), {"a.one": Outcome.PASSED, "a.two": Outcome.PASSED}, [_att("s/manual")], NOW)
    sections = {c.section: c for c in result.sections}
    assert list(sections) == [("Phase",), ("Phase", "DB"), ("Phase", "DB", "Group"), ("Phase", "Later"), ("Other",)]
    assert sections[("Phase", "DB", "Group")].counts == {ItemStatus.VERIFIED: 1, ItemStatus.ATTESTED: 1}
    assert sections[("Phase",)].counts == {ItemStatus.VERIFIED: 1, ItemStatus.ATTESTED: 1, ItemStatus.NOT_APPLICABLE: 1}
    assert (sections[("Phase",)].covered, sections[("Phase",)].applicable, sections[("Phase",)].ratio) == (2, 2, 1.0)
    assert sections[("Phase", "Later")].ratio is None
    overall = result.overall
    assert (overall.total, overall.applicable, overall.covered) == (4, 3, 2)
    assert overall.ratio == pytest.approx(2 / 3)


def test_open_manual_items_weigh_in_the_verdict() -> None:
    """An unattested manual blocker blocks (NO-GO); a major is named for CONDITIONAL."""
    result = evaluate(_nested(), {"a.one": Outcome.PASSED, "a.two": Outcome.PASSED}, [], NOW)
    assert result.blocks
    assert [s.item.id for s in result.unattested(Severity.BLOCKER)] == ["s/manual"]
    assert [s.item.id for s in result.unattested(Severity.MAJOR)] == ["s/major"]
    assert result.reasons() == [
        "plan p: 1 blocker item not attested: s/manual",
        "plan p: 1 major item not attested: s/major",
    ]
    attested = evaluate(_nested(), {}, [_att("s/manual"), _att("s/major")], NOW)
    assert not attested.blocks and attested.reasons() == []


def test_manual_gate_off_only_reports() -> None:
    """With manual_gate = false an open manual item is shown open but weighs nothing."""
    result = evaluate(replace(_nested(), manual_gate=False), {}, [], NOW)
    assert result.items[2].status is ItemStatus.OPEN
    assert not result.blocks and result.unattested() == () and result.reasons() == []


def test_plan_default_severity_and_stage() -> None:
    """A manual item without its own severity or stage takes the plan's."""
    plan = _plan(_item("x", MANUAL), manual_severity=Severity.MINOR, default_stage=Stage.SMOKE)
    predeploy = evaluate(plan, {}, [], NOW, {"predeploy"})
    assert predeploy.items[0].status is ItemStatus.NOT_RUN
    smoke = evaluate(plan, {}, [], NOW, {"smoke"})
    assert smoke.items[0].severity is Severity.MINOR and not smoke.blocks
    assert smoke.reasons() == ["plan p: 1 minor item not attested: x (does not block)"]


def test_expired_and_unused_attestations_are_reported() -> None:
    """An expired attestation is named; a valid one of an automated item is listed as unused."""
    plan = _plan(_item("m", MANUAL), _item("c", CHECKS))
    result = evaluate(plan, {}, [_att("m", days_ago=40), _att("c")], NOW)
    assert result.expired == ("attestation of p:m expired (by Ann Lee on 2026-10-31, until 2026-11-30: checked)",)
    assert result.unused == ("p:c",)


def test_combine_parametrized_instances() -> None:
    """Instances of one check combine to the least favourable outcome."""
    assert combine(
        [("a", Outcome.PASSED), ("a", Outcome.FAILED), ("b", Outcome.NOT_APPLICABLE), ("b", Outcome.PASSED), ("c", Outcome.WAIVED), ("c", Outcome.PASSED)]
    ) == {"a": Outcome.FAILED, "b": Outcome.PASSED, "c": Outcome.WAIVED}


def test_wire_is_json_and_complete() -> None:
    """The evidence.json plan block is plain JSON with every item, section and the verdict lines."""
    result = evaluate(_nested(), {"a.one": Outcome.PASSED, "a.two": Outcome.FAILED}, [_att("s/manual")], NOW)
    wire = json.loads(json.dumps(to_wire(result)))
    assert [i["status"] for i in wire["items"]] == ["failed", "failed", "attested", "not-applicable", "open"]
    assert wire["items"][1]["checks"] == [{"id": "a.one", "outcome": "passed"}, {"id": "a.two", "outcome": "failed"}]
    assert wire["items"][2]["attestation"]["by"] == "Ann Lee" and wire["items"][2]["stage"] == "predeploy"
    assert wire["overall"]["counts"] == {"failed": 1, "attested": 1, "not-applicable": 1, "open": 1}
    assert wire["blocks"] is False and wire["reasons"] == ["plan p: 1 major item not attested: s/major"]
