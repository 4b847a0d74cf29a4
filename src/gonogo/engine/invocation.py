"""How pytest was invoked: the suite root, the options, what to collect.

pytest decides its rootdir and ini file before any plugin is loaded, from the command line's
free arguments. ``--env-file PATH`` (two words) is unknown at that point, so PATH counts as a
file to test, and a PATH outside the suite makes pytest miss the suite's ``pyproject.toml``:
no ``testpaths``, no ``addopts``, a rootdir in ``/tmp``. :func:`repair_setup` redoes that decision
once gonogo's options are known.
"""

from __future__ import annotations

import copy
import gc
import glob
import os
import re
import sys
from collections.abc import Collection
from pathlib import Path

import pytest

from gonogo import config as config_mod
from gonogo import suite
from gonogo.errors import ConfigError

# options whose separate-word value pytest's early parse takes for a file or directory
_VALUE_OPTIONS = ("--env", "--env-file", "--release", "--demo-fault", "--gonogo-reports")
# markers that pytest and the suite's plugins register after gonogo's pytest_configure (which
# runs first and checks -m before the demo stack starts)
_LATE_MARKERS = frozenset(
    {
        "skip", "skipif", "xfail", "parametrize", "usefixtures", "filterwarnings", "tryfirst",
        "trylast", "timeout", "xdist_group", "testinfra_hosts", "only_browser", "skip_browser",
        "browser_context_args",
    }
)  # fmt: skip


def config_error(message: str) -> pytest.UsageError:
    """Print ``ERROR: <message>`` on stderr and return the UsageError to raise (exit 4).

    pytest prints a UsageError's arguments as ``ERROR: <message>`` followed by a blank line;
    this one has printed its single line already and carries the message as a note only.
    """
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    err = pytest.UsageError()
    err.add_note(message)
    return err


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


def check_options(config: pytest.Config) -> None:
    """Options that cannot mean what they say are configuration errors (exit 4), not guesses."""
    release = config.getoption("release")
    if release is not None and not release.strip():
        # an empty $GIT_TAG in CI: falling back to the env file's release would check the wrong one
        raise config_error("--release is empty; pass a version or omit the option")
    if config.getoption("env") and config.getoption("env_file"):
        raise config_error("--env and --env-file both name an environment; pass one of them")
    for option, flag in (("setupplan", "--setup-plan"), ("setuponly", "--setup-only")):
        if getattr(config.option, option, False):
            # the checks' bodies would not run, and a setup that passed would prove nothing
            raise config_error(
                f"{flag} runs no check (fixtures only) and cannot give a verdict; drop it, or "
                "use --collect-only to list the gate tests"
            )


def catalogue_path(config: pytest.Config) -> Path:
    return root(config) / config.getini("gonogo_catalogue")


def require_suite(config: pytest.Config) -> None:
    """A gate run needs the suite (its ini file and catalogue): elsewhere, say what to do."""
    path = catalogue_path(config)
    if path.exists():
        return
    if config.inipath is None:
        raise config_error(
            f"no gonogo suite in {config.invocation_params.dir} (no pytest configuration here "
            f"or above it): {suite.hint()}"
        )
    raise config_error(
        f"check catalogue {path}: not found (gonogo_catalogue of {config.inipath}): {suite.hint()}"
    )


