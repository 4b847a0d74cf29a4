"""Importing a plan and importing it again: mappings carried over, every change listed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from gonogo.model import Severity
from gonogo.plans import store, suggest
from gonogo.plans.markdown import parse
from gonogo.plans.model import Mapping, MappingKind, Plan, Review, Stage
from gonogo.plans.reimport import Changes, build

PHRASES = {"tls.certificate": ("ssl certificates valid",), "pg.migrations": ("database migrations",)}

PLAN = """\
# Alaska Pay - Production Deployment Procedures

### Infrastructure
- [ ] Production database configured
- [ ] SSL certificates valid
- [ ] CDN configured

### Staging Verification
- [ ] Database migrations successful
- [ ] No console errors
"""


def _suggest(text: str, section: Sequence[str]) -> Mapping:
    return suggest.suggest(text, section, PHRASES)


def _import(markdown: str, previous: Plan | None = None) -> tuple[Plan, Changes]:
    return build(
        parse(markdown),
        name="alaska-pay",
        source="alaska-pay.md",
        raw=markdown.encode(),
        suggest=_suggest,
        previous=previous,
    )


def _confirmed(plan: Plan) -> Plan:
    """The plan as a reviewer leaves it: every mapping confirmed, one manual item a major."""
    items = []
    for item in plan.items:
        mapping = replace(item.mapping, review=Review.CONFIRMED)
        if item.id == "infrastructure/cdn-configured":
            mapping = replace(mapping, severity=Severity.MAJOR, stage=Stage.SMOKE, reason="CDN team")
        items.append(replace(item, mapping=mapping))
    return replace(plan, items=tuple(items), manual_gate=False)


def _mappings(plan: Plan) -> dict[str, Mapping]:
    return {item.id: item.mapping for item in plan.items}


def test_first_import_suggests_and_keeps_every_item() -> None:
    """Every item is in the plan, with a suggested mapping: matching checks, else manual."""
    plan, changes = _import(PLAN)
    assert [i.text for i in plan.items] == [
        "Production database configured",
        "SSL certificates valid",
        "CDN configured",
        "Database migrations successful",
        "No console errors",
    ]
    assert plan.title == "Alaska Pay - Production Deployment Procedures"
    mappings = _mappings(plan)
    assert mappings["infrastructure/ssl-certificates-valid"] == Mapping(
        MappingKind.CHECKS, Review.SUGGESTED, checks=("tls.certificate",)
    )
    assert mappings["infrastructure/cdn-configured"].kind is MappingKind.MANUAL
    assert all(m.review is Review.SUGGESTED for m in mappings.values())
    assert not changes.any


def test_reimport_unchanged_keeps_everything() -> None:
    """The same plan imported again changes nothing and keeps every reviewed mapping."""
    reviewed = _confirmed(_import(PLAN)[0])
    again, changes = _import(PLAN, reviewed)
    assert again == reviewed
    assert changes == Changes(kept=5)


def test_text_above_changes_keep_ids_and_mappings() -> None:
    """New sections and items above, renamed outer headings: ids and confirmed mappings stay."""
    reviewed = _confirmed(_import(PLAN)[0])
    edited = PLAN.replace(
        "### Infrastructure",
        "## Phase 0\n### Kickoff\n- [ ] Kickoff meeting held\n\n## Phase 1\n### Infrastructure",
    )
    again, changes = _import(edited, reviewed)
    assert [i.id for i in changes.added] == ["kickoff/kickoff-meeting-held"]
    assert _mappings(again) == {"kickoff/kickoff-meeting-held": again.items[0].mapping} | _mappings(
        reviewed
    )
    assert again.manual_gate is False  # the plan's own settings are kept
    # "## Phase 1" now holds both lists: every old item moved under it, none was lost
    assert {new.id for _old, new in changes.moved} == set(_mappings(reviewed))
    assert all(new.section[0] == "Phase 1" for _old, new in changes.moved)


def test_removed_moved_and_edited_items_are_listed() -> None:
    """A removed item is listed; a moved one keeps its mapping; an edited one goes back to review."""
    reviewed = _confirmed(_import(PLAN)[0])
    edited = (
        PLAN.replace("- [ ] No console errors\n", "")
        .replace("- [ ] CDN configured\n", "")
        .replace("successful", "successfull")
        + "\n### Launch Day\n- [ ] CDN configured\n"
    )
    again, changes = _import(edited, reviewed)
    assert [o.text for o in changes.removed] == ["No console errors"]
    assert [(o.id, n.id) for o, n in changes.moved] == [
        ("infrastructure/cdn-configured", "launch-day/cdn-configured")
    ]
    assert _mappings(again)["launch-day/cdn-configured"] == _mappings(reviewed)["infrastructure/cdn-configured"]
    [(old, new)] = changes.edited
    assert (old.text, new.text) == ("Database migrations successful", "Database migrations successfull")
    assert new.mapping == replace(old.mapping, review=Review.SUGGESTED)
    assert any(line.startswith("removed  staging-verification/no-console-errors") for line in changes.lines())


def test_a_new_duplicate_renames_and_keeps_the_mapping() -> None:
    """A new item with the same words under a section of the same name changes the old id
    (rule 2), and the mapping follows it."""
    reviewed = _confirmed(_import(PLAN)[0])
    edited = PLAN + "\n## Later\n### Infrastructure\n- [ ] CDN configured\n"
    _again, changes = _import(edited, reviewed)
    [(old, new)] = changes.renamed
    assert old.id == "infrastructure/cdn-configured" and new.id.startswith("infrastructure/cdn-configured~")
    assert new.mapping == old.mapping
    assert [a.section for a in changes.added] == [("Later", "Infrastructure")]


def test_groups_follow_the_markdown() -> None:
    """A checkbox gains sub-items: it becomes a group; it loses them: back to a suggestion."""
    nested = "### DB\n- [ ] **Database**\n  - [ ] Indexes created\n"
    plan, _ = _import(nested)
    assert plan.items[0].mapping.kind is MappingKind.GROUP
    assert plan.items[1].parent == plan.items[0].id
    flat, _ = _import("### DB\n- [ ] **Database**\n", plan)
    assert flat.items[0].mapping.kind is MappingKind.MANUAL
    assert flat.items[0].mapping.review is Review.SUGGESTED


def test_round_trip_through_the_file(tmp_path: Path) -> None:
    """A plan written to plans/<name>.toml reads back equal, notes, stages and all."""
    plan = _confirmed(_import(PLAN + "- [x] Ticked **already** \"quoted\" \\ back\u007f\n")[0])
    plan = replace(
        plan,
        items=(
            replace(
                plan.items[0],
                mapping=Mapping(MappingKind.NOT_APPLICABLE, Review.CONFIRMED, reason="n/a: é ✅"),
            ),
            *plan.items[1:],
        ),
    )
    path = store.save(plan, tmp_path)
    assert path == tmp_path / "alaska-pay.toml"
    assert store.load(path) == plan
    assert plan.items[-1].ticked is True
