"""The five worked examples in plans/: complete, reviewed, and every reference resolves."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from gonogo import catalogue
from gonogo.engine import collection
from gonogo.plans import store, suggest
from gonogo.plans.cli import counts
from gonogo.plans.markdown import parse
from gonogo.plans.model import MappingKind, Review, Stage, split_ref
from gonogo.plans.reimport import build

ROOT = Path(__file__).resolve().parents[2]
PLANS = store.load_all(ROOT / "plans")
CATALOGUE = catalogue.load(ROOT / "catalogue", plans=ROOT / "plans")
NAMES = ["alaska-pay", "biddt", "scalemate", "swipesavvy", "transportation-mvp"]


def test_the_five_plans_are_there() -> None:
    """plans/ holds the five sample plans, each beside its markdown source."""
    assert sorted(PLANS) == NAMES
    assert sorted(p.stem for p in (ROOT / "plans" / "sources").glob("*.md")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_reimporting_the_source_changes_nothing(name: str) -> None:
    """Importing the markdown again gives the committed file: no item lost, none changed."""
    plan = PLANS[name]
    source = ROOT / "plans" / "sources" / f"{name}.md"
    raw = source.read_bytes()
    assert (plan.source, plan.sha256) == (source.name, hashlib.sha256(raw).hexdigest())
    phrases = {check: entry.phrases for check, entry in CATALOGUE.items()}
    again, changes = build(
        parse(raw.decode()),
        name=name,
        source=source.name,
        raw=raw,
        suggest=lambda t, s: suggest.suggest(t, s, phrases),
        previous=plan,
    )
    assert not changes.any, changes.lines()
    assert again == plan


@pytest.mark.parametrize("name", NAMES)
def test_every_checkbox_of_the_source_is_an_item(name: str) -> None:
    """Every line of the markdown with a box is an item (nothing dropped silently)."""
    text = (ROOT / "plans" / "sources" / f"{name}.md").read_text()
    boxes = [n for n, line in enumerate(text.splitlines(), 1) if re.search(r"(^|\s|\|)\[[ xX]\]\s", line)]
    plan = PLANS[name]
    assert sorted(i.line for i in plan.items if i.kind.value != "step") == boxes


@pytest.mark.parametrize("name", NAMES)
def test_every_mapping_is_reviewed_and_resolves(name: str) -> None:
    """Every mapping is confirmed, names real checks, and a not-applicable item says why."""
    plan = PLANS[name]
    assert store.unknown_checks(plan, CATALOGUE) == []
    for item in plan.items:
        assert item.mapping.review is Review.CONFIRMED, item.id
        if item.mapping.kind is MappingKind.NOT_APPLICABLE:
            assert len(item.mapping.reason) > 10, item.id


def test_every_covers_reference_is_a_real_item_mapped_to_the_check() -> None:
    """A check's covers (docs/checks.md, evidence.json) name items whose mapping names it."""
    seen = 0
    for check_id, entry in CATALOGUE.items():
        for ref in entry.spec.covers:
            name, item_id = split_ref(ref)
            assert name in PLANS and item_id in PLANS[name], ref
            assert check_id in PLANS[name].item(item_id).mapping.checks, (check_id, ref)
            seen += 1
    automated = sum(len(i.mapping.checks) for p in PLANS.values() for i in p.items)
    assert seen == automated > 0


def test_stages_are_the_gate_stages() -> None:
    """A manual item's stage is one of the gate's stage markers."""
    assert tuple(s.value for s in Stage) == collection.STAGES


def test_counts_in_the_docs_are_current() -> None:
    """docs/plans.md shows the per-plan counts that `gonogo plan show` prints."""
    text = (ROOT / "docs" / "plans.md").read_text()
    for name, plan in PLANS.items():
        c = counts(plan)
        row = (
            f"| `{name}` | {len(plan.items)} | {c.get('automated', 0)} | {c.get('manual', 0)} "
            f"| {c.get('not-applicable', 0)} | {c.get('group', 0)} |"
        )
        assert row in text, row
