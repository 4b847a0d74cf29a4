"""Render the environment-file reference (docs/environment-file.md) from the schema itself."""

from __future__ import annotations

import re
import typing
from typing import Any

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from gonogo.schema import EnvironmentConfig
from gonogo.schema.base import MustExist


def _section_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _section_model(arg)
        if found is not None:
            return found
    return None


def _type_name(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "").replace("pathlib.", "").replace("datetime.", "")
    for prefix in ("<class '", "<enum '"):
        text = text.replace(prefix, "")
    text = text.replace("'>", "")
    # list[Annotated[int, FieldInfo(...)]] -> list[int] (item bounds are in the description)
    text = re.sub(r"Annotated\[(\w+), FieldInfo\(.*\)\]", r"\1", text)
    text = (
        text.replace("gonogo.model.", "").replace("gonogo.schema.", "").replace("NoneType", "None")
    )
    return text.replace("|", "or")


_MUST_EXIST = {"file": "a file", "dir": "a directory", "pem": "a PEM file"}


def _type(field: FieldInfo) -> str:
    """The type column: the type, its bounds (``0 < x ≤ 120``), what must exist."""
    text = _type_name(field.annotation)
    low = next((m for m in field.metadata if isinstance(m, (at.Gt, at.Ge))), None)
    high = next((m for m in field.metadata if isinstance(m, (at.Lt, at.Le))), None)
    if low is not None or high is not None:
        left = f"{low.gt} < " if isinstance(low, at.Gt) else f"{low.ge} ≤ " if low else ""
        right = f" < {high.lt}" if isinstance(high, at.Lt) else f" ≤ {high.le}" if high else ""
        text += f", {left}x{right}"
    exists = next((m for m in field.metadata if isinstance(m, MustExist)), None)
    if exists is not None:
        text += f", {_MUST_EXIST[exists.kind]} that exists"
    return text


def _default(field: FieldInfo) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "**required**"
    value = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
    if isinstance(value, BaseModel):
        return "(table)"
    if hasattr(value, "value"):
        value = value.value
    return f"`{value!r}`" if value not in (None, "") else "—"


def field_paths(
    model: type[BaseModel] = EnvironmentConfig, prefix: str = ""
) -> list[tuple[str, FieldInfo, type[BaseModel] | None]]:
    """Every key path in the schema, depth first (used by the docs and by a test)."""
    rows: list[tuple[str, FieldInfo, type[BaseModel] | None]] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        sub = _section_model(field.annotation)
        rows.append((path, field, sub))
        origin = typing.get_origin(field.annotation)
        if sub is not None and origin not in (list, dict):
            rows += field_paths(sub, prefix=f"{path}.")
    return rows


