"""Write the small TOML subset plan and attestation files use, in a fixed, diff-friendly layout.

Values are strings, booleans, integers, dates, UTC datetimes and lists of strings; tables are
written in the order given, keys too. Output is always read back by :mod:`tomllib` in tests.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

Value = str | bool | int | dt.date | dt.datetime | Sequence[str]


def string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def value(data: Value) -> str:
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, int):
        return str(data)
    if isinstance(data, str):
        return string(data)
    if isinstance(data, dt.datetime):
        if data.tzinfo is None:
            raise ValueError("datetimes are written in UTC with their offset")
        return data.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(data, dt.date):
        return data.isoformat()
    return "[" + ", ".join(string(s) for s in data) + "]"


def table(header: str, pairs: Iterable[tuple[str, Value | None]]) -> str:
    """``[header]`` (or ``[[header]]`` when given so) and its ``key = value`` lines; None skipped."""
    lines = [header]
    lines += [f"{key} = {value(data)}" for key, data in pairs if data is not None]
    return "\n".join(lines) + "\n"
