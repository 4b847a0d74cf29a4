"""Read and write ``plans/<name>.toml``: the imported plan, its items and their mappings.

The file is the boundary a person edits (to confirm or correct mappings), so it is validated
strictly: unknown keys, a wrong type, a duplicate or malformed id, a parent that is not an
earlier item, a mapping without its checks or reason: each is a :class:`ConfigError` naming the
file, the item and the key, one line (exit 4 on the command line). Check ids are validated
against the catalogue separately (:func:`unknown_checks`), where the catalogue is at hand.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gonogo import files
from gonogo.errors import ConfigError
from gonogo.model import Severity
from gonogo.plans import tomlout
from gonogo.plans.ids import ID_PATTERN, PLAN_NAME
from gonogo.plans.model import ItemKind, MappingKind, Plan, PlanItem, Review, Stage
from gonogo.plans.model import Mapping as ItemMapping

MAX_ITEMS = 5000  # the largest sample plan has 205; thousands more is not a checklist
MAX_FILE_BYTES = 8 * 1024 * 1024  # 5000 items with long texts and deep sections
HEADER = """\
# A deployment plan imported by `gonogo plan import` (docs/plans.md): one [[items]] per item of
# the markdown, in its order. Review each mapping, then set review = "confirmed":
#   mapping = "checks"          checks = ["tls.cert-expiry", ...] verify the item (all must pass)
#   mapping = "manual"          a person attests it (`gonogo attest`); severity, stage optional
#   mapping = "not-applicable"  reason = "..." says why no release gate decides it
#   mapping = "group"           a checkbox with checkboxes under it (set by the importer)
# rejected = ["pg.connect"] records suggested checks a reviewer found do not verify the item.
"""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Header(_Strict):
    name: str = Field(pattern=PLAN_NAME.pattern)
    title: str
    source: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    manual_severity: Severity = Field(default=Severity.BLOCKER, strict=False)
    default_stage: Stage = Field(default=Stage.PREDEPLOY, strict=False)
    manual_gate: bool = True


class _Item(_Strict):
    id: str = Field(pattern=ID_PATTERN.pattern)
    section: list[str]
    text: str = Field(min_length=1)
    kind: ItemKind = Field(strict=False)
    line: int = Field(ge=1)
    ticked: bool | None = None
    parent: str | None = None
    mapping: MappingKind = Field(strict=False)
    review: Review = Field(strict=False)
    checks: list[str] = Field(default_factory=list)
    severity: Severity | None = Field(default=None, strict=False)
    stage: Stage | None = Field(default=None, strict=False)
    reason: str = ""
    rejected: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> _Item:
        if self.mapping is MappingKind.CHECKS and not self.checks:
            raise ValueError('mapping = "checks" needs checks = ["<check id>", ...]')
        if self.mapping is not MappingKind.CHECKS and self.checks:
            raise ValueError(
                f'checks are only read with mapping = "checks", not {self.mapping.value!r}'
            )
        if self.mapping is MappingKind.NOT_APPLICABLE and not self.reason.strip():
            raise ValueError('mapping = "not-applicable" needs a reason')
        if len(set(self.checks)) != len(self.checks):
            raise ValueError("a check id is listed twice")
        if set(self.checks) & set(self.rejected):
            raise ValueError("a check is both in checks and in rejected")
        return self


class _File(_Strict):
    plan: _Header
    items: list[_Item] = Field(default_factory=list, max_length=MAX_ITEMS)


def path_for(directory: Path, name: str) -> Path:
    return directory / f"{name}.toml"


def load(path: Path) -> Plan:
    """The plan in ``path``; a :class:`ConfigError` naming the file for anything wrong in it."""
    data = files.read_toml(path, what="plan", limit=MAX_FILE_BYTES)
    try:
        parsed = _File.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"plan {path}: {_where(err, data)}") from None
    plan = _build(parsed)
    problem = _structure(plan, path.stem)
    if problem:
        raise ConfigError(f"plan {path}: {problem}")
    return plan


def first_error(err: ValidationError) -> tuple[list[str | int], str]:
    """The location and message of a validation error's first problem."""
    first = err.errors(include_url=False)[0]
    return list(first["loc"]), str(first["msg"]).removeprefix("Value error, ")


def _where(err: ValidationError, data: dict[str, Any]) -> str:
    loc, message = first_error(err)
    where = ".".join(str(p) for p in loc) or "(top level)"
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = data.get("items")
        raw = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        item_id = raw.get("id") if isinstance(raw, dict) else None
        rest = ".".join(str(p) for p in loc[2:])
        where = f"items[{loc[1]}]" + (f" ({item_id})" if isinstance(item_id, str) else "")
        where += f".{rest}" if rest else ""
    return f"{where}: {message}"