def render_markdown() -> str:
    out = [
        "# Environment file reference",
        "",
        "Generated from the schema (`src/gonogo/schema/`) by `gonogo envs --reference`; do not edit by hand.",
        "An environment file is TOML. Unknown keys are errors. Values may use `${VAR}` and",
        "`${VAR:-default}` (process environment, then `secrets_file`); `$$` is a literal `$`. Any",
        "other `${` (unclosed, nested defaults) is an error naming the key.",
        "A table that is absent makes the checks of that component *not applicable*.",
        "See `environments/prod.example.toml` for a commented example of every key.",
        "",
        'Types are strict: a bool is `true`/`false` (not `"yes"` or `1`), a number is unquoted',
        '(`timeout_s = 7`, not `"7"`; an integer is accepted where a float is expected). Where TOML',
        'has no type of its own, a string is parsed: paths, severities (`"major"`) and a waiver\'s',
        '`expires` (a TOML date or `"2026-12-31"`).',
        "",
        "Numbers are finite (`inf` and `nan` are errors) and within the bounds the type column",
        "gives (`0 < x ≤ 120`): a threshold beyond them cannot be meant and would break a timer.",
        "",
        "A relative path is relative to the environment file's directory (like `secrets_file`).",
        "A path whose type says it must exist (`ca_bundle`, `gnupg_home`, `pg_bin_dir`) is checked",
        "before anything starts: missing, unreadable or the wrong kind (a CA bundle must hold PEM",
        "certificates) is a configuration error naming the key. `gonogo validate` checks them too,",
        "except where the path comes from a variable that is not set there.",
        "",
        "The environment file, its waivers file, the secrets file and the catalogue files must be",
        "regular files (not a FIFO or a device) of at most 1 MiB of UTF-8, nested at most 16 deep.",
        "`name` (default: the file name) names the directory `reports/<name>/`: letters, digits,",
        "`.`, `_` and `-`, at most 64, not starting with `.`.",
        "",
        "Keys whose name ends in `url` or `dsn` name the endpoints the checks connect to. Each needs",
        "a host (`https://` alone is an error; a libpq URL may give it as `?host=` (a socket",
        "directory), `?hostaddr=` or `?service=`; a `unix://` Redis URL names a socket path). Their port",
        "must be a number from 1 to 65535 (each host of a libpq multi-host URL), else the file is",
        "invalid. Their host",
        "names are resolved before any check runs: a name that does not exist is a configuration",
        "error (exit 4, naming the file, the key and the host). A host that refuses the connection or",
        "does not answer is not: the checks of it end as `error` (connectivity or timeout), at once",
        "after the first one, and a failing check names the key. Where a libpq DSN gives `hostaddr`",
        "(`?hostaddr=`), libpq connects to that address and its host name is not looked up.",
        "",
    ]
    sections: dict[str, list[str]] = {"(top level)": []}
    for path, field, sub in field_paths():
        head, _, key = path.rpartition(".")
        table = head or "(top level)"
        if sub is not None and typing.get_origin(field.annotation) not in (list, dict):
            sections.setdefault(path, [])
            doc = field.description or (sub.__doc__ or "").strip().splitlines()[0]
            sections[table].append(f"| `{key}` | table | {_default(field)} | {doc} |")
            continue
        sections.setdefault(table, []).append(
            f"| `{key}` | {_type(field)} | {_default(field)} | {field.description or ''} |"
        )
    for table, rows in sections.items():
        title = table if table == "(top level)" else f"[{table}]"
        out += [
            f"## {title}",
            "",
            "| key | type | default | meaning |",
            "|---|---|---|---|",
            *rows,
            "",
        ]
    out += [
        '## [checks."<check-id>"]',
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
        "| `severity` | blocker, major, minor, info | catalogue default | replaces the check's default severity in this environment |",
        "| `timeout_s` | float, 0 < x ≤ 604800 | catalogue `timeout_s`, else pytest-timeout's `timeout` (300 s) | time limit of the check in seconds; a check still running then ends as an error (timeout). The catalogue sets 15000 s for `backup.restore` (the 4 h RTO plus margin) and 3600 s for `backup.integrity` |",
        "",
        "## [[waivers]] (also in `<name>.waivers.toml`)",
        "",
        "Every key is required. Each problem of a waiver (a missing key, a bad date, an unknown",
        "check id) is listed at once, with those of the rest of its file.",
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
        "| `check` | str | **required** | check id the waiver covers |",
        "| `reason` | str | **required** | why the risk is accepted |",
        "| `approver` | str | **required** | who accepted it |",
        "| `ticket` | str | **required** | change or risk ticket |",
        "| `expires` | date | **required** | last day it applies (TOML date, e.g. `2026-12-31`); an expired waiver is reported and not applied, also when its check passes |",
        "",
        "## Secrets",
        "",
        "A value counts as secret, and is replaced by `***` in every report, log and terminal line, when it",
        "comes from the `secrets_file`, from a `${VAR}` whose name contains PASS, SECRET, TOKEN, KEY,",
        "CREDENTIAL, AUTH, PRIVATE, COOKIE, SESSION, or PW/PWD not followed by a letter (`DBPW`), when",
        "it sits under a key such as `password`,",
        "`passphrase`, `token` or `api_key`, or when it is the password of a URL (a DSN). Bearer tokens,",
        "`Authorization`, `Proxy-Authorization`, `X-API-Key`, `Cookie` and `Set-Cookie` values are",
        "masked whatever their source, also as the header pairs HTTP libraries log at DEBUG.",
        "A configuration error never shows a secret value, nor the value of a secret-looking key.",
        "",
    ]
    return "\n".join(out)
