"""Read a markdown deployment plan into its checklist items, in order, with their sections.

What is an item (docs/plans.md says the same to users):

* a checkbox, open or ticked, at any depth: ``- [ ]``, ``* [x]``, ``+ [ ]``, ``1. [ ]``, or a
  bare ``[ ]`` at the start of a line; also inside fenced code blocks (plans put checklists in
  them, after ``#`` or ``//`` comment marks too) and in table cells (``| [x] | Backups tested |``);
* a numbered step outside code blocks (``1. Deploy backend to staging``), unless checkboxes
  follow it: then it is the label of those checkboxes (a section), not an item.

Sections are the headings (ATX ``##`` and setext), plus the labels that group checkboxes: a
numbered line or plain bullet with checkboxes under it, a checkbox with checkboxes under it (an
item itself, of kind group), and inside a code block the less indented line above a checkbox
(``1. CORS Configuration``, ``Development Team:``, ``# MongoDB Production Checklist``). The
first ``#`` heading is the plan's title and is not part of the section paths when it is the
only one. Plain bullets, prose and code are not items; :attr:`ParsedPlan.bullets` counts the
plain bullets so an import can say what it left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gonogo.plans.model import ItemKind
from gonogo.plans.mojibake import pictograph, repair

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_CHECKBOX = re.compile(r"^(\s*)(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?\[([ xX])\](?:[ \t]+(.*))?$")
_FENCED_CHECKBOX = re.compile(
    r"^(\s*)(?:(?:#+|//|--|;)[ \t]*)?(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?\[([ xX])\](?:[ \t]+(.*))?$"
)
_NUMBERED = re.compile(r"^(\s*)\d{1,9}[.)][ \t]+(.*)$")
_BULLET = re.compile(r"^(\s*)[-*+][ \t]+(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^[\s|:-]+$")
_CELL_BOX = re.compile(r"^\[([ xX])\](?:\s+(.*))?$")
_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\s]*\)")
_STRONG = re.compile(r"(\*\*|__)([^*_\n]+)\1")
_EMPHASIS = re.compile(r"(?<![\w*_])([*_])(?![\s*_])([^*_\n]+?)(?<!\s)\1(?![\w*_])")
_LABEL_NOISE = re.compile(r"^(?:#+|//+|--+|/\*+|\*+|;+|[-*+]|\d{1,9}[.)])\s+")


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One item as read from the markdown (before ids and mappings).

    Attributes:
        section: the headings and labels above it, outermost first.
        text: the item's text without its list marker or checkbox, mojibake repaired.
        kind: checkbox, numbered step or table-cell checkbox.
        ticked: whether its box is ticked in the plan (None for a step).
        line: 1-based line number in the plan.
        parent: index of the checkbox item it is nested under, if any.
    """

    section: tuple[str, ...]
    text: str
    kind: ItemKind
    ticked: bool | None
    line: int
    parent: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedPlan:
    """A parsed plan: its title and items in document order.

    Attributes:
        title: the first ``#`` heading (empty when there is none).
        items: every item, in the order of the plan.
        bullets: plain bullets outside code blocks, which are not items.
    """

    title: str
    items: tuple[ParsedItem, ...]
    bullets: int = 0


@dataclass(slots=True)
class _Entry:
    """An open list line that may become a label (or parent) of the checkboxes under it."""

    indent: int
    text: str
    numbered: bool = False
    item: int | None = None  # the item it is: a checkbox, or a numbered step until proven a label
    children: int = 0  # checkboxes under it

    @property
    def label(self) -> bool:
        """Whether it names a section of the items under it."""
        return bool(self.text) and (
            self.children > 0 if self.item is None or self.numbered else True
        )


@dataclass(slots=True)
class _Draft:
    headings: list[str]
    ancestors: list[_Entry]
    fenced: list[str]
    text: str
    kind: ItemKind
    ticked: bool | None
    line: int
    parent: int | None = None
    step: _Entry | None = None