def check_markexpr(config: pytest.Config, catalogue_markers: Collection[str]) -> None:
    """``-m`` must parse and name known markers: checked before anything starts (a typo would
    select nothing, after the demo stack's cold start)."""
    expression = (getattr(config.option, "markexpr", "") or "").strip()
    if not expression:
        return
    try:
        from _pytest.mark.expression import Expression

        compiled = Expression.compile(expression)
    except ImportError:  # pytest moved it: pytest itself checks -m at collection
        return
    except SyntaxError as err:
        raise config_error(
            f"-m {expression!r}: not a marker expression ({err.msg} at column {err.offset}); "
            "e.g. -m 'predeploy and not intrusive'"
        ) from None
    idents = getattr(compiled, "idents", None)  # pytest 9; earlier: the identifiers by pattern
    names = set(idents()) if idents else _idents(expression)
    registered = {line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")}
    known = registered | set(catalogue_markers) | _LATE_MARKERS
    unknown = sorted(names - known)
    if unknown:
        ours = ", ".join(sorted(set(catalogue_markers) | {"intrusive"}))
        raise config_error(
            f"-m {expression!r}: unknown marker{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}; markers the checks carry: {ours} (`pytest --markers` lists all; "
            "declare a team's own under markers in the suite's pytest configuration)"
        )


def _idents(expression: str) -> set[str]:
    without_kwargs = re.sub(r"\([^()]*=[^()]*\)", " ", expression)
    words = re.findall(r"(?:\w|:|\+|-|\.|\[|\]|\\|/)+", without_kwargs)
    return {w for w in words if w not in ("and", "or", "not")}


def env_dir(config: pytest.Config) -> Path:
    return root(config) / config.getini("gonogo_env_dir")


def require_environment(config: pytest.Config) -> None:
    """No ``--env`` while gate checks are selected: the error lists the environments found."""
    try:
        config_mod.resolve_path(None, None, env_dir(config))
    except ConfigError as err:
        raise config_error(str(err)) from None


def use_testpaths(config: pytest.Config) -> None:
    """A gate run without path arguments collects the suite's ``testpaths`` from any directory.

    pytest applies ``testpaths`` only when invoked from the rootdir; from ``checks/`` it would
    collect that directory alone and the verdict would silently lack the smoke checks.
    """
    if config.args_source is not pytest.Config.ArgsSource.INVOCATION_DIR:
        return
    testpaths = config.getini("testpaths")
    if not testpaths:
        return
    base = config.rootpath
    found = [p for path in testpaths for p in sorted(glob.iglob(str(base / path), recursive=True))]
    if found:
        config.args = found
        config.args_source = pytest.Config.ArgsSource.TESTPATHS


def selects_gate_paths(config: pytest.Config) -> bool:
    """Whether the command line (or the default testpaths) points at gate checks."""
    base = root(config)
    gate_dirs = [(base / p).resolve() for p in config.getini("gonogo_gate_paths")]
    args = [a.split("::")[0] for a in config.args if not a.startswith("-")] or ["."]
    for arg in args:
        path = (Path(config.invocation_params.dir) / arg).resolve()
        for gate in gate_dirs:
            if path == gate or gate in path.parents or (path == base and gate.exists()):
                return True
    return False


class NoEnvGuard:
    """Without --env, collecting a gate check is a configuration error (not a silent pass)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if any(item.get_closest_marker("check") for item in items):
            require_environment(self.config)


def reports_root(config: pytest.Config) -> tuple[Path, list[Path]]:
    """The directory run reports go to, created if needed and proven writable.

    Returns it with the directories this call created (removed again when the run ends
    before writing a report). A file, or a place that cannot be written, is a configuration
    error before anything starts, not an internal error after every check ran.
    """
    given = config.getoption("gonogo_reports")
    path = Path(given) if given else root(config) / "reports"
    what = f"--gonogo-reports {given}" if given else f"reports directory {path}"
    missing = [p for p in (path, *path.parents) if not p.exists()]
    if path.exists() and not path.is_dir():
        raise config_error(f"{what}: not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".gonogo-write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as err:
        raise config_error(
            f"{what}: cannot write there ({err.strerror or err}); pass --gonogo-reports DIR"
        ) from None
    return path, missing


def remove_empty(directories: list[Path]) -> None:
    """Remove the directories a run created, deepest first, where they are still empty."""
    for path in directories:
        try:
            path.rmdir()
        except FileNotFoundError:
            continue
        except OSError:
            return  # not empty: its parents are not empty either


def warn_debug(config: pytest.Config) -> None:
    """pytest's ``--debug`` trace records hook arguments verbatim: say so, once."""
    debug = getattr(config.option, "debug", None)
    if debug:
        print(
            f"gonogo: warning: --debug writes pytest's internal trace to {debug} unredacted: "
            "it contains this environment's secrets; delete it after use, never attach it",
            file=sys.stderr,
            flush=True,
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


def freeze_collected() -> None:
    """Leave every object alive once collection is done out of garbage collection.

    Modules, classes and the collected tests live until the process exits, but every full
    collection walks them: pytest runs two at exit to surface unraisable exceptions (and under
    xdist the controller waits for each worker's). Frozen, those passes cover only what the
    tests made, which is what they are for. :func:`unfreeze_at_exit` hands them back.
    """
    gc.freeze()


def unfreeze_at_exit(config: pytest.Config) -> None:
    """Undo :func:`freeze_collected` after pytest's last collection pass (a cleanup registered
    before pytest's own runs after it), so that a process running several sessions (pytester)
    keeps collecting what an earlier session left."""
    config.add_cleanup(gc.unfreeze)
