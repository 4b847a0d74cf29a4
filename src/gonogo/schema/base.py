"""Shared pieces of the environment-file schema."""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

# keys that name an endpoint (as in gonogo.endpoints): base_url, http_url, url, dsn, scratch_dsn
ENDPOINT_KEY = re.compile(r"(url|dsn)$")

# upper bounds of thresholds: generous, but finite (a huge number overflows timers)
MINUTE, HOUR, DAY = 60, 3600, 86400
WEEK, YEAR = 7 * DAY, 365 * DAY
TIB = 1024**4


@dataclass(frozen=True, slots=True)
class MustExist:
    """Marks a ``Path`` key that must name something on the gate's machine before a run starts.

    Attributes:
        kind: ``file``, ``dir`` or ``pem`` (a file of PEM certificates, e.g. a CA bundle).
    """

    kind: Literal["file", "dir", "pem"]


def url_host_problem(value: str) -> str | None:
    """``has no host`` when a URL names no host (``https://``, ``redis://:pw@``), else None.

    ``unix://`` URLs name a socket path instead, and a libpq URL may give its hosts as
    ``?host=`` (a socket directory) or ``?hostaddr=``, or name a ``?service=`` whose entry in
    the service file gives them.
    """
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() == "unix":
        return None
    authority = rest.rpartition("@")[2] if "@" in rest else rest
    hosts = re.split(r"[/?#]", authority, maxsplit=1)[0]
    for host in hosts.split(","):
        name = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
        if not name:
            if scheme.lower().startswith("postgres") and re.search(
                r"[?&](host|hostaddr|service)=", rest
            ):
                continue
            return "has no host (write scheme://HOST[:PORT]/...)"
    return None


def url_port_problem(value: str) -> str | None:
    """Why the port of a URL cannot be used, or None (not a URL, no port, or a good one).

    libpq URLs may list several ``host:port`` pairs separated by commas (failover); each
    port is checked. A port is a number from 1 to 65535.
    """
    _, sep, rest = value.partition("://")
    if not sep:
        return None
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    for host in netloc.split(","):
        if host.startswith("["):  # [::1]:5432
            tail = host.partition("]")[2]
            port = tail[1:] if tail.startswith(":") else ""
        else:
            port = host.rpartition(":")[2] if ":" in host else ""
        if not port:
            continue
        if not port.isdigit():
            return f"port {port!r} is not a number"
        if not 1 <= int(port) <= 65535:
            return f"port {port} is out of range (1-65535)"
    return None


def _is_path(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, Path)
    return any(_is_path(arg) for arg in typing.get_args(annotation))


class Section(BaseModel):
    """Base of every environment-file table: unknown keys are errors, values are immutable.

    Scalars are strict: ``sensitive = "yes"``, ``sensitive = 1`` or ``timeout_s = "7"`` are
    errors, not silently converted (an int is still accepted for a float). Where TOML has no
    native type the value is parsed from a string: a path (every ``Path`` field, here) and a
    few fields marked ``strict=False`` (a severity name, a waiver's date); a relative path is
    relative to the environment file when the validation context gives its directory as
    ``base``. Numbers are finite (no ``inf``/``nan``). Every ``*url`` / ``*dsn`` value needs a
    host and a port (if given) of 1-65535.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, strict=True, allow_inf_nan=False
    )

    @field_validator("*")
    @classmethod
    def _endpoint_port(cls, value: Any, info: ValidationInfo) -> Any:
        # every table's *url / *dsn key: a bad port is a configuration error, not a
        # connectivity error after the run started
        if isinstance(value, str) and info.field_name and ENDPOINT_KEY.search(info.field_name):
            problem = url_host_problem(value) or url_port_problem(value)
            if problem is not None:
                raise ValueError(problem)
        return value

    @model_validator(mode="before")
    @classmethod
    def _paths_from_strings(cls, data: Any, info: ValidationInfo) -> Any:
        # a relative path is relative to the environment file (validation context "base")
        if not isinstance(data, dict):
            return data
        base = (info.context or {}).get("base")
        converted = dict(data)
        for name, field in cls.model_fields.items():
            value = converted.get(name)
            if isinstance(value, str) and _is_path(field.annotation):
                path = Path(value.strip())
                converted[name] = base / path if base is not None else path
        return converted
