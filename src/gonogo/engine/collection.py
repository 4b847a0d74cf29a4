"""Collection: each gate test's check identity, markers and time limit, from the catalogue.

The catalogue is the single source of a check's title, severity, stage/topic markers and time
limit; the environment file may override the severity and the time limit per check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

import pytest

from gonogo import markers
from gonogo.catalogue import Catalogue, Entry
from gonogo.engine import scheduling
from gonogo.engine.context import CONTEXT_KEY, SPEC_KEY
from gonogo.engine.invocation import config_error
from gonogo.errors import ConfigError
from gonogo.model import CheckSpec, Severity
from gonogo.schema import CheckOverride
from gonogo.verdict import SeverityLowered

STAGES = markers.STAGE_NAMES
REPORTED_MARKERS = markers.REPORTED


def unknown_id(check_id: str) -> str:
    return f"unknown check id {check_id!r}: add it to catalogue/*.toml or fix the typo (`gonogo checks` lists the ids)"


def check_id(item: pytest.Item) -> str | None:
    """The id of ``@pytest.mark.check("id")`` (None when the test has no check marker)."""
    marker = item.get_closest_marker("check")
    if marker is None:
        return None
    if not marker.args or not isinstance(marker.args[0], str):
        raise config_error(
            f"{item.nodeid}: @pytest.mark.check needs the check id as its first argument"
        )
    return marker.args[0]


def _function_of(item: pytest.Item) -> str:
    # parametrized instances of one test function share this; two functions never do
    return item.nodeid.split("[", 1)[0]


def prepare(
    items: list[pytest.Item],
    catalogue: Catalogue,
    overrides: Mapping[str, CheckOverride],
    *,
    env_name: str | None,
) -> dict[pytest.Item, CheckSpec]:
    """Validate every gate test and return its effective spec.

    Adds the catalogue's markers (so ``-m`` selects on them) and a ``timeout`` marker when the
    catalogue or the environment file sets ``timeout_s``. Raises UsageError (exit 4) for a test
    without a check id, an unknown id, or one id declared by two test functions.
    """
    specs: dict[pytest.Item, CheckSpec] = {}
    declared: dict[str, str] = {}
    for item in items:
        cid = check_id(item)
        if cid is None:
            where = f" (gate run with --env {env_name})" if env_name else ""
            raise config_error(
                f"{item.nodeid}: a gate test needs @pytest.mark.check('<id>'){where}"
            )
        try:
            entry = catalogue[cid]
        except KeyError:
            raise config_error(f"{item.nodeid}: {unknown_id(cid)}") from None
        function = declared.setdefault(cid, _function_of(item))
        if function != _function_of(item):
            raise config_error(
                f"check id {cid!r} is declared by two gate tests, {function} and "
                f"{_function_of(item)}: each check id belongs to one test function"
            )
        override = overrides.get(cid)
        spec = replace(entry.spec, severity=severity_of(entry, override))
        specs[item] = spec
        for name in (*entry.markers, *(["intrusive"] if spec.intrusive else [])):
            if item.get_closest_marker(name) is None:
                item.add_marker(name)
        timeout = override.timeout_s if override is not None else None
        timeout = timeout if timeout is not None else entry.timeout_s
        if timeout is not None:
            # first in line: pytest-timeout reads the closest marker, so this one wins
            item.add_marker(pytest.mark.timeout(timeout), append=False)
    return specs


def severity_of(entry: Entry, override: CheckOverride | None) -> Severity:
    """The severity a check has in this environment: its ``[checks."<id>"]`` override, else
    the catalogue's."""
    if override is not None and override.severity is not None:
        return override.severity
    return entry.spec.severity


def lowered(
    catalogue: Catalogue, overrides: Mapping[str, CheckOverride], ids: Iterable[str], source: str
) -> tuple[SeverityLowered, ...]:
    """Each check of ``ids`` whose environment override is below the catalogue's severity.

    Not an error and no approval is needed (a waiver is the approved way to accept a failure),
    but a downgraded blocker must be visible in every report, not look like an info check.
    """
    found = []
    for cid in set(ids):
        entry = catalogue.get(cid)
        if entry is None:
            continue
        severity = severity_of(entry, overrides.get(cid))
        if severity.rank > entry.spec.severity.rank:
            found.append(SeverityLowered(cid, entry.spec.severity, severity, source))
    return tuple(sorted(found, key=lambda c: (c.default.rank, c.id)))