@dataclass(slots=True)
class _State:
    headings: list[tuple[int, str]] = field(default_factory=list)
    stack: list[_Entry] = field(default_factory=list)
    drafts: list[_Draft] = field(default_factory=list)
    fence_labels: list[tuple[int, str]] = field(default_factory=list)
    label: str | None = None  # the pseudo-heading in force
    bullets: int = 0

    def pop_to(self, indent: int, *, keep_numbered: bool = False) -> None:
        """Close the list lines at ``indent`` or deeper (a numbered one at ``indent`` may stay)."""
        self.stack = [
            e
            for e in self.stack
            if e.indent < indent or (keep_numbered and e.numbered and e.indent == indent)
        ]


def clean(text: str) -> str:
    """Inline markdown reduced to its words: emphasis, code marks and link targets removed."""
    # every pattern stops at the next bracket or mark: linear on hostile lines
    text = _LINK.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = text.replace("`", "")
    return " ".join(text.split())


def _label(text: str) -> str:
    """A code-block line or list line as a section label: marks and a trailing colon removed."""
    text = text.strip()
    while True:
        stripped = _LABEL_NOISE.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return clean(text).rstrip(":").strip()


def _closing_hashes(text: str) -> str:
    """An ATX heading without its optional closing ``#`` run (``## Title ##``)."""
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        return bare.rstrip()
    return text


def _heading_text(raw: str | None) -> str:
    """A heading's words: trailing hashes, emphasis and leading emoji decoration removed."""
    text = clean(_closing_hashes((raw or "").strip()))
    while text and (pictograph(text[0]) or text[0] == "\ufe0f"):
        text = text[1:].lstrip()
    return text


def _pseudo_heading(line: str) -> str | None:
    """A paragraph line that names the list below it: ``**If Deployment Fails**:``, ``Next steps:``."""
    text = line.strip()
    if len(text) > 80 or _is_paragraph(line) is False:
        return None
    bold = re.fullmatch(r"(\*\*|__)(.+?)\1:?", text)
    if bold or text.endswith(":"):
        return _heading_text(text).rstrip(":").strip() or None
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def parse(text: str) -> ParsedPlan:
    """Parse a plan's markdown (mojibake is repaired first)."""
    text = repair(text.lstrip("\ufeff")).replace("\r\n", "\n").replace("\r", "\n")
    state = _State()
    headings: list[tuple[int, str]] = []
    fence: tuple[str, int] | None = None
    previous = ""  # the last line outside code blocks, for setext headings
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.expandtabs(4)
        opening = _FENCE.match(line)
        if fence is not None:
            closing = (
                opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= fence[1]
            )
            if closing and opening is not None and not opening.group(2).strip():
                fence = None
            else:
                _fenced_line(state, line, number)
            continue
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            fence = (opening.group(1)[0], len(opening.group(1)))
            state.fence_labels = []
            state.pop_to(_indent(line), keep_numbered=True)
            previous = ""
            continue
        atx = _ATX.match(line)
        setext = _SETEXT.match(line)
        if atx:
            level, title = len(atx.group(1)), _heading_text(atx.group(2))
        elif setext and previous.strip() and _is_paragraph(previous):
            level, title = (1 if setext.group(1)[0] == "=" else 2), _heading_text(previous)
        else:
            _body_line(state, line, number)
            previous = line
            continue
        headings.append((level, title))
        state.headings = [h for h in state.headings if h[0] < level] + [(level, title)]
        state.stack = []
        state.label = None
        previous = ""
    return _finish(state, headings)


def _is_paragraph(line: str) -> bool:
    return not any(p.match(line) for p in (_CHECKBOX, _NUMBERED, _BULLET, _TABLE_ROW, _ATX, _FENCE))


