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
from gonogo import collection, invocation, runtest, scheduling, selection, warmup
from gonogo import context as context_mod
from gonogo.collector import Collector
from gonogo.context import CONTEXT_KEY
from gonogo.errors import ConfigError, DemoError
from gonogo.invocation import config_error
from gonogo.redact import Redactor, listen, listening

RESTORE_SIGTERM_KEY = pytest.StashKey[Callable[[], None]]()
STOP_LEARNING_KEY = pytest.StashKey[Callable[[], None]]()

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
    "monitoring": "topic: metrics and alerting",
    "intrusive": "changes or loads the target: refused on sensitive environments without --allow-intrusive",
}
STAGES = collection.STAGES


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from gonogo import hooks

    pluginmanager.add_hookspecs(hooks)


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
    reports_root, created = invocation.reports_root(config) if controller else (Path(), [])
    # installed before the demo stack starts: a SIGTERM there stops what started, too
    config.stash[RESTORE_SIGTERM_KEY] = invocation.install_sigterm()
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
    config.stash[CONTEXT_KEY] = ctx
    warmup.stop_at_exit(config)
    runtest.install_log_redaction(ctx.redactor)
    # cookies and Authorization headers the probes see are masked too (probes/http.py)
    config.stash[STOP_LEARNING_KEY] = listen(ctx.redactor)
    runtest.quiet_chatty_loggers()
    if controller:
        from gonogo.report.session import ReportPlugin

        invocation.warn_debug(config)
        report = ReportPlugin(config, ctx, Collector(), created)
        report.claim_html(config)
        config.pluginmanager.register(report, "gonogo-report")
        collection.register_early_collection(config)
        if config.pluginmanager.hasplugin("xdist"):
            bridge = scheduling.XdistBridge(ctx.to_workerinput(), config.option.dist)
            config.pluginmanager.register(bridge, "gonogo-xdist")


def pytest_unconfigure(config: pytest.Config) -> None:
    ctx = config.stash.get(CONTEXT_KEY, None)
    if ctx is not None:
        ctx.close(controller=not hasattr(config, "workerinput"))
    config.stash.get(RESTORE_SIGTERM_KEY, lambda: None)()
    config.stash.get(STOP_LEARNING_KEY, lambda: None)()


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    return scheduling.make_scheduler(config, log)


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