def reported_markers(item: pytest.Item) -> list[str]:
    """The stage and topic markers of a gate test, sorted (never xdist_group, timeout...)."""
    return sorted({m.name for m in item.iter_markers()} & REPORTED_MARKERS)


def modify(
    config: pytest.Config, items: list[pytest.Item], catalogue: Callable[[], Catalogue]
) -> None:
    """``pytest_collection_modifyitems``: identities from the catalogue, intrusive checks last.

    ``--collect-only`` without an environment still adds the catalogue's markers, so that
    ``-m`` selects as in a run.
    """
    ctx = config.stash.get(CONTEXT_KEY, None)
    if ctx is not None:
        specs = prepare(items, ctx.catalogue, ctx.env.config.checks, env_name=ctx.env.name)
        for item, spec in specs.items():
            item.stash[SPEC_KEY] = spec
        scheduling.remember_groups(config, {i: s.id for i, s in specs.items()})
        # intrusive checks disturb the target (rate limiters tripped, load): run them last
        items.sort(key=lambda item: item.stash[SPEC_KEY].intrusive)
    elif config.getoption("collectonly") and any(check_id(i) for i in items):
        try:
            known = catalogue()
        except ConfigError as err:
            raise config_error(str(err)) from None
        prepare([i for i in items if check_id(i)], known, {}, env_name=None)


class EarlyCollection:
    """Collects a gate run before the session header and before xdist starts its workers.

    A test without ``@pytest.mark.check``, an unknown or duplicated check id is a configuration
    error (exit 4, one line): found here, nothing has started yet, so no report is written and
    ``latest`` is left alone. Under xdist the controller does not collect at all; collecting
    here (the workers collect again) keeps a typo from reaching workers that would fail one by
    one. In a serial run this is the run's only collection.

    Registered by :func:`register_early_collection`, so that among the ``trylast``
    ``pytest_sessionstart`` implementations it runs after pytest-html's and before the terminal
    reporter's and xdist's: after the fixture manager and the runner are set up, before the
    header is printed and before the workers are created.
    """

    def __init__(self) -> None:
        self._deferred: BaseException | None = None
        self._collected = False

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        option = session.config.option
        verbose = option.verbose
        option.verbose = -1  # the terminal reports the collection after its header instead
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and getattr(reporter, "_session", False) is None:
            # its own sessionstart (the header) comes next; its deselection count needs this
            reporter._session = session
        try:
            session.perform_collect()
        except pytest.UsageError:
            raise
        except BaseException as err:  # interrupted, -x on a collection error: as in a normal run
            self._deferred = err
        finally:
            option.verbose = verbose
        self._collected = True

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool | None:
        if not self._collected:
            return None
        if self._deferred is not None:
            raise self._deferred
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and not session.config.pluginmanager.has_plugin("dsession"):
            reporter.report_collect(True)
        return True


def register_early_collection(config: pytest.Config) -> None:
    """Registers :class:`EarlyCollection` right after pytest-html's report, or now without one.

    pytest-html fills its table header in its own ``pytest_sessionstart``; a failed collection
    report (a check file that does not import) reaching it before then is an INTERNALERROR.
    Among the ``trylast`` implementations a later registration runs later: registered after
    the html report and before the terminal reporter, the early collection runs between the
    two, after the header cells exist and before the session header is printed.
    """
    manager = config.pluginmanager
    early = EarlyCollection()
    if not manager.hasplugin("html"):  # -p no:html
        manager.register(early, "gonogo-collect")
        return

    class _AfterHtml:
        @pytest.hookimpl
        def pytest_plugin_registered(self, plugin: object, plugin_name: str) -> None:
            html_report = type(plugin).__module__.startswith("pytest_html.")
            # the terminal reporter registers after pytest-html; should it ever come first,
            # the early collection still has to precede its header
            if (html_report or plugin_name == "terminalreporter") and not manager.has_plugin(
                "gonogo-collect"
            ):
                manager.register(early, "gonogo-collect")

    manager.register(_AfterHtml(), "gonogo-collect-after-html")
