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
# libpq reads user:password up to the first '@' and stops at '/' (an '@' in the password is
# not found); redis-py and httpx read up to the last '@' before the path
_LIBPQ_SCHEMES = ("postgresql", "postgres")
_DSN_SCHEMES = (*_LIBPQ_SCHEMES, "redis", "rediss")
_DELIMITER = re.compile(r"[/?#]")
_NOT_ENCODED = (
    "the user name or password is not percent-encoded: "
    "write '/' as %2F, '?' as %3F, '#' as %23 and '@' as %40"
)


def userinfo(value: str) -> str | None:
    """The ``user[:password]`` part of a URL (None: no ``@``), read so that a password is never
    mistaken for something else.

    A URL parser ends the host part at the first ``/``, ``?`` or ``#``: a password holding one
    unencoded (``postgresql://app:pa/ss@db/app``) turns into a host and a "port". Here, the
    user part of a database URL runs to its last ``@``, and so does that of any URL whose host
    part does not parse (``app:pa``: the port is not a number). A web URL with a sound host part
    keeps an ``@`` after it as part of its path.
    """
    scheme, sep, rest = value.partition("://")
    if not sep or "@" not in rest:
        return None
    authority = _DELIMITER.split(rest, maxsplit=1)[0]
    tail = rest[len(authority) :]
    if scheme.lower() in _DSN_SCHEMES or ("@" in tail and _port_text(authority) is not None):
        return rest.rpartition("@")[0]
    return authority.rpartition("@")[0] if "@" in authority else None


def _port_text(authority: str) -> str | None:
    """The port of ``host:port`` when it is not a number (None: a number, or no port)."""
    port = authority.rpartition("@")[2].rpartition(":")[2] if ":" in authority else ""
    return port if port and not port.isdigit() and "]" not in port else None


def hide_userinfo(value: str) -> str:
    """``value`` with its ``user:password@`` shown as ``***@`` (for messages that quote a URL)."""
    info = userinfo(value)
    if info is None:
        return value
    scheme, _, rest = value.partition("://")
    return f"{scheme}://***@{rest[len(info) + 1 :]}"


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

    ``unix://`` URLs name a socket path instead, and a libpq URL may give its host as
    ``?host=`` (a socket directory), ``?hostaddr=`` or through ``?service=`` (pg_service.conf).
    """
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() == "unix":
        return None
    authority = rest.rpartition("@")[2] if "@" in rest else rest
    hosts = re.split(r"[/?#]", authority, maxsplit=1)[0]
    for host in hosts.split(","):
        name = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
        if not name:
            if scheme.lower().startswith("postgres"):
                if re.search(r"[?&](host|hostaddr|service)=", rest):
                    continue
                return (
                    "has no host (write postgresql://HOST[:PORT]/DB; for a local socket "
                    "?host=/var/run/postgresql, for a pg_service.conf entry ?service=NAME)"
                )
            return "has no host (write scheme://HOST[:PORT]/...)"
    return None


def url_port_problem(value: str) -> str | None:
    """Why the host part of a URL cannot be used, or None (not a URL, no port, or a good one).

    libpq URLs may list several ``host:port`` pairs separated by commas (failover); each
    port is checked. A port is a number from 1 to 65535. A user name or password that a parser
    would read as host, port or path is an error too, and no message quotes any of it.
    """
    scheme, sep, rest = value.partition("://")
    if not sep:
        return None
    info = userinfo(value)
    if info is not None:
        if _DELIMITER.search(info) or (scheme.lower() in _LIBPQ_SCHEMES and "@" in info):
            return _NOT_ENCODED
        rest = rest[len(info) + 1 :]
    netloc = _DELIMITER.split(rest, maxsplit=1)[0]
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


def url_path(value: str | None) -> str | None:
    """A path on the site (``/login``, ``/api/``), appended to ``[web] base_url`` by the probes."""
    if value is not None and not value.startswith("/"):
        raise ValueError("must be a path starting with /")
    return value


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
