"""How configuration problems are worded: one line each, naming the key, never a secret.

A file with several problems gets a first line that counts them and one indented line per
problem (nothing to fix is hidden behind a count).
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from gonogo.redact import Redactor
from gonogo.schema import EnvironmentConfig
from gonogo.schema.base import hide_userinfo

# a key whose value is secret wherever it sits (its value is never shown in a message)
SECRET_KEY = re.compile(r"(?i)(password|passphrase|secret|token|api_?key|private_key|credentials)")


def format_problems(path: Path, lines: list[str]) -> str:
    """``<file>: <problem>`` for one problem; else a line that counts them, then one each."""
    if len(lines) == 1:
        return f"{path}: {lines[0]}"
    return f"{path}: {len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)


def problem_lines(err: ValidationError, secrets: set[str], root: tuple[str, ...] = ()) -> list[str]:
    """``<key path>: <what is wrong> (got <value>)`` for each problem pydantic found.

    ``root`` is the key path of what was validated (``("waivers",)`` for a waivers file). A
    value is shown only when it is not secret and its key does not look secret, and then with
    secret-shaped parts masked.
    """
    return [_problem(problem, root, secrets) for problem in err.errors(include_url=False)]


def _problem(problem: Any, root: tuple[str, ...], secrets: set[str]) -> str:
    loc = (*root, *problem["loc"])
    keypath = ".".join(str(p) for p in loc) or "(top level)"
    kind = problem["type"]
    if kind == "extra_forbidden":
        return f"{keypath}: unknown key; allowed here: {', '.join(_allowed_keys(loc[:-1]))}"
    if kind == "missing":
        return f"{keypath}: required key is missing"
    message = problem["msg"].removeprefix("Value error, ")
    shown = problem.get("input")
    secret_key = any(SECRET_KEY.search(str(part)) for part in loc)
    if isinstance(shown, str):
        shown = hide_userinfo(shown)  # never quote a URL's user:password, however malformed
    if isinstance(shown, (str, int, float, bool)) and not secret_key and str(shown) not in secrets:
        message += f" (got {Redactor(secrets).text(repr(shown))})"
    return f"{keypath}: {message}"


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model: Any = EnvironmentConfig
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            # a dict of sections, e.g. checks."tls.cert-expiry"
            continue
        model = _section_type(field.annotation, BaseModel)
    if model is None or not hasattr(model, "model_fields"):
        return []
    return sorted(model.model_fields)


def _section_type(annotation: Any, base: type) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, base):
        return annotation
    for arg in typing.get_args(annotation):
        found = _section_type(arg, base)
        if found is not None:
            return found
    return None
