"""The controller-side plugin: collects results, decides, writes the artefacts, prints the verdict.

The end of a run, in this order (each step deferring SIGINT/SIGTERM, see :mod:`gonogo.interrupts`):
pytest's own session end (xdist stops its workers, fixtures are torn down, pytest-html renders),
then the demo stack stops, then the verdict is decided again with every signal received so far,
the files are written into a staging directory, and :func:`~gonogo.report.artefacts.commit`
renames it and moves ``latest``. Only then is the verdict final: the exit code is the one the
report states, whatever happens afterwards.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import sys
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pytest

from gonogo import __version__
from gonogo.engine import collection, ending, selection, signoff
from gonogo.engine.collector import Collector
from gonogo.engine.context import RunContext, suite_commit
from gonogo.engine.invocation import remove_empty, root
from gonogo.errors import GonogoError
from gonogo.gate import undeclared
from gonogo.interrupts import Guard, checkpoint, deferred
from gonogo.plans import wire as plan_wire
from gonogo.plans.status import PlanStatus
from gonogo.report import artefacts, history, html, summary
from gonogo.report.artefacts import RunMeta
from gonogo.report.headline import headline
from gonogo.report.writer import JudgedRun, Page, write_run
from gonogo.schema import COMPONENTS
from gonogo.verdict import (
    CheckResult,
    Decision,
    ExitCode,
    NotRun,
    OpenItems,
    SeverityLowered,
    Verdict,
)


class ReportPlugin:
    """Registered only on the controller (or the single process of a serial run).

    Attributes:
        created: directories this run created for its report (removed again, when empty, if
            the run ends without a verdict, e.g. on a configuration error).
        user_html: the ``--html`` path the user chose, if any: report.html is written there
            too, and always in the run directory.
    """

    def __init__(
        self,
        config: pytest.Config,
        ctx: RunContext,
        collector: Collector,
        created: list[Path],
        guard: Guard,
    ) -> None:
        self.config = config
        self.ctx = ctx
        self.collector = collector
        self.guard = guard
        run_dir = ctx.report_dir
        self.created = [p for p in (run_dir, run_dir.parent) if not p.exists()] + created
        self.staging = artefacts.staging_dir(run_dir)
        self.user_html: Path | None = None
        self.meta: RunMeta | None = None
        self.headline = ""
        self.selection: selection.Selection | None = None
        # checks the selection left out that require a section the environment lacks
        self.not_applicable: tuple[NotRun, ...] = ()
        self.finished = False  # the run's end was handled (report committed, or none written)
        self.committed = False  # the report is on disk and latest points at it
        self.exit_code: int | None = None  # the process's exit code, once the end is handled
        self._page_cache: Page | None = None
        self.plan = config.stash.get(signoff.PLAN_KEY, None)  # --plan, when one was chosen
        self.plan_status: PlanStatus | None = None
        artefacts.sweep_partial(run_dir.parent)

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

    @pytest.hookimpl(tryfirst=True)
    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        # Ctrl-C and SIGTERM (a CI cancel) raise KeyboardInterrupt; pytest's own
        # Session.Interrupted (collection errors, -x) is judged at sessionfinish
        self.guard.wind_down()  # pytest has caught it: a second Ctrl-C cannot cut cleanups short
        if not isinstance(excinfo.value, pytest.Session.Interrupted):
            self.collector.interrupted = True

    def pytest_internalerror(self, excrepr: Any, excinfo: Any) -> None:
        # pytest prints the INTERNALERROR lines itself; the verdict names the error (exit 3)
        self.collector.internal_errors.append(ending.describe(excinfo.value))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        result = yield
        checkpoint("checks-done")
        return result

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
            self.finished = True
            yield
            return
        self.guard.wind_down()  # from here a signal is remembered: the run ends in one piece
        checkpoint("sessionfinish")
        # pytest ends a run whose check file did not import as "interrupted"; nobody
        # interrupted it: it is NO-GO for that file (exit 1), not exit 2
        halted = exitstatus == pytest.ExitCode.INTERRUPTED and not self.collector.collection_errors
        if halted or session.shouldstop or session.shouldfail:  # -x, --maxfail
            self.collector.interrupted = True
        if exitstatus == pytest.ExitCode.INTERNAL_ERROR and not self.collector.internal_errors:
            self.collector.internal_errors.append("pytest reported an internal error")
        self._decide()  # for pytest-html's banner and the terminal's verdict section
        try:
            yield  # xdist stops its workers, fixtures are torn down, pytest-html renders
        except KeyboardInterrupt:
            self.collector.interrupted = True
        except Exception as err:  # another plugin's session end failed: a bug, named
            self._internal_error("pytest_sessionfinish", err)
        self.finish()
        if self.exit_code is not None:
            session.exitstatus = self.exit_code

    # -- the end of the run -------------------------------------------------------------------
    def finish(self) -> None:
        """Stop what the run started, decide with every signal received, write, commit (once).

        Also called when a run ends before its session does (interrupted while the demo stack
        started, an internal error before the first check): such a run is NO-GO too.
        """
        if self.finished:
            return
        self.finished = True
        self.guard.wind_down()
        with deferred():
            self._close()
            try:
                self._write_and_commit()
            except Exception as err:  # writing failed: no report, latest left alone, exit 3
                self._abandon(err)
        if self.committed:
            checkpoint("committed")
            assert self.collector.decision is not None
            ending.notify(
                self.config, self.collector.decision, str(self.ctx.report_dir), self.ctx.redactor
            )

    def _close(self) -> None:
        checkpoint("cleanup")
        try:
            self.ctx.close(controller=True)  # the demo stack stops before the verdict is final
        except GonogoError as err:
            self._internal_error("stopping the demo stack", err, trace=False)

    def _write_and_commit(self) -> None:
        while True:
            seen = len(self.guard.received)
            if self.guard.interrupted:
                self.collector.interrupted = True
                self.collector.interruption = ", ".join(dict.fromkeys(self.guard.received))
            decision = self._decide()
            assert self.meta is not None
            judged = JudgedRun(
                results=tuple(self.collector.results),
                decision=decision,
                meta=self.meta,
                majors_block=bool(self.config.getoption("conditional_fails")),
                plan=self._plan_wire(),
                history=tuple(self._history),
            )
            record = write_run(self.staging, judged, redact=self.ctx.redactor, page=self._page())
            checkpoint("commit")
            # a signal that arrived while writing: the report must say interrupted
            if len(self.guard.received) == seen or self.collector.interrupted:
                break
        run_dir = self.ctx.report_dir
        artefacts.commit(self.staging, run_dir)
        self.guard.commit()
        self.committed = True
        try:  # only a committed run is in the history (docs/evidence-schema.md, "History")
            history.append(run_dir.parent / history.NAME, record, self.ctx.redactor)
        except OSError as err:
            ending.warn(self.ctx.redactor, f"could not add the run to the history: {err}")
        self.created = []  # the report exists: nothing of it is removed
        self.exit_code = self.meta.exit_code
        line = headline(
            decision,
            self.ctx.env.name,
            self.collector.results,
            _display_path(run_dir / "report.html"),
        )
        if self.collector.interrupted and "interrupted" not in line:
            prefix = f"{decision.verdict.value} ({self.ctx.env.name}): "
            cause = self.collector.interruption or "stopped early"
            line = line.replace(prefix, f"{prefix}interrupted ({cause}); ", 1)
        self.headline = line

    def _page(self) -> Page:
        """pytest-html's page (read once: later passes start from what it rendered)."""
        if self._page_cache is None:
            rendered = self.user_html or self.ctx.report_dir / "report.html"
            text = rendered.read_text(encoding="utf-8") if rendered.is_file() else None
            self._page_cache = Page(text, self.user_html)
        return self._page_cache

    def _abandon(self, err: Exception) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        self.exit_code = int(ExitCode.INTERNAL_ERROR)
        ending.print_error(self.ctx.redactor, err, "writing the report")
        print(
            "gonogo: internal error while writing the report; no report was written and "
            "latest was not moved (exit 3)",
            file=sys.stderr,
            flush=True,
        )

    def _internal_error(self, where: str, err: BaseException, *, trace: bool = True) -> None:
        if trace:
            ending.print_error(self.ctx.redactor, err, where)
        self.collector.internal_errors.append(f"{where}: {ending.describe(err)}")

    def escaped(self, err: BaseException) -> int:
        """The exit code when an exception escaped pytest (it printed nothing for it)."""
        if isinstance(err, KeyboardInterrupt):
            self.collector.interrupted = True
        elif self.committed:
            self._after_commit(err, "the end of the run")
        else:
            self._internal_error("the end of the run", err)
        self.finish()
        return self.final_code(2 if isinstance(err, KeyboardInterrupt) else 3)

    def _after_commit(self, err: BaseException, where: str) -> None:
        ending.print_error(self.ctx.redactor, err, f"{where}, after the report was written")
        ending.warn(
            self.ctx.redactor,
            "the error came after the report was written; the verdict and its exit code stand",
        )

    def final_code(self, code: int) -> int:
        """The process's exit code: the committed report's, else pytest's."""
        return self.exit_code if self.exit_code is not None else code

    def _decide(self) -> Decision:
        if self.selection is None:  # no collection finished (e.g. a collection error)
            self.selection = selection.of_session(self.config, None)
        # dedupe crashes reported twice (hook + report)
        self.collector.crashed = list(dict.fromkeys(self.collector.crashed))
        decision = self.collector.finish(
            self.ctx.env.config.waivers, self.ctx.started_at.date(), self._scope, self._weigh_plan
        )
        self.meta = self._meta(decision)
        return decision

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

    def _plan_wire(self) -> plan_wire.PlanWire | None:
        return plan_wire.to_wire(self.plan_status) if self.plan_status is not None else None

    def _weigh_plan(self, results: Sequence[CheckResult]) -> tuple[OpenItems, ...]:
        """The plan's status in this run (kept for the reports) and its open manual items."""
        if self.plan is None:
            return ()
        assert self.selection is not None  # set at sessionfinish
        stages = signoff.stages(
            self.selection.markexpr, self.selection.expected(self.ctx.catalogue), self.ctx.catalogue
        )
        self.plan_status, weigh = signoff.judge(self.plan, results, self.ctx.started_at, stages)
        return weigh

    def _exit_code(self, decision: Decision) -> int:
        code = decision.exit_code
        if decision.verdict is Verdict.CONDITIONAL and self.config.getoption("conditional_fails"):
            code = ExitCode.NO_GO
        return int(code)

    @functools.cached_property
    def _history(self) -> list[dict[str, Any]]:
        """The environment's earlier runs (read once: the verdict may be written twice)."""
        return history.load(self.ctx.report_dir.parent / history.NAME)

    @functools.cached_property
    def _suite_commit(self) -> str | None:
        return suite_commit(self.config.rootpath)  # asked once: the verdict may be decided twice

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
            suite_commit=self._suite_commit,
            allow_intrusive=ctx.allow_intrusive,
            exit_code=self._exit_code(decision),
            selection=self.selection.to_json(ctx.catalogue, decision.not_run, self.not_applicable),
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

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_unconfigure(self, config: pytest.Config) -> Generator[None, None, None]:
        try:
            yield
        except Exception as err:  # another plugin's cleanup failed
            if self.committed:
                self._after_commit(err, "pytest_unconfigure")
            else:
                self._internal_error("pytest_unconfigure", err)
        unfinished = self.collector.interrupted or self.guard.interrupted
        if not self.finished and (unfinished or self.collector.internal_errors):
            self.finish()  # the run ended before its session did: the report says why
        if not self.committed:
            # no report was written (configuration error): leave nothing that looks like one
            shutil.rmtree(self.staging, ignore_errors=True)
            if self.created:
                shutil.rmtree(self.ctx.report_dir, ignore_errors=True)
                remove_empty(self.created)
        if self.headline:
            decision = self.collector.decision
            colour = {"GO": {"green": True}, "CONDITIONAL": {"yellow": True}}.get(
                decision.verdict.value if decision else "", {"red": True}
            )
            line = self.ctx.redactor.text(self.headline)
            if config.pluginmanager.get_plugin("terminalreporter") is None:
                print(line, flush=True)  # the run ended before pytest's terminal existed
            else:
                config.get_terminal_writer().line(line, bold=True, **colour)

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
            plan = self._plan_wire()
            prefix.append(html.banner(decision, self.collector.results, self.meta, plan))

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
