"""A :class:`~gonogo.plans.status.PlanStatus` as builtins: the ``plan`` block of evidence.json.

The schema (docs/plans.md, "The plan in a run", repeats it for report writers)::

    plan = {
      "name": "alaska-pay", "title": "...", "source": "alaska-pay.md", "sha256": "...",
      "manual_gate": true, "blocks": false,
      "overall": Coverage, "sections": [Coverage, ...],   # the plan's order
      "items": [Item, ...],                                 # the plan's order
      "reasons": ["plan alaska-pay: 2 blocker items not attested: ..."],
      "expired": ["attestation of alaska-pay:... expired (...)"], "unused": ["alaska-pay:..."],
    }
    Coverage = {"section": [...], "counts": {"verified": 3, ...}, "total": 9,
                "applicable": 8, "covered": 5, "ratio": 0.625 | null}
    Item = {"ref": "alaska-pay:infrastructure/ssl-certificates-valid", "id": "...",
            "section": [...], "text": "...", "kind": "checkbox", "line": 33, "parent": null,
            "mapping": "checks", "reviewed": true, "status": "verified", "why": "...",
            "checks": [{"id": "tls.certificate", "outcome": "passed" | null}],
            "severity": "blocker" | null, "stage": "predeploy" | null,
            "attestation": {"by": ..., "at": ISO-8601, "until": "YYYY-MM-DD", "note": ...,
                            "evidence": ...} | null}
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from gonogo.plans.model import MappingKind
from gonogo.plans.status import Coverage, ItemState, PlanStatus


class CoverageWire(TypedDict):
    section: list[str]
    counts: dict[str, int]
    total: int
    applicable: int
    covered: int
    ratio: float | None


class CheckStateWire(TypedDict):
    id: str
    outcome: str | None


class AttestationWire(TypedDict):
    by: str
    at: str
    until: str
    note: str
    evidence: str


class ItemWire(TypedDict):
    ref: str
    id: str
    section: list[str]
    text: str
    kind: str
    line: int
    parent: str | None
    mapping: str
    reviewed: bool
    status: str
    why: str
    checks: list[CheckStateWire]
    severity: str | None
    stage: str | None
    attestation: AttestationWire | None


class PlanWire(TypedDict):
    name: str
    title: str
    source: str
    sha256: str
    manual_gate: bool
    blocks: bool
    overall: CoverageWire
    sections: list[CoverageWire]
    items: list[ItemWire]
    reasons: list[str]
    expired: list[str]
    unused: list[str]


def _coverage(c: Coverage) -> CoverageWire:
    return {
        "section": list(c.section),
        "counts": {status.value: n for status, n in c.counts.items()},
        "total": c.total,
        "applicable": c.applicable,
        "covered": c.covered,
        "ratio": c.ratio,
    }


def _item(status: PlanStatus, state: ItemState) -> ItemWire:
    item, plan = state.item, status.plan
    manual_like = item.mapping.kind is MappingKind.MANUAL or not item.mapping.confirmed
    a = state.attestation
    return {
        "ref": plan.ref(item.id),
        "id": item.id,
        "section": list(item.section),
        "text": item.text,
        "kind": item.kind.value,
        "line": item.line,
        "parent": item.parent,
        "mapping": item.mapping.kind.value,
        "reviewed": item.mapping.confirmed,
        "status": state.status.value,
        "why": state.why,
        "checks": [{"id": c, "outcome": o.value if o else None} for c, o in state.checks],
        "severity": state.severity.value if state.severity else None,
        "stage": plan.stage(item).value if manual_like else None,
        "attestation": None
        if a is None
        else {
            "by": a.by,
            "at": a.at.isoformat(),
            "until": (a.expires - dt.timedelta(seconds=1)).date().isoformat(),
            "note": a.note,
            "evidence": a.evidence,
        },
    }


def to_wire(status: PlanStatus) -> PlanWire:
    """The ``plan`` block of evidence.json for one run."""
    plan = status.plan
    return {
        "name": plan.name,
        "title": plan.title,
        "source": plan.source,
        "sha256": plan.sha256,
        "manual_gate": plan.manual_gate,
        "blocks": status.blocks,
        "overall": _coverage(status.overall),
        "sections": [_coverage(c) for c in status.sections],
        "items": [_item(status, s) for s in status.items],
        "reasons": status.reasons(),
        "expired": list(status.expired),
        "unused": list(status.unused),
    }
