"""A small plan (and an attestation of it) for throwaway gate projects (engine.project)."""

from __future__ import annotations

import datetime as dt

from gonogo.plans import attest, store
from gonogo.plans.model import ItemKind, Mapping, MappingKind, Plan, PlanItem, Review


def plan_toml(gate: bool = True) -> str:
    confirmed = Review.CONFIRMED
    items = (
        PlanItem(
            "infra/db-reachable",
            ("Checklist", "Infra"),
            "Database reachable",
            ItemKind.CHECKBOX,
            3,
            Mapping(MappingKind.CHECKS, confirmed, checks=("t.pass",)),
        ),
        PlanItem(
            "infra/security-sign-off",
            ("Checklist", "Infra"),
            "Security sign-off",
            ItemKind.CHECKBOX,
            4,
            Mapping(MappingKind.MANUAL, confirmed),
        ),
        PlanItem(
            "later/party",
            ("Checklist", "Later"),
            "Launch party",
            ItemKind.CHECKBOX,
            6,
            Mapping(MappingKind.NOT_APPLICABLE, confirmed, reason="not a release decision"),
        ),
    )
    return store.dumps(Plan("p", "Plan P", "p.md", "0" * 64, items, manual_gate=gate))


def attestation(days_ago: int = 1) -> str:
    at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=days_ago)
    made = attest.make(
        "p:infra/security-sign-off",
        by="Ann Lee",
        note="pen test report reviewed",
        at=at,
        evidence="https://tickets.example.com/CHG-1",
        valid_days=30,
    )
    return attest.HEADER + "\n" + attest.dumps(made)
