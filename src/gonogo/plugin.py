"""pytest wiring: options, markers, and the hooks that turn tests into a go/no-go verdict.

Wiring only; the logic lives in :mod:`gonogo.context` (environment and demo),
:mod:`gonogo.outcomes` (per-phase classification), :mod:`gonogo.collector` (controller-side
results), :mod:`gonogo.verdict` (the decision) and :mod:`gonogo.report` (artefacts).
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from gonogo import catalogue as catalogue_mod
from gonogo import context as context_mod
from gonogo.collector import Collector
from gonogo.errors import ConfigError, DemoError
from gonogo.evidence import Evidence
from gonogo.model import CheckSpec
from gonogo.outcomes import classify
from gonogo.redact import Redactor

CONTEXT_KEY = pytest.StashKey["context_mod.RunContext"]()
SPEC_KEY = pytest.StashKey[CheckSpec]()
EVIDENCE_KEY = pytest.StashKey[Evidence]()

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
STAGES = ("predeploy", "smoke", "postdeploy", "load", "e2e")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from gonogo import hooks

    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gonogo", "gonogo release gate")
    group.addoption(
        "--env",
        metavar="NAME",
        help="environment to check: loads environments/NAME.toml (try: --env demo)",
    )
    group.addoption(
        "--env-file", metavar="PATH", help="environment file to load instead of --env NAME"
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
        "--gonogo-reports", metavar="DIR", help="where run reports go (default: <rootdir>/reports)"
    )
    group.addoption(
        "--gonogo-catalogue", action="store_true", help="print the check catalogue and exit"
    )
    parser.addini(
        "gonogo_catalogue",
        "check catalogue file or directory (relative to rootdir)",
        default="catalogue",
    )
    parser.addini(
        "gonogo_env_dir",
        "directory of environment files (relative to rootdir)",
        default="environments",
    )
    parser.addini(
        "gonogo_gate_paths",
        "paths that hold gate checks (an --env is required to run them)",
        type="args",
        default=["checks", "smoke", "load", "e2e", "infra"],
    )


def _root(config: pytest.Config) -> Path:
    return Path(config.rootpath)


def _catalogue(config: pytest.Config) -> catalogue_mod.Catalogue:
    return catalogue_mod.load(_root(config) / config.getini("gonogo_catalogue"))


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
    env_name, env_file = config.getoption("env"), config.getoption("env_file")
    if config.getoption("gonogo_catalogue"):
        return
    if not env_name and not env_file:
        if _selects_gate_paths(config):
            try:
                context_mod.config.resolve_path(
                    None, None, _root(config) / config.getini("gonogo_env_dir")
                )
            except ConfigError as err:
                raise pytest.UsageError(str(err)) from None
        config.pluginmanager.register(NoEnvGuard(config), "gonogo-noenv")
        return
    workerinput = getattr(config, "workerinput", None)
    try:
        catalogue = _catalogue(config)
        ctx = context_mod.build(
            env_name=env_name,
            env_file=env_file,
            env_dir=_root(config) / config.getini("gonogo_env_dir"),
            catalogue=catalogue,
            reports_root=Path(config.getoption("gonogo_reports") or _root(config) / "reports"),
            release=config.getoption("release"),
            allow_intrusive=config.getoption("allow_intrusive"),
            demo_faults=config.getoption("demo_fault"),
            workerinput=workerinput.get("gonogo") if workerinput else None,
            progress=context_mod.progress_printer(),
        )
    except (ConfigError, DemoError) as err:
        raise pytest.UsageError(Redactor().text(str(err))) from None
    config.stash[CONTEXT_KEY] = ctx
    _install_log_redaction(ctx.redactor)
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
    if ctx is not None and ctx.demo is not None:
        ctx.demo.stop()
        ctx.demo = None


def _selects_gate_paths(config: pytest.Config) -> bool:
    """Whether the command line (or the default testpaths) points at gate checks."""
    root = _root(config)
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
                context_mod.config.resolve_path(
                    None, None, _root(self.config) / self.config.getini("gonogo_env_dir")
                )
            except ConfigError as err:
                raise pytest.UsageError(str(err)) from None


class XdistBridge:
    """Hands the controller's run context to xdist workers."""

    def __init__(self, ctx: context_mod.RunContext) -> None:
        self.ctx = ctx

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["gonogo"] = self.ctx.to_workerinput()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ctx = config.stash.get(CONTEXT_KEY, None)
    if ctx is None:
        return
    for item in items:
        marker = item.get_closest_marker("check")
        if marker is None:
            raise pytest.UsageError(
                f"{item.nodeid}: a gate test needs @pytest.mark.check('<id>') (gate run with --env {ctx.env.name})"
            )
        if not marker.args or not isinstance(marker.args[0], str):
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.check needs the check id as its first argument"
            )
        try:
            entry = ctx.catalogue[marker.args[0]]
        except KeyError:
            raise pytest.UsageError(f"{item.nodeid}: {_unknown(marker.args[0])}") from None
        spec = entry.spec
        override = ctx.env.config.checks.get(spec.id)
        if override is not None and override.severity is not None:
            spec = CheckSpec(spec.id, spec.title, override.severity, spec.covers, spec.intrusive)
        item.stash[SPEC_KEY] = spec
        # the catalogue is the single source of stage/topic markers: -m selects on them
        for name in (*entry.markers, *(["intrusive"] if spec.intrusive else [])):
            if item.get_closest_marker(name) is None:
                item.add_marker(name)
    # intrusive checks disturb the target (rate limiters tripped, load): run them after the rest
    items.sort(key=lambda item: item.stash[SPEC_KEY].intrusive)


