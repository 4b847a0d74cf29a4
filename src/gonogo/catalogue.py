"""The check catalogue: every check id with its title, default severity and the phrasings it verifies.

The catalogue is data (``catalogue/*.toml`` at the suite's root, one file per family), so that
``gonogo checks`` can list it without collecting tests, waivers can be validated before anything
runs, and the documentation is generated from the same source. Which plan items a check covers
is not written here: it follows from the reviewed mappings of ``plans/*.toml`` (``load(...,
plans=...)``); ``phrases`` are what the plan importer matches to suggest the check. A gate test names its check with
``@pytest.mark.check("tls.cert-expiry")``; an id that is not in the catalogue is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gonogo import files
from gonogo.errors import ConfigError
from gonogo.model import CheckSpec, Severity
from gonogo.schema import COMPONENTS, shown_section

_KEY = re.compile(r"[a-z_][a-z0-9_]*")
_CHECK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    title: str = Field(min_length=3)
    severity: Severity
    phrases: list[str] = Field(default_factory=list)
    covers: list[str] | None = None  # refused below: plan items live in plans/*.toml
    intrusive: bool = False
    markers: list[str] = Field(default_factory=list)
    notes: str = ""
    timeout_s: float | None = Field(default=None, gt=0, le=7 * 86400)
    requires: list[str] = Field(default_factory=list)

    @field_validator("covers")
    @classmethod
    def _no_covers(cls, value: list[str] | None) -> None:
        raise ValueError(
            "free-text covers were replaced: map plan items to checks in plans/*.toml and list "
            'the phrasings the check verifies in phrases = ["..."] (docs/plans.md)'
        )

    @field_validator("phrases")
    @classmethod
    def _phrases(cls, value: list[str]) -> list[str]:
        if any(not p.strip() for p in value):
            raise ValueError("a phrase is blank")
        return [" ".join(p.split()) for p in value]

    @field_validator("requires")
    @classmethod
    def _components(cls, value: list[str]) -> list[str]:
        # a section, or an opt-in key of one: "web.health_path"
        unknown = [
            name
            for name in value
            if name.partition(".")[0] not in COMPONENTS
            or not _KEY.fullmatch(name.partition(".")[2] or "x")
        ]
        if unknown:
            raise ValueError(
                f"{', '.join(map(repr, unknown))} is not an optional environment section "
                f"(one of {', '.join(COMPONENTS)}) or a key of one (web.health_path)"
            )
        return sorted(set(value))


@dataclass(frozen=True, slots=True)
class Entry:
    """A catalogue row.

    Attributes:
        spec: identity and default severity.
        markers: stage and topic markers the check carries (documentation only).
        notes: markdown notes (deliberate differences from other graders, caveats).
        source: the catalogue file the entry came from.
        phrases: phrasings of plan items the check verifies (suggestions at plan import).
        timeout_s: time limit of the check in seconds (default: pytest-timeout's ``timeout``
            ini value, 300 s in this suite); an environment file may override it.
    """

    spec: CheckSpec
    markers: tuple[str, ...]
    notes: str
    source: Path
    timeout_s: float | None = None
    phrases: tuple[str, ...] = ()


class Catalogue(Mapping[str, Entry]):
    """All known checks, by id."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self._entries = dict(sorted(entries.items()))

    def __getitem__(self, key: str) -> Entry:
        return self._entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def spec(self, check_id: str) -> CheckSpec:
        try:
            return self._entries[check_id].spec
        except KeyError:
            raise ConfigError(
                f"unknown check id {check_id!r}; add it to a catalogue file (catalogue/*.toml) "
                "or fix the typo (`gonogo checks` lists the known ids)"
            ) from None


