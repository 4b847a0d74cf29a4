"""Where the suite is: the directory holding ``catalogue/`` beside its pytest configuration.

The ``gonogo`` command takes ``--suite PATH``, else looks upward from the working directory,
else uses the source tree of an editable install (``pip install -e .`` records it in the
distribution's ``direct_url.json``). pytest cannot switch to another ini file once started, so
a gate run outside the suite gets :func:`hint`: exactly what to type instead.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from gonogo.errors import ConfigError

# pytest's configuration files, in the order pytest prefers them
CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")


def config_file(directory: Path) -> Path | None:
    """The pytest configuration file of a suite directory, if it is one."""
    if not (directory / "catalogue").is_dir():
        return None
    return next((directory / n for n in CONFIG_FILES if (directory / n).is_file()), None)


def is_suite(directory: Path) -> bool:
    """A directory with ``catalogue/`` beside a pytest configuration file."""
    return config_file(directory) is not None


def upward(start: Path) -> Path | None:
    """The nearest suite at or above ``start``."""
    here = start.resolve()
    return next((d for d in (here, *here.parents) if is_suite(d)), None)


def installed() -> Path | None:
    """The source tree of an editable install of gonogo, when it is a suite."""
    try:
        text = metadata.distribution("gonogo").read_text("direct_url.json")
        info = json.loads(text) if text else {}
    except (metadata.PackageNotFoundError, ValueError, OSError):
        info = {}
    url = info.get("url", "") if isinstance(info, dict) else ""
    candidates = [Path(url.removeprefix("file://"))] if url.startswith("file://") else []
    # a src layout checked out and put on sys.path: src/gonogo/__init__.py -> the tree
    candidates.append(Path(__file__).resolve().parents[2])
    return next((c for c in candidates if is_suite(c)), None)


def find(start: Path | None = None, given: Path | None = None) -> Path:
    """``given`` (``--suite``), else the suite at or above ``start``, else the installed one."""
    if given is not None:
        if not is_suite(given):
            raise ConfigError(
                f"--suite {given}: not a gonogo suite (no catalogue/ beside a pytest configuration file)"
            )
        return given.resolve()
    here = (start or Path.cwd()).resolve()
    found = upward(here) or installed()
    if found is None:
        raise ConfigError(
            f"no gonogo suite in {here} or above it (a directory with catalogue/ beside "
            "pyproject.toml): cd to the suite, or pass --suite PATH"
        )
    return found


def hint() -> str:
    """What to do when pytest runs the gate outside the suite (there is no ini file here)."""
    found = installed()
    if found is None:
        return (
            "cd to the suite (the directory with catalogue/ and pyproject.toml) or pass "
            "-c SUITE/pyproject.toml"
        )
    return (
        f"cd {found} (the suite of the installed gonogo), or pass -c {config_file(found)}, or "
        "run `gonogo gate ...`, which finds it"
    )
