"""Attestations: a person's signed statement that a manual plan item was checked.

``attestations/<env>.toml`` holds them, one ``[[attestations]]`` table each, appended by
``gonogo attest`` (the file is a log: entries are added, never rewritten)::

    [[attestations]]
    item = "alaska-pay:stakeholder-review/security-team-approval"
    by = "Ann Lee"
    at = 2026-12-01T14:53:07Z
    note = "Security review of release 2.0 signed, minutes in CHG-1234"
    evidence = "https://tickets.example.com/CHG-1234"
    valid_days = 30            # or: until = 2026-12-31 (inclusive)

An attestation counts from ``at`` (up to :data:`CLOCK_SKEW` earlier, for the clock of the
machine that wrote it) until ``valid_days`` days later or the end of ``until`` (UTC); after
that it is expired and no longer counts. When an item has several, the valid one that lasts
longest counts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gonogo import files
from gonogo.errors import ConfigError
from gonogo.plans import tomlout
from gonogo.plans.model import Plan, split_ref
from gonogo.plans.store import first_error

CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_DAYS = 366
HEADER = """\
# Attestations for this environment (docs/plans.md): a person checked a manual plan item.
# Written by `gonogo attest ITEM --by NAME --note ... --env ENV`; entries are only appended.
"""
_URL = re.compile(r"^https?://[^\s/@]+(?:[/?#]\S*)?$")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    item: str = Field(pattern=r"^[a-z0-9-]+:\S+$")
    by: str = Field(min_length=1, max_length=200)
    at: dt.datetime
    note: str = Field(min_length=1, max_length=2000)
    evidence: str = ""
    valid_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    until: dt.date | None = None

    @field_validator("by", "note")
    @classmethod
    def _words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2026-12-01T14:53:07Z")
        return value.astimezone(dt.UTC)

    @field_validator("evidence")
    @classmethod
    def _link(cls, value: str) -> str:
        return check_evidence(value)

    @model_validator(mode="after")
    def _validity(self) -> _Entry:
        if (self.valid_days is None) == (self.until is None):
            raise ValueError("give exactly one of valid_days and until")
        if self.until is not None and self.until < self.at.date():
            raise ValueError(f"until {self.until} is before the attestation ({self.at.date()})")
        if self.until is not None and (self.until - self.at.date()).days > MAX_DAYS:
            raise ValueError(f"until is more than {MAX_DAYS} days after the attestation")
        return self


def check_evidence(value: str) -> str:
    """An evidence link: empty, or an http(s) URL without a user name or password in it."""
    if value and not _URL.match(value):
        raise ValueError(
            "evidence must be an http:// or https:// link without spaces or user:password@"
        )
    return value


@dataclass(frozen=True, slots=True)
class Attestation:
    """One person's statement that an item was checked.

    Attributes:
        item: ``<plan>:<item id>``.
        by: who checked it. at: when (UTC). note: what they did or saw.
        evidence: a link to the proof (ticket, document), may be empty.
        valid_days: how long it counts, in days from ``at``; or
        until: the last day it counts (inclusive, UTC).
    """

    item: str
    by: str
    at: dt.datetime
    note: str
    evidence: str = ""
    valid_days: int | None = None
    until: dt.date | None = None

    @property
    def expires(self) -> dt.datetime:
        """The first moment it no longer counts."""
        if self.valid_days is not None:
            return self.at + dt.timedelta(days=self.valid_days)
        assert self.until is not None
        return dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), dt.UTC)

    def valid_at(self, now: dt.datetime) -> bool:
        return self.at - CLOCK_SKEW <= now < self.expires

    def line(self) -> str:
        """``by Ann Lee on 2026-12-01, until 2026-12-31: <note>``."""
        last = (self.expires - dt.timedelta(seconds=1)).date().isoformat()
        return f"by {self.by} on {self.at.date().isoformat()}, until {last}: {self.note}"


def load(path: Path) -> tuple[Attestation, ...]:
    """The attestations of ``path`` (none when the file does not exist)."""
    if not path.exists() and not path.is_symlink():
        return ()
    data = files.read_toml(path, what="attestations")
    unknown = sorted(set(data) - {"attestations"})
    if unknown:
        raise ConfigError(f"attestations {path}: {unknown[0]}: unknown key (only [[attestations]])")
    raw = data.get("attestations", [])
    if not isinstance(raw, list):
        raise ConfigError(f"attestations {path}: attestations: must be [[attestations]] tables")
    out: list[Attestation] = []
    for index, entry in enumerate(raw):
        try:
            parsed = _Entry.model_validate(entry)
        except ValidationError as err:
            loc, message = first_error(err)
            where = ".".join(str(p) for p in loc)
            item = entry.get("item") if isinstance(entry, dict) else None
            label = f"attestations[{index}]" + (f" ({item})" if isinstance(item, str) else "")
            raise ConfigError(
                f"attestations {path}: {label}{'.' + where if where else ''}: {message}"
            ) from None
        out.append(Attestation(**parsed.model_dump()))
    return tuple(out)


def make(
    item: str,
    *,
    by: str,
    note: str,
    at: dt.datetime,
    evidence: str = "",
    valid_days: int | None = None,
    until: dt.date | None = None,
) -> Attestation:
    """A validated attestation (ValueError with the reason otherwise)."""
    try:
        entry = _Entry.model_validate(
            {
                "item": item,
                "by": by,
                "at": at,
                "note": note,
                "evidence": evidence,
                "valid_days": valid_days,
                "until": until,
            }
        )
    except ValidationError as err:
        loc, message = first_error(err)
        where = ".".join(str(p) for p in loc)
        raise ValueError(f"{where + ': ' if where else ''}{message}") from None
    return Attestation(**entry.model_dump())


def dumps(attestation: Attestation) -> str:
    a = attestation
    return tomlout.table(
        "[[attestations]]",
        [
            ("item", a.item),
            ("by", a.by),
            ("at", a.at),
            ("note", a.note),
            ("evidence", a.evidence or None),
            ("valid_days", a.valid_days),
            ("until", a.until),
        ],
    )


def append(path: Path, attestation: Attestation) -> None:
    """Add ``attestation`` to the file (created with a header), after checking the file loads."""
    load(path)  # never append to a file that is already broken
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = path.read_text(encoding="utf-8") if path.exists() else HEADER
    except OSError as err:
        raise ConfigError(f"attestations {path}: cannot read ({err.strerror})") from err
    separator = "" if existing.endswith("\n\n") else ("\n" if existing.endswith("\n") else "\n\n")
    try:
        with path.open("w" if not path.exists() else "a", encoding="utf-8") as out:
            if out.tell() == 0:
                out.write(existing)
            out.write(separator + dumps(attestation))
    except OSError as err:
        raise ConfigError(f"attestations {path}: cannot write ({err.strerror})") from err


def for_plan(plan: Plan, attestations: Iterable[Attestation]) -> dict[str, list[Attestation]]:
    """The plan's attestations by item id (references to other plans left out)."""
    out: dict[str, list[Attestation]] = {}
    for a in attestations:
        name, item = split_ref(a.item)
        if name == plan.name:
            out.setdefault(item, []).append(a)
    return out


def stale(plans: Mapping[str, Plan], attestations: Iterable[Attestation]) -> list[str]:
    """The references of attestations whose plan or item no longer exists."""
    out: list[str] = []
    for a in attestations:
        name, item = split_ref(a.item)
        plan = plans.get(name or "")
        if (plan is None or item not in plan) and a.item not in out:
            out.append(a.item)
    return out
