"""How pytest was invoked: the suite root, runs that only print information, signals.

pytest decides its rootdir and ini file before any plugin is loaded, from the command line's
free arguments. ``--env-file PATH`` (two words) is unknown at that point, so PATH counts as a
file to test, and a PATH outside the suite makes pytest miss the suite's ``pyproject.toml``:
no ``testpaths``, no ``addopts``, a rootdir in ``/tmp``. :func:`repair_setup` redoes that decision
once gonogo's options are known.
"""

from __future__ import annotations

import copy
import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

# options whose separate-word value pytest's early parse takes for a file or directory
_VALUE_OPTIONS = ("--env", "--env-file", "--release", "--demo-fault", "--gonogo-reports")


def root(config: pytest.Config) -> Path:
    """The suite root: where the ini file is (else the invocation directory), never a
    directory guessed from an argument."""
    if config.inipath is not None:
        return Path(config.inipath).parent
    return Path(config.invocation_params.dir)


def info_only(config: pytest.Config) -> bool:
    """``--help``, ``--markers``, ``--fixtures``, ``--fixtures-per-test``, ``--collect-only``:
    nothing is checked, so no environment is needed (and no demo stack starts)."""
    option = config.option
    return any(
        getattr(option, name, False)
        for name in ("help", "markers", "showfixtures", "show_fixtures_per_test", "collectonly")
    )


def repair_setup(early_config: pytest.Config, args: list[str]) -> None:
    """Redo pytest's rootdir/ini decision without the values of gonogo's options.

    Called from ``pytest_load_initial_conftests`` (before conftests load and before the final
    parse), where ``args`` is the list pytest goes on parsing. Only acts when a value was taken
    for a path and that changed the outcome; uses pytest internals, so any surprise leaves the
    setup as pytest made it (the suite root then falls back to the invocation directory).
    """
    invoked = list(early_config.invocation_params.args)
    values = {
        invoked[i + 1]
        for i, arg in enumerate(invoked[:-1])
        if arg in _VALUE_OPTIONS and not invoked[i + 1].startswith("-")
    }
    if not values:
        return
    try:
        from _pytest.config.findpaths import determine_setup

        parser = early_config._parser
        ns = parser.parse_known_args(list(args), namespace=copy.copy(early_config.option))
        rootpath, inipath, inicfg, _ignored = determine_setup(
            inifile=ns.inifilename,
            override_ini=ns.override_ini,
            args=[a for a in ns.file_or_dir if a not in values],
            rootdir_cmd_arg=ns.rootdir or None,
            invocation_dir=early_config.invocation_params.dir,
        )
        if (rootpath, inipath) == (early_config.rootpath, early_config.inipath):
            return
        early_config._rootpath = rootpath
        early_config._inipath = inipath
        early_config._inicfg = inicfg
        early_config._inicache.clear()
        parser.extra_info["rootdir"] = str(rootpath)
        parser.extra_info["inifile"] = str(inipath)
        addopts = early_config._validate_args(early_config.getini("addopts"), "via addopts config")
        args[:] = [*addopts, *args]
        early_config.pluginmanager.consider_preparse(addopts, exclude_only=False)
        early_config.known_args_namespace = parser.parse_known_args(
            args, namespace=copy.copy(early_config.option)
        )
        early_config.known_args_namespace.confcutdir = str(
            inipath.parent if inipath is not None else rootpath
        )
    except (AttributeError, TypeError, ImportError, ValueError):
        return


def raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (CI cancel or timeout) ends the run like Ctrl-C: finally blocks and fixture
    teardowns run (demo stack stopped, scratch database dropped), the report says interrupted."""
    raise KeyboardInterrupt(f"{signal.Signals(signum).name} received")


def install_sigterm() -> Callable[[], None]:
    """Route SIGTERM to KeyboardInterrupt; returns the function that restores the previous handler."""
    try:
        previous: Any = signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    except ValueError:  # not the main thread (pytest embedded somewhere): leave signals alone
        return lambda: None

    def restore() -> None:
        if signal.getsignal(signal.SIGTERM) is raise_keyboard_interrupt:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)

    return restore