def _body_line(state: _State, line: str, number: int) -> None:
    if not line.strip():
        return
    box = _CHECKBOX.match(line)
    if box:
        _add_checkbox(state, len(box.group(1)), box.group(2), box.group(3) or "", number, [])
        return
    match = _NUMBERED.match(line) or _BULLET.match(line)
    if match:
        numbered = match.re is _NUMBERED
        indent = len(match.group(1))
        state.pop_to(indent)
        entry = _Entry(indent=indent, text=_label(match.group(2)), numbered=numbered)
        if numbered:
            entry.item = _add(state, match.group(2), ItemKind.STEP, None, number, [])
            state.drafts[entry.item].step = entry
        else:
            state.bullets += 1
        state.stack.append(entry)
        return
    if _TABLE_ROW.match(line):
        _table_row(state, line, number)
        return
    state.pop_to(_indent(line))
    state.label = _pseudo_heading(line)


def _fenced_line(state: _State, line: str, number: int) -> None:
    if not line.strip():
        return
    indent = _indent(line)
    box = _FENCED_CHECKBOX.match(line)
    if box is None:
        label = _label(line)
        state.fence_labels = [lab for lab in state.fence_labels if lab[0] < indent]
        if label:
            state.fence_labels.append((indent, label))
        return
    labels = [text for at, text in state.fence_labels if at <= indent]
    # deeper than any list line outside the block, so that it nests under the step it is in
    _add_checkbox(state, 1000 + indent, box.group(2), box.group(3) or "", number, labels)


def _add_checkbox(
    state: _State, indent: int, mark: str, text: str, number: int, fenced: list[str]
) -> None:
    # a numbered line at the same indent just above labels the checkboxes after it
    state.pop_to(indent, keep_numbered=True)
    parent = next((e for e in reversed(state.stack) if e.item is not None and not e.numbered), None)
    for entry in state.stack:
        entry.children += 1
    index = _add(state, text, ItemKind.CHECKBOX, mark != " ", number, fenced)
    state.drafts[index].parent = parent.item if parent is not None else None
    state.stack.append(_Entry(indent=indent, text=_label(text), item=index))


def _add(
    state: _State, text: str, kind: ItemKind, ticked: bool | None, number: int, fenced: list[str]
) -> int:
    headings = [title for _level, title in state.headings if title]
    state.drafts.append(
        _Draft(
            headings=headings + ([state.label] if state.label else []),
            ancestors=list(state.stack),
            fenced=fenced,
            text=" ".join(text.split()),
            kind=kind,
            ticked=ticked,
            line=number,
        )
    )
    return len(state.drafts) - 1


def _table_row(state: _State, line: str, number: int) -> None:
    if _TABLE_RULE.match(line):
        return
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
    found = [(i, m) for i, m in ((i, _CELL_BOX.match(c)) for i, c in enumerate(cells)) if m]
    if not found:
        return
    index, match = found[0]
    text = (match.group(2) or "").strip() or " | ".join(
        c for i, c in enumerate(cells) if c and i != index
    )
    if text:
        _add(state, text, ItemKind.TABLE, match.group(1) != " ", number, [])


def _finish(state: _State, headings: list[tuple[int, str]]) -> ParsedPlan:
    h1 = [title for level, title in headings if level == 1]
    title = h1[0] if h1 else ""
    drop_title = len(h1) == 1 and headings[0] == (1, title)
    # a numbered line with checkboxes under it is their label, not an item
    kept = [i for i, d in enumerate(state.drafts) if not (d.step is not None and d.step.children)]
    renumber = {old: new for new, old in enumerate(kept)}
    items: list[ParsedItem] = []
    for old in kept:
        draft = state.drafts[old]
        section = (
            draft.headings[1:] if drop_title and draft.headings[:1] == [title] else draft.headings
        )
        labels = [e.text for e in draft.ancestors if e.label]
        items.append(
            ParsedItem(
                section=tuple(section + labels + draft.fenced),
                text=draft.text,
                kind=draft.kind,
                ticked=draft.ticked,
                line=draft.line,
                parent=renumber.get(draft.parent) if draft.parent is not None else None,
            )
        )
    return ParsedPlan(title=title, items=tuple(items), bullets=state.bullets)