def load(path: Path, plans: Path | None = None) -> Catalogue:
    """Load a catalogue file or every ``*.toml`` in a catalogue directory.

    With ``plans`` (the suite's ``plans/`` directory), each check's ``covers`` lists the plan
    items whose confirmed mapping names it (``<plan>:<item id>``, :func:`gonogo.plans.store.covers`).
    """
    paths = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not paths or not path.exists():
        raise ConfigError(f"check catalogue {path}: not found")
    entries: dict[str, Entry] = {}
    for file in paths:
        data = files.read_toml(file, what="check catalogue")
        for check_id, raw in data.items():
            if not _CHECK_ID.match(check_id):
                raise ConfigError(f"check catalogue {file}: {check_id!r} is not a dotted check id")
            if check_id in entries:
                raise ConfigError(
                    f"check catalogue {file}: {check_id} is already defined in {entries[check_id].source}"
                )
            try:
                entry = _Entry.model_validate(raw)
            except ValidationError as err:
                first = err.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ConfigError(
                    f"check catalogue {file}: {check_id}.{where}: {first['msg']}"
                ) from None
            entries[check_id] = Entry(
                spec=CheckSpec(
                    id=check_id,
                    title=entry.title,
                    severity=entry.severity,
                    intrusive=entry.intrusive,
                    requires=tuple(entry.requires),
                ),
                markers=tuple(entry.markers),
                notes=entry.notes.strip(),
                source=file,
                timeout_s=entry.timeout_s,
                phrases=tuple(entry.phrases),
            )
    if plans is not None:
        entries = _with_covers(entries, plans)
    return Catalogue(entries)


def _with_covers(entries: dict[str, Entry], directory: Path) -> dict[str, Entry]:
    from gonogo.plans import store

    loaded = store.load_all(directory)
    unknown = [p for plan in loaded.values() for p in store.unknown_checks(plan, entries)]
    if unknown:
        raise ConfigError(f"plans in {directory}: {unknown[0]}")
    covers = store.covers(loaded)
    return {
        check_id: replace(entry, spec=replace(entry.spec, covers=covers.get(check_id, ())))
        for check_id, entry in entries.items()
    }


def render_text(catalogue: Catalogue) -> str:
    """The catalogue as a terminal table (``gonogo checks``)."""
    width = max((len(i) for i in catalogue), default=10)
    lines = [f"{'check id':<{width}}  {'severity':<8}  {'':1}  title", "-" * (width + 60)]
    for check_id, entry in catalogue.items():
        flag = "!" if entry.spec.intrusive else " "
        lines.append(
            f"{check_id:<{width}}  {entry.spec.severity.value:<8}  {flag}  {entry.spec.title}"
        )
    lines.append("")
    lines.append(
        f"{len(catalogue)} checks; ! = intrusive (refused on sensitive environments without --allow-intrusive)"
    )
    return "\n".join(lines)


def render_markdown(catalogue: Catalogue) -> str:
    """The catalogue as the documentation page ``docs/checks.md``."""
    out = [
        "# Check catalogue",
        "",
        "Generated from `catalogue/*.toml` by `gonogo checks --markdown`; do not edit by hand.",
        'Severity is the default; an environment file may override it (`[checks."<id>"] severity = ...`).',
        "Intrusive checks are refused on `sensitive = true` environments unless `--allow-intrusive`.",
        "",
        "A check is not applicable on an environment without a section it requires, whether it "
        "was selected or not.",
        "",
        "| check id | verifies | default severity | markers | requires | intrusive | plan items covered |",
        "|---|---|---|---|---|---|---|",
    ]
    for check_id, entry in catalogue.items():
        covers = "<br>".join(f"`{ref}`" for ref in entry.spec.covers) or "—"
        requires = ", ".join(f"`{shown_section(name)}`" for name in entry.spec.requires) or "—"
        out.append(
            f"| `{check_id}` | {entry.spec.title} | {entry.spec.severity.value} | "
            f"{', '.join(entry.markers) or '—'} | {requires} | "
            f"{'yes' if entry.spec.intrusive else 'no'} | {covers} |"
        )
    noted = [(i, e) for i, e in catalogue.items() if e.notes]
    if noted:
        out += ["", "## Notes", ""]
        for check_id, entry in noted:
            out += [f"### `{check_id}`", "", entry.notes, ""]
    return "\n".join(out).rstrip() + "\n"
