"""The files a configuration names: read safely, and checked to exist before anything starts.

An environment file, its waivers file, its secrets file and the check catalogue are read here:
only a regular file (a FIFO would block, ``/dev/zero`` would never end), at most
:data:`MAX_BYTES`, UTF-8, and TOML nested at most :data:`MAX_DEPTH` deep. Each problem is a
:class:`~gonogo.errors.ConfigError` naming the file, never a hang or a traceback.

:func:`missing_paths` checks the ``Path`` keys of a validated environment that name something
which must exist on the machine running the gate (``[web] ca_bundle``, ``[backup] gnupg_home``,
``pg_bin_dir``): those are marked with :class:`~gonogo.schema.base.MustExist` in the schema.
"""

from __future__ import annotations

import os
import ssl
import stat
import tomllib
from collections.abc import Container
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from gonogo.errors import ConfigError
from gonogo.schema.base import MustExist

MAX_BYTES = 1024 * 1024  # a real environment, waivers, secrets or catalogue file is a few KiB
MAX_DEPTH = 16  # tables and arrays nested in each other; real files nest four deep at most
MAX_CA_BYTES = 16 * 1024 * 1024  # a system CA bundle is about 200 KiB


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def read_text(path: Path, *, what: str = "", limit: int = MAX_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes.

    The file is opened without blocking and checked on the open descriptor, so a FIFO or a
    device swapped in after a check is refused too. ``what`` prefixes the file in messages
    (``secrets_file``).
    """
    label = f"{what} {path}" if what else str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise ConfigError(f"{label}: cannot read ({err.strerror})") from err
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ConfigError(f"{label}: cannot read {_kind(mode)}; give a regular file")
        data = _read_at_most(fd, limit + 1)
    except OSError as err:
        raise ConfigError(f"{label}: cannot read ({err.strerror})") from err
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ConfigError(f"{label}: larger than {limit // 1024} KiB; is it the right file?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{label}: not UTF-8 text ({err.reason} at byte {err.start})") from err


def _read_at_most(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_toml(path: Path, *, what: str = "", limit: int = MAX_BYTES) -> dict[str, Any]:
    """A TOML file read with :func:`read_text`, nested at most :data:`MAX_DEPTH` deep."""
    label = f"{what} {path}" if what else str(path)
    text = read_text(path, what=what, limit=limit)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{label}: not valid TOML: {err}") from err
    except RecursionError:
        raise ConfigError(f"{label}: nested too deeply (at most {MAX_DEPTH} levels)") from None
    deep = _too_deep(data)
    if deep is not None:
        raise ConfigError(f"{label}: {deep}: nested too deeply (at most {MAX_DEPTH} levels)")
    return data


def _too_deep(data: dict[str, Any]) -> str | None:
    """The key path of the first value nested beyond :data:`MAX_DEPTH`, or None (no recursion)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, keypath, depth = stack.pop()
        if depth > MAX_DEPTH:
            return keypath or "(top level)"
        if isinstance(value, dict):
            stack += [
                (v, f"{keypath}.{k}" if keypath else str(k), depth + 1) for k, v in value.items()
            ]
        elif isinstance(value, list):
            stack += [(v, f"{keypath}[{i}]", depth + 1) for i, v in enumerate(value)]
    return None


def path_problem(path: Path, kind: str) -> str | None:
    """Why ``path`` cannot serve as a ``kind`` (``file``, ``dir`` or ``pem``), or None."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "does not exist"
    except OSError as err:
        return f"cannot be read ({err.strerror})"
    if kind == "dir":
        if not stat.S_ISDIR(st.st_mode):
            return f"is {_kind(st.st_mode)}, not a directory"
        return None if os.access(path, os.R_OK | os.X_OK) else "is not readable by this user"
    if not stat.S_ISREG(st.st_mode):
        return f"is {_kind(st.st_mode)}, not a file"
    if not os.access(path, os.R_OK):
        return "is not readable by this user"
    if kind == "pem":
        if st.st_size > MAX_CA_BYTES:
            return f"is larger than {MAX_CA_BYTES // 1024 // 1024} MiB, not a CA bundle"
        try:
            ssl.create_default_context(cafile=str(path))
        except (ssl.SSLError, OSError):
            return "holds no PEM certificate"
    return None


def missing_paths(model: BaseModel, skip: Container[str] = (), prefix: str = "") -> list[str]:
    """``<key>: <path> does not exist`` for each ``MustExist`` key of ``model`` that is unusable.

    ``skip`` holds key paths whose value is a stand-in (an unset variable under ``gonogo
    validate``, the demo stack's preview paths), not a path to check.
    """
    problems: list[str] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        keypath = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            problems += missing_paths(value, skip, f"{keypath}.")
            continue
        marker = next((m for m in field.metadata if isinstance(m, MustExist)), None)
        if marker is None or not isinstance(value, Path) or keypath in skip:
            continue
        problem = path_problem(value, marker.kind)
        if problem is not None:
            problems.append(f"{keypath}: {value} {problem}")
    return problems
