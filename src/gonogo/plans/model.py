"""The plan model: a plan's items with stable ids and sections, and how each one is verified.

A :class:`Plan` is what ``plans/<name>.toml`` holds: the items of one markdown plan in its
order, each with a :class:`Mapping` that says how the item is verified:

* ``checks``: by the catalogue checks named (every one must pass);
* ``manual``: by a person, who attests it (``gonogo attest``), with a severity;
* ``not-applicable``: not something a release gate decides, with the reason;
* ``group``: a checkbox with checkboxes under it, settled by those (set by the importer).

A mapping the importer proposed is ``suggested`` until a person confirms it (``review =
"confirmed"``); an unconfirmed mapping verifies nothing (see :mod:`gonogo.plans.status`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from gonogo.model import Severity


class ItemKind(enum.StrEnum):
    """How the item is written in the plan."""

    CHECKBOX = "checkbox"  # - [ ] / * [x] / [ ] at any depth, in or out of code blocks
    STEP = "step"  # a numbered step outside code blocks
    TABLE = "table"  # a checkbox in a table cell


class MappingKind(enum.StrEnum):
    """How an item is verified."""

    CHECKS = "checks"
    MANUAL = "manual"
    NOT_APPLICABLE = "not-applicable"
    GROUP = "group"


class Review(enum.StrEnum):
    """Whether a person confirmed the mapping."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"


class Stage(enum.StrEnum):
    """When an item is due: the gate's stage markers (``gonogo.engine.collection.STAGES``)."""

    PREDEPLOY = "predeploy"
    SMOKE = "smoke"
    POSTDEPLOY = "postdeploy"
    LOAD = "load"
    E2E = "e2e"


@dataclass(frozen=True, slots=True)
class Mapping:
    """How one item is verified.

    Attributes:
        kind: checks, manual, not-applicable or group.
        review: suggested (by the importer) or confirmed (by a person).
        checks: the check ids that verify the item together (kind ``checks`` only).
        severity: what an unattested manual item weighs (None: the plan's
            ``manual_severity``).
        stage: when a manual item is due (None: the plan's ``default_stage``).
        reason: why the item is not applicable (required then); a note otherwise.
        rejected: checks a reviewer decided do not verify the item although their phrases
            match it (``gonogo plan suggest`` no longer proposes them).
    """

    kind: MappingKind
    review: Review = Review.SUGGESTED
    checks: tuple[str, ...] = ()
    severity: Severity | None = None
    stage: Stage | None = None
    reason: str = ""
    rejected: tuple[str, ...] = ()

    @property
    def confirmed(self) -> bool:
        return self.review is Review.CONFIRMED


MANUAL = Mapping(MappingKind.MANUAL)
GROUP = Mapping(MappingKind.GROUP, Review.CONFIRMED)


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One item of a plan.

    Attributes:
        id: stable id within the plan (:mod:`gonogo.plans.ids` gives the rule).
        section: headings and labels above it, outermost first.
        text: the item as written (list marker and box removed, mojibake repaired).
        kind: checkbox, numbered step or table-cell checkbox.
        line: its line in the imported markdown.
        mapping: how it is verified.
        ticked: whether its box was ticked in the markdown (None for a step). A ticked box
            is not an attestation: it says nothing of who, when or how.
        parent: the id of the checkbox it is nested under (whose group it belongs to).
    """

    id: str
    section: tuple[str, ...]
    text: str
    kind: ItemKind
    line: int
    mapping: Mapping
    ticked: bool | None = None
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """An imported plan (``plans/<name>.toml``).

    Attributes:
        name: the plan's name (the file name without ``.toml``): letters, digits and ``-``.
        title: the markdown's first heading.
        source: the file it was imported from (its name only).
        sha256: the SHA-256 of that file's bytes.
        manual_severity: the severity of a manual item that does not set its own.
        default_stage: the stage of a manual item that does not set its own.
        manual_gate: whether an unattested manual item weighs in the verdict like an
            unverified check of its severity (a blocker makes NO-GO); False only reports it.
        items: the items in the plan's order.
    """

    name: str
    title: str
    source: str
    sha256: str
    items: tuple[PlanItem, ...]
    manual_severity: Severity = Severity.BLOCKER
    default_stage: Stage = Stage.PREDEPLOY
    manual_gate: bool = True
    _by_id: dict[str, PlanItem] = field(default_factory=dict, init=False, compare=False, repr=False)
    _children: dict[str, list[PlanItem]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        self._by_id.update((item.id, item) for item in self.items)
        for item in self.items:
            if item.parent is not None:
                self._children.setdefault(item.parent, []).append(item)

    def __iter__(self) -> Iterator[PlanItem]:
        return iter(self.items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def item(self, item_id: str) -> PlanItem:
        return self._by_id[item_id]

    def ref(self, item_id: str) -> str:
        """The reference of an item from outside the plan: ``<plan>:<item id>``."""
        return f"{self.name}:{item_id}"

    def children(self, item_id: str) -> tuple[PlanItem, ...]:
        """The items nested directly under ``item_id``, in order."""
        return tuple(self._children.get(item_id, ()))

    def severity(self, item: PlanItem) -> Severity:
        return item.mapping.severity or self.manual_severity

    def stage(self, item: PlanItem) -> Stage:
        return item.mapping.stage or self.default_stage


def split_ref(ref: str) -> tuple[str | None, str]:
    """``("plan", "item")`` of ``plan:item``; ``(None, ref)`` without a plan name."""
    plan, sep, item = ref.partition(":")
    return (plan, item) if sep else (None, ref)
