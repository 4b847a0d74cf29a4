"""Import a plan, or import it again: carry every mapping over to the new text, list what changed.

Matching an item of the new import to one of the previous file, in this order:

1. the same id: the mapping is kept (a changed outer section is reported as moved);
2. the same words in a section of the same words: the id changed (rule 2 of
   :mod:`gonogo.plans.ids`), the mapping is kept;
3. the same words once in each version, elsewhere: moved, the mapping is kept;
4. similar words (difflib ratio >= 0.8) in the same innermost section: edited, the mapping is
   kept but goes back to ``suggested``: what the item asks may have changed;
5. otherwise the new item is added with a suggested mapping, and the old one is removed.

Whether an item is a group follows the new markdown. The plan's own settings (severity and
stage of manual items, ``manual_gate``) are kept. Nothing is dropped silently: every removed
item is listed in :class:`Changes`.
"""

from __future__ import annotations

import difflib
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from gonogo.plans import ids
from gonogo.plans.markdown import ParsedPlan
from gonogo.plans.model import GROUP, MappingKind, Plan, PlanItem, Review
from gonogo.plans.model import Mapping as ItemMapping

Suggester = Callable[[str, Sequence[str]], ItemMapping]
_SIMILAR = 0.8
_MAX_SIMILAR = 200  # candidates compared per item: a huge section must not make it quadratic


@dataclass(frozen=True, slots=True)
class Changes:
    """What a re-import changed, item by item (all empty on a first import).

    Attributes:
        added: items new in this import (their mappings are suggestions).
        removed: items of the previous file that are no longer in the plan.
        moved: (old, new) pairs whose section changed; mapping kept.
        renamed: (old, new) pairs whose id changed; mapping kept.
        edited: (old, new) pairs whose words changed; mapping kept, review reset to suggested.
        kept: how many items were matched unchanged.
    """

    added: tuple[PlanItem, ...] = ()
    removed: tuple[PlanItem, ...] = ()
    moved: tuple[tuple[PlanItem, PlanItem], ...] = ()
    renamed: tuple[tuple[PlanItem, PlanItem], ...] = ()
    edited: tuple[tuple[PlanItem, PlanItem], ...] = ()
    kept: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.moved or self.renamed or self.edited)

    def lines(self) -> list[str]:
        """One line per change, for the terminal."""
        out = [f"added    {n.id}: {n.text}" for n in self.added]
        out += [f"removed  {o.id}: {o.text} (was {o.mapping.kind.value})" for o in self.removed]
        out += [f"renamed  {o.id} -> {n.id}" for o, n in self.renamed]
        out += [
            f"moved    {n.id}: {' > '.join(o.section)} -> {' > '.join(n.section)}"
            for o, n in self.moved
        ]
        out += [f"edited   {n.id}: {o.text!r} -> {n.text!r} (review again)" for o, n in self.edited]
        return out


def build(
    parsed: ParsedPlan,
    *,
    name: str,
    source: str,
    raw: bytes,
    suggest: Suggester,
    previous: Plan | None = None,
) -> tuple[Plan, Changes]:
    """The plan for ``parsed``, with the mappings of ``previous`` carried over."""
    new_ids = ids.assign(parsed.items)
    parents = {p for p in (i.parent for i in parsed.items) if p is not None}
    fresh = [
        PlanItem(
            id=new_ids[index],
            section=item.section,
            text=item.text,
            kind=item.kind,
            line=item.line,
            ticked=item.ticked,
            parent=new_ids[item.parent] if item.parent is not None else None,
            mapping=GROUP if index in parents else suggest(item.text, item.section),
        )
        for index, item in enumerate(parsed.items)
    ]
    items, changes = _carry(fresh, list(previous.items) if previous else [])
    if previous is None:
        changes = Changes()  # a first import changes nothing: there was nothing before
    plan = Plan(
        name=name,
        title=parsed.title or name,
        source=source,
        sha256=hashlib.sha256(raw).hexdigest(),
        items=tuple(items),
    )
    if previous is not None:
        plan = replace(
            plan,
            manual_severity=previous.manual_severity,
            default_stage=previous.default_stage,
            manual_gate=previous.manual_gate,
        )
    return plan, changes


