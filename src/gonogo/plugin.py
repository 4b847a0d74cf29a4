"""pytest wiring: options, markers, and the hooks that turn tests into a go/no-go verdict.

Wiring only; the logic lives in :mod:`gonogo.invocation` (options, suite root, what to collect,
SIGTERM), :mod:`gonogo.context` (environment and demo), :mod:`gonogo.scheduling` (xdist),
:mod:`gonogo.collection` (check identity), :mod:`gonogo.runtest` and :mod:`gonogo.outcomes`
(per-phase results), :mod:`gonogo.collector` (controller-side results), :mod:`gonogo.verdict`
(the decision) and :mod:`gonogo.report` (artefacts).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from gonogo import catalogue as catalogue_mod
from gonogo import (
    collection,
    instances,
    interrupts,
    invocation,
    runtest,
    scheduling,
    selection,
    signoff,
    warmup,
)
from gonogo import context as context_mod
from gonogo.collector import Collector
from gonogo.context import CONTEXT_KEY, RunContext, StartInterrupted
from gonogo.errors import ConfigError, DemoError
from gonogo.interrupts import Guard
from gonogo.invocation import config_error
from gonogo.redact import Redactor, listen, listening

STOP_LEARNING_KEY = pytest.StashKey[Callable[[], None]]()
GUARD_KEY = pytest.StashKey[Guard]()
REPORT_PLUGIN = "gonogo-report"

MARKERS = {
    "check(id)": "gonogo check id of this gate test (see `gonogo checks`)",
    "predeploy": "stage: before the release (the CI gate)",
    "smoke": "stage: right after the deploy",
    "postdeploy": "stage: after the deploy has settled",
    "load": "stage: load baselines (intrusive)",
    "e2e": "stage: browser end-to-end journeys",
    "security": "topic: web and TLS security",
    "data": "topic: databases and caches (pg.*, redis.*)",
    "backup": "topic: backups, restore drills",
    "infra": "topic: hosts and services",
    "config": "topic: the application's configuration files (config.*)",
    "monitoring": "topic: metrics and alerting",
    "each(key)": "one instance per entry of a list in the environment file (gonogo.instances)",
    "rollback_criteria": "topic: post-deploy rollback criteria (a failure makes the verdict ROLL BACK)",
    "intrusive": "changes or loads the target: refused on sensitive environments without --allow-intrusive",
}
STAGES = collection.STAGES


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from gonogo import hooks

    pluginmanager.add_hookspecs(hooks)
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
    group = parser.getgroup("gonogo", "gonogo release gate")
    group.addoption(
        "--env",
        metavar="NAME",
        help="environment to check: loads environments/NAME.toml (try: --env demo); not needed "
        "for --help, --markers, --fixtures, --collect-only",
    )
    group.addoption(
        "--env-file",
        metavar="PATH",
        help="environment file to load instead of --env NAME (any path; catalogue/ and reports/ "
        "stay beside the suite's ini file)",
    )
    group.addoption(
        "--release",
        metavar="VERSION",
        help="expected deployed version (default: release in the env file; an empty value is "
        "an error)",
    )
    group.addoption(
        "--plan",
        metavar="NAME",
        help="judge the run against the deployment plan plans/NAME.toml and its attestations "
        "(default: plan in the env file; docs/plans.md)",
    )
    group.addoption(
        "--allow-intrusive",
        action="store_true",
        help="run intrusive checks (load, restore drills, rate-limit probes) on a sensitive environment",
    )
    group.addoption(
        "--conditional-fails",
        action="store_true",
        help="exit 1 on a CONDITIONAL verdict (default: exit 0)",
    )
    group.addoption(
        "--demo-fault",
        action="append",
        default=[],
        metavar="FAULT",
        help="inject a fault into the embedded demo stack (repeatable; `gonogo demo faults` lists them)",
    )
    group.addoption(
        "--gonogo-reports",
        metavar="DIR",
        help="where run reports go (default: reports/ beside the ini file)",
    )
    group.addoption(
        "--gonogo-catalogue", action="store_true", help="print the check catalogue and exit"
    )
    parser.addini(
        "gonogo_catalogue",
        "check catalogue file or directory (relative to the ini file's directory)",
        default="catalogue",
    )
    parser.addini(
        "gonogo_env_dir",
        "directory of environment files (relative to the ini file's directory)",
        default="environments",
    )
    parser.addini(
        "gonogo_gate_paths",
        "paths that hold gate checks (an --env is required to run them)",
        type="args",
        default=["checks", "smoke", "load", "e2e", "infra"],
    )


def _catalogue(config: pytest.Config) -> catalogue_mod.Catalogue:
    # covers: the plan items whose reviewed mapping names each check (plans/*.toml)
    plans = invocation.root(config) / "plans"
    return catalogue_mod.load(invocation.catalogue_path(config), plans=plans)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    invocation.repair_setup(early_config, args)
    scheduling.note_dist_given(early_config)


def pytest_cmdline_main(config: pytest.Config) -> int | None:
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
    invocation.unfreeze_at_exit(config)  # first: its cleanup must run after pytest's own
    for name, doc in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {doc}")
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
    except ConfigError as err:
        raise config_error(str(err)) from None
    if controller:
        invocation.check_markexpr(config, {m for e in catalogue.values() for m in e.markers})
        try:  # before the demo stack starts: a bad plan is a configuration error
            plan = signoff.select_plan(config, env_name, env_file, catalogue)
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
            env_name=env_name,
            env_file=env_file,
            env_dir=invocation.env_dir(config),
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
    runtest.install_log_redaction(ctx.redactor)
    # cookies and Authorization headers the probes see are masked too (probes/http.py)
    config.stash[STOP_LEARNING_KEY] = listen(ctx.redactor)
    runtest.quiet_chatty_loggers()
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
    from gonogo.report.session import ReportPlugin

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
    runtest.setup(item)


@pytest.hookimpl(tryfirst=True)
def pytest_internalerror(excrepr: Any, excinfo: Any) -> None:
    # printed by the terminal reporter after this hook, with locals under -l --full-trace
    for redactor in listening():
        runtest.redact_in_place(excrepr, redactor)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    runtest.make_report(item, call, report)
    return report