def _unknown(check_id: str) -> str:
    return f"unknown check id {check_id!r}: add it to catalogue/*.toml or fix the typo (`gonogo checks` lists the ids)"


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
    outcome, reason, message = classify(report, call)
    outcome_value = outcome.value
    redact = ctx.redactor
    severity = (
        evidence.effective_severity(spec.severity) if report.when == "call" else spec.severity
    )
    report.gonogo = redact.redact(  # type: ignore[attr-defined]
        {
            "id": spec.id,
            "title": spec.title,
            "severity": severity.value,
            "default_severity": spec.severity.value,
            "covers": list(spec.covers),
            "intrusive": spec.intrusive,
            "markers": sorted(
                {m.name for m in item.iter_markers()} - {"check", "parametrize", "usefixtures"}
            ),
            "nodeid": item.nodeid,
            "when": report.when,
            "outcome": outcome_value,
            "error_reason": reason,
            "message": message,
            "duration_s": round(report.duration, 3),
            "target": evidence.target,
            "findings": [f.to_wire() for f in evidence.findings] if report.when == "call" else [],
            "attachments": list(evidence.attachments) if report.when == "call" else [],
        }
    )
    _redact_report(report, redact)
    return report


def _redact_report(report: pytest.TestReport, redact: Redactor) -> None:
    """Mask secrets in what pytest itself prints and what pytest-html embeds."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, line, msg = longrepr
        report.longrepr = (path, line, redact.text(str(msg)))
    elif isinstance(longrepr, str):
        report.longrepr = redact.text(longrepr)
    elif longrepr is not None:
        text = str(longrepr)
        if redact.text(text) != text:
            _redact_in_place(longrepr, redact, depth=0)
            if redact.text(str(longrepr)) != str(longrepr):  # a shape we do not know: flatten
                report.longrepr = redact.text(str(longrepr))
    report.sections = [(title, redact.text(content)) for title, content in report.sections]


def _redact_in_place(obj: Any, redact: Redactor, depth: int) -> Any:
    """Walk pytest's repr objects (reprcrash, entries, locals, args) and mask their strings."""
    if depth > 12:
        return obj
    if isinstance(obj, str):
        return redact.text(obj)
    if isinstance(obj, list):
        obj[:] = [_redact_in_place(v, redact, depth + 1) for v in obj]
        return obj
    if isinstance(obj, tuple):
        return tuple(_redact_in_place(v, redact, depth + 1) for v in obj)
    if hasattr(obj, "__dict__"):
        for key, value in vars(obj).items():
            new = _redact_in_place(value, redact, depth + 1)
            if new is not value:
                object.__setattr__(obj, key, new)
    return obj


def _install_log_redaction(redactor: Redactor) -> None:
    """Every log record is formatted and masked before any handler sees it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_gonogo", False):
        previous = previous._gonogo_previous  # type: ignore[attr-defined]

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        record.msg, record.args = redactor.text(message), None
        return record

    factory._gonogo = True  # type: ignore[attr-defined]
    factory._gonogo_previous = previous  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
