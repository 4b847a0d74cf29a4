"""pytest wiring: options, markers, and the hooks that turn tests into a go/no-go verdict.

Wiring only; the logic lives in :mod:`gonogo.invocation` (suite root, info-only runs, SIGTERM),
:mod:`gonogo.context` (environment and demo), :mod:`gonogo.collection` (check identity),
:mod:`gonogo.runtest` and :mod:`gonogo.outcomes` (per-phase results),
:mod:`gonogo.collector` (controller-side results), :mod:`gonogo.verdict` (the decision) and
:mod:`gonogo.report` (artefacts).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from gonogo import catalogue as catalogue_mod
from gonogo import collection, invocation, runtest
from gonogo import context as context_mod
from gonogo.collector import Collector
from gonogo.endpoints import endpoint_of
from gonogo.errors import ConfigError, DemoError
from gonogo.evidence import Evidence
from gonogo.model import CheckSpec
from gonogo.redact import Redactor

CONTEXT_KEY = pytest.StashKey["context_mod.RunContext"]()
SPEC_KEY = pytest.StashKey[CheckSpec]()
EVIDENCE_KEY = pytest.StashKey[Evidence]()
RESTORE_SIGTERM_KEY = pytest.StashKey[Callable[[], None]]()

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
        help="expected deployed version (default: release in the env file)",
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
    return catalogue_mod.load(invocation.root(config) / config.getini("gonogo_catalogue"))


def _env_dir(config: pytest.Config) -> Path:
    return invocation.root(config) / config.getini("gonogo_env_dir")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    invocation.repair_setup(early_config, args)


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if config.getoption("gonogo_catalogue"):
        try:
            print(catalogue_mod.render_text(_catalogue(config)))
        except ConfigError as err:
            raise pytest.UsageError(str(err)) from None
        return 0
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for name, doc in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {doc}")
    if config.getoption("gonogo_catalogue") or invocation.info_only(config):
        return  # help, markers, fixtures, collect-only: nothing is checked, no environment needed
    env_name, env_file = config.getoption("env"), config.getoption("env_file")
    if not env_name and not env_file:
        if _selects_gate_paths(config):
            try:
                context_mod.config.resolve_path(None, None, _env_dir(config))
            except ConfigError as err:
                raise pytest.UsageError(str(err)) from None
        config.pluginmanager.register(NoEnvGuard(config), "gonogo-noenv")
        return
    workerinput = getattr(config, "workerinput", None)
    # installed before the demo stack starts: a SIGTERM there stops what started, too
    config.stash[RESTORE_SIGTERM_KEY] = invocation.install_sigterm()
    try:
        catalogue = _catalogue(config)
        ctx = context_mod.build(
            env_name=env_name,
            env_file=env_file,
            env_dir=_env_dir(config),
            catalogue=catalogue,
            reports_root=Path(
                config.getoption("gonogo_reports") or invocation.root(config) / "reports"
            ),
            release=config.getoption("release"),
            allow_intrusive=config.getoption("allow_intrusive"),
            demo_faults=config.getoption("demo_fault"),
            workerinput=workerinput.get("gonogo") if workerinput else None,
            progress=context_mod.progress_printer(),
        )
    except (ConfigError, DemoError) as err:
        raise pytest.UsageError(Redactor().text(str(err))) from None
    config.stash[CONTEXT_KEY] = ctx
    runtest.install_log_redaction(ctx.redactor)
    if workerinput is None:
        from gonogo.report.session import ReportPlugin

        ctx.report_dir.mkdir(parents=True, exist_ok=True)
        if not config.getoption("htmlpath", None):
            config.option.htmlpath = str(ctx.report_dir / "report.html")
            config.option.self_contained_html = True
        config.pluginmanager.register(ReportPlugin(config, ctx, Collector()), "gonogo-report")
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(XdistBridge(ctx), "gonogo-xdist")


def pytest_unconfigure(config: pytest.Config) -> None:
    ctx = config.stash.get(CONTEXT_KEY, None)
    if ctx is not None:
        ctx.close(controller=not hasattr(config, "workerinput"))
    config.stash.get(RESTORE_SIGTERM_KEY, lambda: None)()


def _selects_gate_paths(config: pytest.Config) -> bool:
    """Whether the command line (or the default testpaths) points at gate checks."""
    root = invocation.root(config)
    gate_dirs = [(root / p).resolve() for p in config.getini("gonogo_gate_paths")]
    args = [a.split("::")[0] for a in config.args if not a.startswith("-")] or ["."]
    for arg in args:
        path = (Path(config.invocation_params.dir) / arg).resolve()
        for gate in gate_dirs:
            if path == gate or gate in path.parents or (path == root and gate.exists()):
                return True
    return False


class NoEnvGuard:
    """Without --env, collecting a gate check is a configuration error (not a silent pass)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if any(item.get_closest_marker("check") for item in items):
            try:
                context_mod.config.resolve_path(None, None, _env_dir(self.config))
            except ConfigError as err:
                raise pytest.UsageError(str(err)) from None


class XdistBridge:
    """Hands the controller's run context to xdist workers."""

    def __init__(self, ctx: context_mod.RunContext) -> None:
        self.ctx = ctx

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["gonogo"] = self.ctx.to_workerinput()


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from gonogo.scheduling import CrashSafeLoadGroupScheduling

    return CrashSafeLoadGroupScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ctx = config.stash.get(CONTEXT_KEY, None)
    if ctx is not None:
        specs = collection.prepare(
            items, ctx.catalogue, ctx.env.config.checks, env_name=ctx.env.name
        )
    elif config.getoption("collectonly") and any(collection.check_id(i) for i in items):
        # --collect-only without an environment: catalogue markers so that -m selects as in a run
        try:
            catalogue = _catalogue(config)
        except ConfigError as err:
            raise pytest.UsageError(str(err)) from None
        gate_items = [i for i in items if collection.check_id(i)]
        collection.prepare(gate_items, catalogue, {}, env_name=None)
        return
    else:
        return
    for item, spec in specs.items():
        item.stash[SPEC_KEY] = spec
    # intrusive checks disturb the target (rate limiters tripped, load): run them after the rest
    items.sort(key=lambda item: item.stash[SPEC_KEY].intrusive)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    ctx = item.config.stash.get(CONTEXT_KEY, None)
    spec = item.stash.get(SPEC_KEY, None)
    if ctx is None or spec is None:
        return
    item.stash[EVIDENCE_KEY] = Evidence()
    if spec.intrusive and ctx.env.sensitive and not ctx.allow_intrusive:
        from gonogo.gate import REFUSED

        pytest.skip(
            f"{REFUSED}intrusive check on sensitive environment {ctx.env.name}; "
            "pass --allow-intrusive to run it (counted as unverified)"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    ctx = item.config.stash.get(CONTEXT_KEY, None)
    spec = item.stash.get(SPEC_KEY, None)
    if ctx is None or spec is None:
        return report
    evidence = item.stash.get(EVIDENCE_KEY, None) or Evidence()
    if call.excinfo is not None:
        # an endpoint refused or silent here fails every later check of it at once
        ctx.shared.note_failure(endpoint_of(evidence.target), call.excinfo.value)
    data = runtest.wire(item, report, call, spec, evidence)
    runtest.shorten(report, call, data, ctx.where_configured(evidence.target))
    report.gonogo = ctx.redactor.redact(data)  # type: ignore[attr-defined]
    runtest.redact_report(report, ctx.redactor)
    return report
