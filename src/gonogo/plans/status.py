"""Each item's status in one run, coverage per section, and what the plan adds to the verdict.

:func:`evaluate` is pure: a plan, the run's check outcomes (after waivers), the attestations,
``now`` and the stages the run selected in; a :class:`PlanStatus` out. The rules:

* ``not-applicable`` (confirmed): **not applicable**, with its reason.
* ``checks`` (confirmed): every check must have run. Any of them failed, errored, was skipped
  or refused: **failed**. Else any of them did not run in this run: **not run**. Else all
  not applicable on this environment: **not applicable**. Else any waived: **waived**. Else
  (passed, the rest not applicable): **verified**. Attestations do not replace checks.
* ``manual`` (confirmed), and any mapping still ``suggested``: a valid attestation makes it
  **attested**; else **open** when its stage is one the run selected (or ``stages`` is None),
  **not run** otherwise.
* ``group``: from its items: failed, else open, else not run, else waived, else attested,
  else verified, else not applicable (all of them). Groups are not counted in coverage.

Coverage counts the items (not groups) by status; ``covered`` is verified + attested, out of
the items that are not ``not applicable``. An **open** item weighs in the verdict when the
plan's ``manual_gate`` is on: like an unverified check of its severity (a blocker: NO-GO; a
major: CONDITIONAL; minor and info: named only), see :attr:`PlanStatus.unattested`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from gonogo.model import Outcome, Severity
from gonogo.plans.attest import Attestation, for_plan
from gonogo.plans.model import MappingKind, Plan, PlanItem, Stage


class ItemStatus(enum.StrEnum):
    """What one run established about one item."""

    VERIFIED = "verified"  # every check that verifies it passed
    FAILED = "failed"  # a check that verifies it failed or could not be carried out
    WAIVED = "waived"  # a check of it is unverified under a valid waiver
    ATTESTED = "attested"  # a person attested it and the attestation is valid
    NOT_APPLICABLE = "not-applicable"  # by the plan's mapping, or its checks on this env
    NOT_RUN = "not-run"  # its checks (or its stage) were not part of this run
    OPEN = "open"  # a manual (or unreviewed) item without a valid attestation


_GROUP_ORDER = (
    ItemStatus.FAILED,
    ItemStatus.OPEN,
    ItemStatus.NOT_RUN,
    ItemStatus.WAIVED,
    ItemStatus.ATTESTED,
    ItemStatus.VERIFIED,
)


@dataclass(frozen=True, slots=True)
class ItemState:
    """One item in one run.

    Attributes:
        item: the plan item. status: what the run established.
        why: one line saying why (the checks not passed, the attestation, the reason).
        checks: (check id, outcome or None when it did not run) for a ``checks`` mapping.
        attestation: the valid attestation that counts, if any.
        severity: what it weighs when open (manual and unreviewed items; None otherwise).
        unreviewed: its mapping is still a suggestion.
    """

    item: PlanItem
    status: ItemStatus
    why: str = ""
    checks: tuple[tuple[str, Outcome | None], ...] = ()
    attestation: Attestation | None = None
    severity: Severity | None = None
    unreviewed: bool = False


@dataclass(frozen=True, slots=True)
class Coverage:
    """Items by status in one section (and the sections under it) or the whole plan.

    Attributes:
        section: the section path (empty for the whole plan).
        counts: items by status (groups not counted).
    """

    section: tuple[str, ...]
    counts: Mapping[ItemStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        return self.total - self.counts.get(ItemStatus.NOT_APPLICABLE, 0)

    @property
    def covered(self) -> int:
        return self.counts.get(ItemStatus.VERIFIED, 0) + self.counts.get(ItemStatus.ATTESTED, 0)

    @property
    def ratio(self) -> float | None:
        """covered / applicable, None when nothing is applicable."""
        return self.covered / self.applicable if self.applicable else None


@dataclass(frozen=True, slots=True)
class PlanStatus:
    """A plan in one run.

    Attributes:
        plan: the plan. items: each item's state, in the plan's order.
        sections: coverage of every section path (and its prefixes), in the plan's order.
        overall: coverage of the whole plan.
        expired: lines about attestations of this plan that no longer count.
        unused: references of valid attestations of items verified by checks (not counted).
    """

    plan: Plan
    items: tuple[ItemState, ...]
    sections: tuple[Coverage, ...]
    overall: Coverage
    expired: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()

    def unattested(self, severity: Severity | None = None) -> tuple[ItemState, ...]:
        """Open items that weigh in the verdict (``manual_gate``), of ``severity`` or all."""
        if not self.plan.manual_gate:
            return ()
        return tuple(
            s
            for s in self.items
            if s.status is ItemStatus.OPEN
            and s.item.mapping.kind is not MappingKind.GROUP
            and (severity is None or s.severity is severity)
        )

    @property
    def blocks(self) -> bool:
        """Whether an open manual blocker makes the run NO-GO."""
        return bool(self.unattested(Severity.BLOCKER))

    def open_items(self) -> list[tuple[Severity, str, int]]:
        """(severity, verdict line, number of items) per severity with open items, most severe
        first: ``plan alaska-pay: 3 blocker items not attested: a, b, c`` (see
        :class:`gonogo.verdict.OpenItems`)."""
        out = []
        for severity in Severity:
            open_items = self.unattested(severity)
            if open_items:
                ids = ", ".join(s.item.id for s in open_items[:10])
                more = f" and {len(open_items) - 10} more" if len(open_items) > 10 else ""
                tail = "" if severity.rank <= Severity.MAJOR.rank else " (does not block)"
                out.append(
                    (
                        severity,
                        f"plan {self.plan.name}: {len(open_items)} {severity.value} "
                        f"item{'s' if len(open_items) != 1 else ''} not attested: "
                        f"{ids}{more}{tail}",
                        len(open_items),
                    )
                )
        return out

    def reasons(self) -> list[str]:
        """One verdict line per severity with open items (:meth:`open_items`)."""
        return [line for _severity, line, _n in self.open_items()]


# when several results share a check id (parametrized instances), the least favourable counts
_PRECEDENCE = (
    Outcome.FAILED,
    Outcome.ERROR,
    Outcome.REFUSED,
    Outcome.SKIPPED,
    Outcome.WAIVED,
    Outcome.PASSED,
    Outcome.NOT_APPLICABLE,
)


def combine(results: Iterable[tuple[str, Outcome]]) -> dict[str, Outcome]:
    """Check id -> one outcome, from (id, outcome) pairs where an id may repeat
    (parametrized instances): any failure or error wins over waived, over passed, over n/a."""
    out: dict[str, Outcome] = {}
    for check, outcome in results:
        known = out.get(check)
        if known is None or _PRECEDENCE.index(outcome) < _PRECEDENCE.index(known):
            out[check] = outcome
    return out


def evaluate(
    plan: Plan,
    results: Mapping[str, Outcome],
    attestations: Iterable[Attestation],
    now: dt.datetime,
    stages: Collection[Stage | str] | None = None,
) -> PlanStatus:
    """The status of every item of ``plan`` in a run (see the module docstring for the rules).

    ``results`` maps each check id the run reported to its outcome after waivers (a check the
    run did not report did not run); ``stages`` are the stages the run selected (None: all).
    """
    mine = for_plan(plan, attestations)
    selected = None if stages is None else {Stage(s) for s in stages}
    states: dict[str, ItemState] = {}
    unused: list[str] = []
    for item in plan.items:
        if item.mapping.kind is not MappingKind.GROUP:
            valid = _valid(mine.get(item.id, ()), now)
            state = _state(plan, item, results, valid, selected)
            if valid and state.attestation is None:
                unused.append(plan.ref(item.id))
            states[item.id] = state
    for item in reversed(plan.items):  # sub-items come after their group
        if item.mapping.kind is MappingKind.GROUP:
            states[item.id] = _group(item, [states[c.id] for c in plan.children(item.id)])
    ordered = tuple(states[item.id] for item in plan.items)
    return PlanStatus(
        plan=plan,
        items=ordered,
        sections=_sections(ordered),
        overall=_coverage((), ordered),
        expired=tuple(_expired(plan, mine, now)),
        unused=tuple(unused),
    )


def _valid(candidates: Iterable[Attestation], now: dt.datetime) -> Attestation | None:
    valid = [a for a in candidates if a.valid_at(now)]
    return max(valid, key=lambda a: a.expires) if valid else None


def _state(
    plan: Plan,
    item: PlanItem,
    results: Mapping[str, Outcome],
    valid: Attestation | None,
    stages: set[Stage] | None,
) -> ItemState:
    mapping = item.mapping
    if mapping.confirmed and mapping.kind is MappingKind.NOT_APPLICABLE:
        return ItemState(item, ItemStatus.NOT_APPLICABLE, mapping.reason)
    if mapping.confirmed and mapping.kind is MappingKind.CHECKS:
        return _checked(item, results)
    severity = plan.severity(item)
    unreviewed = not mapping.confirmed
    if valid is not None:
        return ItemState(
            item,
            ItemStatus.ATTESTED,
            f"attested {valid.line()}",
            attestation=valid,
            severity=severity,
            unreviewed=unreviewed,
        )
    stage = plan.stage(item)
    if stages is not None and stage not in stages:
        why = f"due at the {stage.value} stage, not selected in this run"
        return ItemState(item, ItemStatus.NOT_RUN, why, severity=severity, unreviewed=unreviewed)
    why = "mapping not reviewed yet; " if unreviewed else ""
    why += "no valid attestation (gonogo attest)"
    return ItemState(item, ItemStatus.OPEN, why, severity=severity, unreviewed=unreviewed)


def _checked(item: PlanItem, results: Mapping[str, Outcome]) -> ItemState:
    pairs = tuple((check, results.get(check)) for check in item.mapping.checks)

    def named(test: Iterable[str]) -> str:
        return ", ".join(test)

    bad = [f"{c} {o.value}" for c, o in pairs if o is not None and o.unverified]
    if bad:
        return ItemState(item, ItemStatus.FAILED, named(bad), checks=pairs)
    missing = [c for c, o in pairs if o is None]
    if missing:
        return ItemState(item, ItemStatus.NOT_RUN, f"not run: {named(missing)}", checks=pairs)
    if all(o is Outcome.NOT_APPLICABLE for _c, o in pairs):
        return ItemState(
            item, ItemStatus.NOT_APPLICABLE, "its checks are not applicable here", checks=pairs
        )
    waived = [c for c, o in pairs if o is Outcome.WAIVED]
    if waived:
        return ItemState(item, ItemStatus.WAIVED, f"waived: {named(waived)}", checks=pairs)
    passed = [c for c, o in pairs if o is Outcome.PASSED]
    return ItemState(item, ItemStatus.VERIFIED, f"passed: {named(passed)}", checks=pairs)


def _group(item: PlanItem, children: list[ItemState]) -> ItemState:
    present = {c.status for c in children}
    for status in _GROUP_ORDER:
        if status in present:
            n = sum(c.status is status for c in children)
            return ItemState(item, status, f"{n} of {len(children)} items under it {status.value}")
    return ItemState(item, ItemStatus.NOT_APPLICABLE, "every item under it is not applicable")


def _coverage(section: tuple[str, ...], states: Iterable[ItemState]) -> Coverage:
    counts = Counter(s.status for s in states if s.item.mapping.kind is not MappingKind.GROUP)
    return Coverage(section, dict(counts))


def _sections(states: tuple[ItemState, ...]) -> tuple[Coverage, ...]:
    """Coverage of every section path and its prefixes, in one pass (first seen first)."""
    counts: dict[tuple[str, ...], Counter[ItemStatus]] = {}
    for s in states:
        for depth in range(1, len(s.item.section) + 1):
            counter = counts.setdefault(s.item.section[:depth], Counter())
            if s.item.mapping.kind is not MappingKind.GROUP:
                counter[s.status] += 1
    return tuple(Coverage(path, dict(counter)) for path, counter in counts.items())


def _expired(plan: Plan, mine: Mapping[str, list[Attestation]], now: dt.datetime) -> list[str]:
    out = []
    for item_id, candidates in mine.items():
        if candidates and not any(a.valid_at(now) for a in candidates):
            latest = max(candidates, key=lambda a: a.expires)
            when = "expired" if latest.expires <= now else "dated in the future"
            out.append(f"attestation of {plan.ref(item_id)} {when} ({latest.line()})")
    return out
