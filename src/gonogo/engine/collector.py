"""Controller side: gather per-test reports into check results and decide the verdict."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest

from gonogo.engine.evidence import from_wire
from gonogo.engine.outcomes import NEVER_RAN, merge_phases
from gonogo.model import ErrorReason, Outcome
from gonogo.schema import Waiver
from gonogo.verdict import (
    CheckResult,
    Decision,
    NotRun,
    OpenItems,
    RunState,
    SeverityLowered,
    apply_waivers,
    decide,
)
from gonogo.wire import CheckWire

# the run's results -> the checks of the selected stages that did not run, and the severities
# the environment lowered for the checks concerned (see gonogo.engine.selection)
Scope = Callable[[Sequence[CheckResult]], tuple[tuple[NotRun, ...], tuple[SeverityLowered, ...]]]
# the run's results (after waivers) -> the selected plan's open manual items (gonogo.engine.signoff)
PlanWeight = Callable[[Sequence[CheckResult]], Sequence[OpenItems]]


INTERRUPTED_CHECK = "interrupted while it ran; not verified"


class Collector:
    """Receives every ``pytest_runtest_logreport`` on the controller (or the only process)."""

    def __init__(self) -> None:
        self._phases: dict[str, list[CheckWire]] = defaultdict(list)
        self._order: list[str] = []
        self.crashed: list[str] = []
        self.internal_errors: list[str] = []
        self.collection_errors: list[str] = []
        self.interrupted = False
        self.interruption = ""  # what interrupted it, when known (the signals received)
        self.results: list[CheckResult] = []
        self.decision: Decision | None = None
        self.finished_at: dt.datetime | None = None

    def add_report(self, report: pytest.TestReport) -> None:
        data: CheckWire | None = getattr(report, "gonogo", None)
        if data is None:
            if report.when == "???" or "crashed while running" in str(report.longrepr or ""):
                self.crashed.append(report.nodeid)
            return
        if report.nodeid not in self._phases:
            self._order.append(report.nodeid)
        self._phases[report.nodeid].append(data)

    def add_collect_report(self, report: pytest.CollectReport) -> None:
        where = report.nodeid or "(session)"
        if report.failed and where not in self.collection_errors:
            self.collection_errors.append(where)

    def _crash_phases(self) -> None:
        """A check whose worker died has only the phases reported before the crash (setup
        passed): add an error phase so it can never count as passed."""
        for nodeid in dict.fromkeys(self.crashed):
            phases = self._phases.get(nodeid)
            if not phases or any(p["when"] == "crash" for p in phases):
                continue
            crash = phases[-1].copy()
            crash["when"] = "crash"
            crash["outcome"] = Outcome.ERROR.value
            crash["error_reason"] = ErrorReason.BUG.value
            crash["message"] = (
                "the test worker crashed while running this check "
                "(os._exit, segfault or out-of-memory kill); it was not verified"
            )
            crash["findings"] = []
            crash["attachments"] = []
            crash["duration_s"] = 0.0
            phases.append(crash)

    def finish(
        self,
        waivers: Sequence[Waiver],
        today: dt.date,
        scope: Scope | None = None,
        plan: PlanWeight | None = None,
    ) -> Decision:
        self._crash_phases()
        results = [from_wire(merge_phases(self._phases[nodeid])) for nodeid in self._order]
        if self.interrupted:  # its call never reported: the interrupt stopped it, not a plugin
            results = [
                replace(r, error_reason=ErrorReason.INTERRUPTED.value, message=INTERRUPTED_CHECK)
                if r.message == NEVER_RAN
                else r
                for r in results
            ]
        # xdist finishes tests in any order: sort so serial and parallel runs give identical output
        results.sort(key=lambda r: (r.severity.rank, r.id, r.nodeid))
        not_run, lowered = scope(results) if scope is not None else ((), ())
        results, expired = apply_waivers(results, waivers, today)
        state = RunState(
            interrupted=self.interrupted,
            interruption=self.interruption,
            crashed=tuple(self.crashed),
            internal_errors=tuple(self.internal_errors),
            collection_errors=tuple(self.collection_errors),
            not_run=not_run,
            lowered=lowered,
        )
        self.results = results
        open_items = plan(results) if plan is not None else ()
        self.decision = decide(results, state, expired, open_items)
        self.finished_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return self.decision