def _carry(fresh: list[PlanItem], old: list[PlanItem]) -> tuple[list[PlanItem], Changes]:
    matched: dict[int, PlanItem] = {}  # index in fresh -> old item
    how: dict[int, str] = {}
    unmatched = {o.id: o for o in old}
    # indexes of the old items by what each matching rule compares (each used once)
    by_key: dict[tuple[tuple[str, ...], str], list[PlanItem]] = {}
    by_text: dict[str, list[PlanItem]] = {}
    by_section: dict[str, list[PlanItem]] = {}
    for o in old:
        by_key.setdefault(_key(o), []).append(o)
        by_text.setdefault(ids.normalise(o.text), []).append(o)
        by_section.setdefault(_inner(o), []).append(o)

    def take(index: int, item: PlanItem, kind: str) -> None:
        matched[index] = item
        how[index] = kind
        del unmatched[item.id]

    def free(candidates: list[PlanItem]) -> list[PlanItem]:
        return [c for c in candidates if c.id in unmatched]

    for index, item in enumerate(fresh):
        if item.id in unmatched:
            take(index, unmatched[item.id], "id")
    for index, item in enumerate(fresh):
        same = free(by_key.get(_key(item), [])) if index not in matched else []
        if same:
            take(index, same[0], "renamed")
    text_new = Counter(ids.normalise(i.text) for i in fresh)
    for index, item in enumerate(fresh):
        words = ids.normalise(item.text)
        same = free(by_text.get(words, [])) if index not in matched else []
        if len(same) == 1 and text_new[words] == 1:
            take(index, same[0], "moved")
    for index, item in enumerate(fresh):
        if index not in matched:
            best = _similar(item, free(by_section.get(_inner(item), [])))
            if best is not None:
                take(index, best, "edited")
    return _merge(fresh, matched, how, list(unmatched.values()))


def _key(item: PlanItem) -> tuple[tuple[str, ...], str]:
    return tuple(ids.normalise(s) for s in item.section), ids.normalise(item.text)


def _inner(item: PlanItem) -> str:
    return ids.normalise(item.section[-1]) if item.section else ""


def _similar(item: PlanItem, candidates: list[PlanItem]) -> PlanItem | None:
    """The most similar candidate of the same innermost section, if similar enough."""
    words = ids.normalise(item.text)
    scored = [
        (difflib.SequenceMatcher(None, ids.normalise(c.text), words).ratio(), c)
        for c in candidates[:_MAX_SIMILAR]
    ]
    scored = [(score, c) for score, c in scored if score >= _SIMILAR]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None


def _merge(
    fresh: list[PlanItem],
    matched: dict[int, PlanItem],
    how: dict[int, str],
    removed: list[PlanItem],
) -> tuple[list[PlanItem], Changes]:
    items: list[PlanItem] = []
    added: list[PlanItem] = []
    moved: list[tuple[PlanItem, PlanItem]] = []
    renamed: list[tuple[PlanItem, PlanItem]] = []
    edited: list[tuple[PlanItem, PlanItem]] = []
    kept = 0
    for index, item in enumerate(fresh):
        old = matched.get(index)
        if old is None:
            items.append(item)
            added.append(item)
            continue
        mapping = _carried(old.mapping, item.mapping, edited=how[index] == "edited")
        new = replace(item, mapping=mapping)
        items.append(new)
        if how[index] == "edited":
            edited.append((old, new))
        elif how[index] == "renamed" or (how[index] == "moved" and old.id != new.id):
            (renamed if old.section == new.section else moved).append((old, new))
        elif old.section != new.section:
            moved.append((old, new))
        else:
            kept += 1
    changes = Changes(
        added=tuple(added),
        removed=tuple(removed),
        moved=tuple(moved),
        renamed=tuple(renamed),
        edited=tuple(edited),
        kept=kept,
    )
    return items, changes


def _carried(old: ItemMapping, fresh: ItemMapping, *, edited: bool) -> ItemMapping:
    """The mapping an item keeps: the structure decides groups, a person the rest."""
    if fresh.kind is MappingKind.GROUP:
        return fresh
    if old.kind is MappingKind.GROUP:
        return fresh  # it lost its sub-items: start again from the suggestion
    if edited and old.review is Review.CONFIRMED:
        return replace(old, review=Review.SUGGESTED)
    return old