def _build(parsed: _File) -> Plan:
    items = tuple(
        PlanItem(
            id=raw.id,
            section=tuple(raw.section),
            text=raw.text,
            kind=raw.kind,
            line=raw.line,
            ticked=bool(raw.ticked) if raw.kind is not ItemKind.STEP else None,
            parent=raw.parent,
            mapping=ItemMapping(
                kind=raw.mapping,
                review=raw.review,
                checks=tuple(raw.checks),
                severity=raw.severity,
                stage=raw.stage,
                reason=raw.reason.strip(),
                rejected=tuple(raw.rejected),
            ),
        )
        for raw in parsed.items
    )
    header = parsed.plan
    return Plan(
        name=header.name,
        title=header.title,
        source=header.source,
        sha256=header.sha256,
        items=items,
        manual_severity=header.manual_severity,
        default_stage=header.default_stage,
        manual_gate=header.manual_gate,
    )


def _structure(plan: Plan, stem: str) -> str | None:
    """What is wrong across items (ids, parents, groups), or None."""
    if plan.name != stem:
        return f"plan.name {plan.name!r} differs from the file name {stem!r}"
    seen: set[str] = set()
    for index, item in enumerate(plan.items):
        where = f"items[{index}] ({item.id})"
        if item.id in seen:
            return f"{where}: the id is used by an earlier item; ids must be unique"
        if item.parent is not None and item.parent not in seen:
            return f"{where}.parent: {item.parent!r} is not an earlier item"
        seen.add(item.id)
    parents = {item.parent for item in plan.items if item.parent}
    for index, item in enumerate(plan.items):
        grouped = item.mapping.kind is MappingKind.GROUP
        if grouped != (item.id in parents):
            where = f"items[{index}] ({item.id}).mapping"
            return (
                f'{where}: "group" is for an item with items under it, and only for it'
                if grouped
                else f'{where}: items are nested under it, so it is "group"'
            )
    return None


def unknown_checks(plan: Plan, known: Collection[str]) -> list[str]:
    """``<plan>:<item>: unknown check id 'x'`` for each check a mapping names that is unknown."""
    return [
        f"{plan.ref(item.id)}: unknown check id {check!r}"
        for item in plan.items
        for check in (*item.mapping.checks, *item.mapping.rejected)
        if check not in known
    ]


def load_all(directory: Path) -> dict[str, Plan]:
    """Every ``*.toml`` plan of ``directory`` by name (none when it does not exist)."""
    if not directory.is_dir():
        return {}
    return {path.stem: load(path) for path in sorted(directory.glob("*.toml"))}


def dumps(plan: Plan) -> str:
    """The plan as ``plans/<name>.toml`` text."""
    header = plan_header(plan)
    blocks = [HEADER, header]
    blocks += [_item_table(item) for item in plan.items]
    return "\n".join(blocks)


def plan_header(plan: Plan) -> str:
    return tomlout.table(
        "[plan]",
        [
            ("name", plan.name),
            ("title", plan.title),
            ("source", plan.source),
            ("sha256", plan.sha256),
            ("manual_severity", plan.manual_severity.value),
            ("default_stage", plan.default_stage.value),
            ("manual_gate", plan.manual_gate),
        ],
    )


def _item_table(item: PlanItem) -> str:
    m = item.mapping
    return tomlout.table(
        "[[items]]",
        [
            ("id", item.id),
            ("section", list(item.section)),
            ("text", item.text),
            ("kind", item.kind.value),
            ("line", item.line),
            ("ticked", item.ticked if item.ticked else None),
            ("parent", item.parent),
            ("mapping", m.kind.value),
            ("review", m.review.value),
            ("checks", list(m.checks) if m.checks else None),
            ("severity", m.severity.value if m.severity else None),
            ("stage", m.stage.value if m.stage else None),
            ("reason", m.reason or None),
            ("rejected", list(m.rejected) if m.rejected else None),
        ],
    )


def save(plan: Plan, directory: Path) -> Path:
    """Write the plan to ``<directory>/<name>.toml`` (atomically) and return the path."""
    path = path_for(directory, plan.name)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        temporary.write_text(dumps(plan), encoding="utf-8")
        temporary.replace(path)
    except OSError as err:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise ConfigError(f"plan {path}: cannot write ({err.strerror})") from err
    return path


def covers(plans: Mapping[str, Plan]) -> dict[str, tuple[str, ...]]:
    """Check id -> the ``<plan>:<item>`` references whose confirmed mapping names it."""
    out: dict[str, list[str]] = {}
    for plan in plans.values():
        for item in plan.items:
            if item.mapping.kind is MappingKind.CHECKS and item.mapping.confirmed:
                for check in item.mapping.checks:
                    out.setdefault(check, []).append(plan.ref(item.id))
    return {check: tuple(refs) for check, refs in sorted(out.items())}
