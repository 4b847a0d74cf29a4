"""The controller-side plugin: collects results, decides, writes the artefacts, prints the verdict."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pytest

from gonogo import __version__, collection, selection
from gonogo.collector import Collector
from gonogo.context import RunContext, suite_commit
from gonogo.gate import undeclared
from gonogo.invocation import remove_empty, root
from gonogo.report import artefacts, html, junit, summary
from gonogo.report.artefacts import RunMeta
from gonogo.report.headline import headline
from gonogo.schema import COMPONENTS
from gonogo.verdict import CheckResult, Decision, ExitCode, NotRun, SeverityLowered, Verdict


class ReportPlugin:
    """Registered only on the controller (or the single process of a serial run).

    Attributes:
        created: directories this run created for its report (removed again, when empty, if
            the run ends without a verdict, e.g. on a configuration error).
        user_html: the ``--html`` path the user chose, if any: report.html is written there
            too, and always in the run directory.
    """

    def __init__(
        self, config: pytest.Config, ctx: RunContext, collector: Collector, created: list[Path]
    ) -> None:
        self.config = config
        self.ctx = ctx
        self.collector = collector
        run_dir = ctx.report_dir
        self.created = [p for p in (run_dir, run_dir.parent) if not p.exists()] + created
        self.user_html: Path | None = None
        self.meta: RunMeta | None = None
        self.headline = ""
        self.selection: selection.Selection | None = None
        # checks the selection left out that require a section the environment lacks
        self.not_applicable: tuple[NotRun, ...] = ()

    def claim_html(self, config: pytest.Config) -> None:
        """Point pytest-html at the run directory, or keep the user's ``--html`` and copy it.

        Self-contained either way: the copy in the run directory must not depend on an assets
        directory beside the user's file.
        """
        given = config.getoption("htmlpath", None)
        if given:
            # resolved as pytest-html resolves it, before any chdir
            self.user_html = Path.cwd() / Path(os.path.expandvars(given)).expanduser()
        else:
            config.option.htmlpath = str(self.ctx.report_dir / "report.html")
        config.option.self_contained_html = True

    # -- collecting -------------------------------------------------------------------------
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # the controller collects under xdist too (EarlyCollection): this is the run's selection
        self.selection = selection.of_session(self.config, session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.collector.add_report(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self.collector.add_collect_report(report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_handlecrashitem(self, crashitem: str, report: Any, sched: Any) -> None:
        self.collector.crashed.append(crashitem)

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        # Ctrl-C and SIGTERM (a CI cancel) raise KeyboardInterrupt; pytest's own
        # Session.Interrupted (collection errors, -x) is judged at sessionfinish
        if not isinstance(excinfo.value, pytest.Session.Interrupted):
            self.collector.interrupted = True

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(
        self, session: pytest.Session, exitstatus: int
    ) -> Generator[None, None, None]:
        if exitstatus == pytest.ExitCode.USAGE_ERROR:
            # a configuration error: no verdict, no report (pytest-html's file is removed at
            # unconfigure, and its "Generated html report" line is not printed)
            html_plugin = self.config.pluginmanager.get_plugin("html")
            if html_plugin is not None and self.user_html is None:
                self.config.pluginmanager.unregister(html_plugin)
            yield
            return
        # pytest ends a run whose check file did not import as "interrupted"; nobody
        # interrupted it: it is NO-GO for that file (exit 1), not exit 2
        halted = exitstatus == pytest.ExitCode.INTERRUPTED and not self.collector.collection_errors
        if halted or session.shouldstop or session.shouldfail:  # -x, --maxfail
            self.collector.interrupted = True
        if self.selection is None:  # no collection finished (e.g. a collection error)
            self.selection = selection.of_session(self.config, None)
        if exitstatus == pytest.ExitCode.INTERNAL_ERROR:
            self.collector.internal_errors.append("pytest reported an internal error")
        # dedupe crashes reported twice (hook + report)
        self.collector.crashed = list(dict.fromkeys(self.collector.crashed))
        decision = self.collector.finish(
            self.ctx.env.config.waivers, self.ctx.started_at.date(), self._scope
        )
        self.meta = self._meta(decision)
        yield  # pytest-html renders report.html here, calling our summary/table hooks
        self._write(decision, self.meta)
        session.exitstatus = self.meta.exit_code
        self._notify(decision)

    def _scope(
        self, results: Sequence[CheckResult]
    ) -> tuple[tuple[NotRun, ...], tuple[SeverityLowered, ...]]:
        """The checks of the selected stages that did not run, and the lowered severities."""
        ctx, ran = self.ctx, {r.id for r in results}
        overrides = ctx.env.config.checks
        assert self.selection is not None  # set at sessionfinish
        # sections, and the opt-in keys checks require (web.health_path), the environment has
        wanted = {*COMPONENTS, *(r for e in ctx.catalogue.values() for r in e.spec.requires)}
        declared = [name for name in sorted(wanted) if not undeclared(ctx.env.config, [name])]
        not_run = self.selection.not_run(ctx.catalogue, overrides, ran, declared)
        self.not_applicable = self.selection.not_applicable(
            ctx.catalogue, overrides, ran, declared, ctx.env.name
        )
        source = _display_path(ctx.env.path, root(self.config))
        ids = ran | {n.id for n in not_run}
        return not_run, collection.lowered(ctx.catalogue, overrides, ids, source)

    def _exit_code(self, decision: Decision) -> int:
        code = decision.exit_code
        if decision.verdict is Verdict.CONDITIONAL and self.config.getoption("conditional_fails"):
            code = ExitCode.NO_GO
        return int(code)

    def _meta(self, decision: Decision) -> RunMeta:
        ctx = self.ctx
        assert self.selection is not None  # set at sessionfinish
        finished = self.collector.finished_at or dt.datetime.now(dt.UTC)
        return RunMeta(
            env=ctx.env.name,
            env_file=str(ctx.env.path),
            sensitive=ctx.env.sensitive,
            release=ctx.release,
            run_id=ctx.run_id,
            started_at=ctx.started_at.isoformat(),
            finished_at=finished.isoformat(),
            gonogo_version=__version__,
            suite_commit=suite_commit(self.config.rootpath),
            allow_intrusive=ctx.allow_intrusive,
            exit_code=self._exit_code(decision),
            selection=self.selection.to_json(ctx.catalogue, decision.not_run, self.not_applicable),
        )

    def _write(self, decision: Decision, meta: RunMeta) -> None:
        ctx, results, redact = self.ctx, self.collector.results, self.ctx.redactor
        run_dir = ctx.report_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        attachments = artefacts.write_attachments(run_dir, results, redact)
        document = artefacts.evidence_document(
            results=results, decision=decision, meta=meta, attachments=attachments
        )
        artefacts.write_json(run_dir / "evidence.json", document, redact)
        majors_block = bool(self.config.getoption("conditional_fails"))
        junit_text = junit.junit_xml(results, decision, meta, majors_block=majors_block)
        artefacts.write_text(run_dir / "junit.xml", junit_text, redact)
        artefacts.write_text(
            run_dir / "summary.md", summary.summary_markdown(results, decision, meta), redact
        )
        report_html = run_dir / "report.html"
        rendered = self.user_html or report_html
        if rendered.is_file():  # pytest-html wrote it; mask anything that slipped into its data
            page = html.hoist_banner(rendered.read_text(encoding="utf-8"))
            artefacts.write_text(report_html, page, redact)
            if self.user_html is not None:
                artefacts.write_text(self.user_html, page, redact)
        (run_dir / "manifest.sha256").write_text(artefacts.manifest(run_dir), encoding="utf-8")
        artefacts.point_latest(run_dir)
        self.created = []  # the report exists: nothing of it is removed
        self.headline = headline(decision, ctx.env.name, results, _display_path(report_html))

    def _notify(self, decision: Decision) -> None:
        """Call each ``pytest_gonogo_verdict`` implementation; one that fails is named, and the
        verdict and its exit code stand."""
        kwargs: dict[str, Any] = {
            "verdict": decision.verdict.value,
            "reasons": list(decision.reasons),
            "report_dir": str(self.ctx.report_dir),
            "config": self.config,
        }
        for impl in reversed(self.config.hook.pytest_gonogo_verdict.get_hookimpls()):
            if impl.hookwrapper or impl.wrapper:
                continue
            try:
                impl.function(**{name: kwargs[name] for name in impl.argnames})
            except Exception as err:  # a team's notifier must not turn a verdict into a crash
                message = f"{type(err).__name__}: {err}".splitlines()[0]
                print(
                    self.ctx.redactor.text(
                        f"gonogo: warning: pytest_gonogo_verdict of {impl.plugin_name} failed "
                        f"({message}); the verdict and its exit code stand"
                    ),
                    file=sys.stderr,
                    flush=True,
                )

    # -- terminal -----------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> Generator[None, None, None]:
        yield  # after pytest's own summary sections
        decision = self.collector.decision
        if decision is None:
            return
        terminalreporter.write_sep("=", f"gonogo verdict for {self.ctx.env.name}")
        for line in summary.terminal_lines(self.collector.results, decision):
            terminalreporter.write_line(self.ctx.redactor.text(line))

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.created:
            # no report was written (configuration error): leave nothing that looks like one
            shutil.rmtree(self.ctx.report_dir, ignore_errors=True)
            remove_empty(self.created)
        if self.headline:
            decision = self.collector.decision
            colour = {"GO": {"green": True}, "CONDITIONAL": {"yellow": True}}.get(
                decision.verdict.value if decision else "", {"red": True}
            )
            writer = config.get_terminal_writer()
            writer.line(self.ctx.redactor.text(self.headline), bold=True, **colour)

    # -- pytest-html --------------------------------------------------------------------------
    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"gonogo release gate: {self.ctx.env.name}"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: Any
    ) -> None:
        decision = self.collector.decision
        if decision is not None and self.meta is not None:
            prefix.append(html.banner(decision, self.collector.results, self.meta))

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells[1:1] = list(html.HEADER_CELLS)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        cells[1:1] = html.row_cells(getattr(report, "gonogo", None))


def _display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the working directory) when inside it."""
    try:
        return str(path.resolve().relative_to((base or Path.cwd()).resolve()))
    except ValueError:
        return str(path)
