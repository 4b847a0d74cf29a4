"""The pytest plugin (entry point ``pytest11: gonogo``): the hooks that turn tests into a
go/no-go verdict.

Wiring only; what each hook does lives in the modules :mod:`gonogo.engine` lists.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

import gonogo.engine.early  # noqa: F401  (first: Ctrl-C while the rest loads ends cleanly)
from gonogo import catalogue as catalogue_mod
from gonogo import config as config_mod
from gonogo import interrupts, markers
from gonogo.engine import (
    collection,
    instances,
    invocation,
    options,
    phases,
    scheduling,
    selection,
    signoff,
    warmup,
)
from gonogo.engine import context as context_mod
from gonogo.engine.collector import Collector
from gonogo.engine.context import CONTEXT_KEY, RunContext, StartInterrupted
from gonogo.engine.invocation import config_error
from gonogo.errors import ConfigError, DemoError
from gonogo.interrupts import Guard
from gonogo.redact import Redactor, listen, listening

STOP_LEARNING_KEY = pytest.StashKey[Callable[[], None]]()
GUARD_KEY = pytest.StashKey[Guard]()
REPORT_PLUGIN = "gonogo-report"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from gonogo.engine import hookspecs

    pluginmanager.add_hookspecs(hookspecs)
    if not pluginmanager.has_plugin("gonogo-exit"):
        pluginmanager.register(ExitStatus(), "gonogo-exit")


class ExitStatus:
    """The exit code of a gate run is the one its report states, whatever escaped pytest.

    A signal in a moment where pytest handles none, or an exception from a hook at the end of
    the session, would otherwise leave the process with a traceback and exit 130 or 1 beside a
    report that says something else.
    """

    @pytest.hookimpl(wrapper=True)
    def pytest_cmdline_main(self, config: pytest.Config) -> Generator[None, Any, Any]:
        try:
            try:
                code = yield
            except pytest.UsageError:
                raise
            except (KeyboardInterrupt, Exception) as err:
                report = config.pluginmanager.get_plugin(REPORT_PLUGIN)
                if report is None:
                    raise
                return report.escaped(err)
            report = config.pluginmanager.get_plugin(REPORT_PLUGIN)
            return code if report is None else report.final_code(code)
        finally:
            guard = config.stash.get(GUARD_KEY, None)
            if guard is not None:
                guard.restore()


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add(parser)


def _catalogue(config: pytest.Config) -> catalogue_mod.Catalogue:
    # covers: the plan items whose reviewed mapping names each check (plans/*.toml)
    plans = invocation.root(config) / "plans"
    return catalogue_mod.load(invocation.catalogue_path(config), plans=plans)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    invocation.repair_setup(early_config, args)
    scheduling.note_dist_given(early_config)


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    interrupts.release_early()  # from here pytest turns Ctrl-C into an interrupted run
    if config.getoption("gonogo_catalogue"):
        invocation.require_suite(config)
        try:
            print(catalogue_mod.render_text(_catalogue(config)))
        except ConfigError as err:
            raise config_error(str(err)) from None
        return 0
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    interrupts.release_early()  # an xdist worker has no cmdline_main
    invocation.unfreeze_at_exit(config)  # first: its cleanup must run after pytest's own
    for line in markers.registrations():
        config.addinivalue_line("markers", line)
    scheduling.default_dist(config)  # before xdist's session reads it
    if config.getoption("gonogo_catalogue"):
        return
    env_name, env_file = config.getoption("env"), config.getoption("env_file")
    if env_name or env_file:
        invocation.use_testpaths(config)
    if invocation.info_only(config):
        return  # help, markers, fixtures, collect-only: nothing is checked, no environment needed
    if not env_name and not env_file:
        if invocation.selects_gate_paths(config):
            invocation.require_environment(config)
        config.pluginmanager.register(invocation.NoEnvGuard(config), "gonogo-noenv")
        return
    invocation.check_options(config)
    scheduling.check_dist(config)
    workerinput = getattr(config, "workerinput", None)
    controller = workerinput is None
    invocation.require_suite(config)
    try:
        catalogue = _catalogue(config)
        source = config_mod.open_env(env_name, env_file, invocation.env_dir(config))
    except ConfigError as err:
        raise config_error(str(err)) from None
    if controller:
        invocation.check_markexpr(config, {m for e in catalogue.values() for m in e.markers})
        try:  # before the demo stack starts: a bad plan is a configuration error
            plan = signoff.select_plan(config, source, catalogue)
        except ConfigError as err:
            raise config_error(str(err)) from None
        if plan is not None:
            config.stash[signoff.PLAN_KEY] = plan
    reports_root, created = invocation.reports_root(config) if controller else (Path(), [])
    # installed before the demo stack starts: a signal there stops what started, too
    guard = Guard(once=not controller, on_first=lambda signum: _forward(config)).install()
    config.stash[GUARD_KEY] = guard

    def restore() -> None:
        if not guard.committed:  # a committed verdict keeps it until cmdline_main returns
            guard.restore()

    config.add_cleanup(restore)
    try:
        ctx = context_mod.build(
            source=source,
            catalogue=catalogue,
            reports_root=reports_root,
            release=config.getoption("release"),
            allow_intrusive=config.getoption("allow_intrusive"),
            demo_faults=config.getoption("demo_fault"),
            workerinput=workerinput.get("gonogo") if workerinput else None,
            progress=context_mod.progress_printer(),
        )
    except ConfigError as err:
        invocation.remove_empty(created)
        raise config_error(str(err)) from None
    except DemoError as err:
        invocation.remove_empty(created)
        raise config_error(Redactor().text(str(err))) from None
    except StartInterrupted as err:
        # nothing ran, but the run was asked for and stopped: it ends with a NO-GO report
        _register_report(config, err.ctx, created, guard).collector.interrupted = True
        guard.wind_down()
        raise KeyboardInterrupt(str(err)) from None
    config.stash[CONTEXT_KEY] = ctx
    warmup.stop_at_exit(config)
    if not controller and ctx.workers_dir is not None:
        interrupts.register_worker(ctx.workers_dir)
    phases.install_log_redaction(ctx.redactor)
    # cookies and Authorization headers the probes see are masked too (probes/http.py)
    config.stash[STOP_LEARNING_KEY] = listen(ctx.redactor)
    phases.quiet_chatty_loggers()
    if controller:
        invocation.warn_debug(config)
        _register_report(config, ctx, created, guard).claim_html(config)
        collection.register_early_collection(config)
        if config.pluginmanager.hasplugin("xdist"):
            bridge = scheduling.XdistBridge(ctx.to_workerinput(), config.option.dist)
            config.pluginmanager.register(bridge, "gonogo-xdist")
        interrupts.checkpoint("configured")


def _forward(config: pytest.Config) -> None:
    """The controller's first signal goes on to the xdist workers (a CI cancel reaches the
    controller alone; the checks in flight must stop too)."""
    ctx = config.stash.get(CONTEXT_KEY, None)
    if ctx is not None and ctx.workers_dir is not None and not hasattr(config, "workerinput"):
        interrupts.forward(ctx.workers_dir)


def _register_report(
    config: pytest.Config, ctx: RunContext, created: list[Path], guard: Guard
) -> Any:
    from gonogo.engine.session import ReportPlugin

    report = ReportPlugin(config, ctx, Collector(), created, guard)
    config.pluginmanager.register(report, REPORT_PLUGIN)
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    # the controller's report plugin stops the demo stack before it writes the verdict
    ctx = config.stash.get(CONTEXT_KEY, None)
    if ctx is not None:
        ctx.close(controller=not hasattr(config, "workerinput"))
    config.stash.get(STOP_LEARNING_KEY, lambda: None)()
    if hasattr(config, "workerinput"):
        guard = config.stash.get(GUARD_KEY, None)
        if guard is not None:
            guard.restore()


@pytest.hookimpl(tryfirst=True)
def pytest_keyboard_interrupt(excinfo: Any) -> None:
    # pytest caught the interrupt (an xdist worker too): a second one cannot cut cleanups short
    if Guard.active is not None:
        Guard.active.wind_down()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    guard = session.config.stash.get(GUARD_KEY, None)
    if guard is not None:
        guard.wind_down()


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    return scheduling.make_scheduler(config, log)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    instances.generate(metafunc)  # @pytest.mark.each: one instance per declared entry


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    collection.modify(config, items, lambda: _catalogue(config))
    if CONTEXT_KEY in config.stash:
        selection.remember_collected(config, items)  # before -m, -k, --deselect and hooks


def pytest_collection_finish(session: pytest.Session) -> None:
    invocation.freeze_collected()
    warmup.after_collection(session)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    warmup.before_test(item)
    phases.setup(item)


@pytest.hookimpl(tryfirst=True)
def pytest_internalerror(excrepr: Any, excinfo: Any) -> None:
    # printed by the terminal reporter after this hook, with locals under -l --full-trace
    for redactor in listening():
        phases.redact_in_place(excrepr, redactor)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    phases.make_report(item, call, report)
    return report
