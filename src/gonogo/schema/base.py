"""Shared pieces of the environment-file schema."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _is_path(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, Path)
    return any(_is_path(arg) for arg in typing.get_args(annotation))


class Section(BaseModel):
    """Base of every environment-file table: unknown keys are errors, values are immutable.

    Scalars are strict: ``sensitive = "yes"``, ``sensitive = 1`` or ``timeout_s = "7"`` are
    errors, not silently converted (an int is still accepted for a float). Where TOML has no
    native type the value is parsed from a string: a path (every ``Path`` field, here) and a
    few fields marked ``strict=False`` (a severity name, a waiver's date).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _paths_from_strings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        converted = dict(data)
        for name, field in cls.model_fields.items():
            value = converted.get(name)
            if isinstance(value, str) and _is_path(field.annotation):
                converted[name] = Path(value.strip())
        return converted
