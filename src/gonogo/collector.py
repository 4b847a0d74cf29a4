"""Controller side: gather per-test reports into check results and decide the verdict."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

from gonogo.model import ErrorReason, Outcome, Severity
from gonogo.outcomes import merge_phases
from gonogo.verdict import CheckResult, Decision, RunState, apply_waivers, decide


class Collector:
    """Receives every ``pytest_runtest_logreport`` on the controller (or the only process)."""

    def __init__(self) -> None:
        self._phases: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._order: list[str] = []
        self.crashed: list[str] = []
        self.internal_errors: list[str] = []
        self.collection_errors: list[str] = []
        self.interrupted = False
        self.results: list[CheckResult] = []
        self.decision: Decision | None = None
        self.finished_at: dt.datetime | None = None

    def add_report(self, report: pytest.TestReport) -> None:
        data = getattr(report, "gonogo", None)
        if data is None:
            if report.when == "???" or "crashed while running" in str(report.longrepr or ""):
                self.crashed.append(report.nodeid)
            return
        if report.nodeid not in self._phases:
            self._order.append(report.nodeid)
        self._phases[report.nodeid].append(data)

    def add_collect_report(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(report.nodeid or "(session)")

    def _crash_phases(self) -> None:
        """A check whose worker died has only the phases reported before the crash (setup
        passed): add an error phase so it can never count as passed."""
        for nodeid in dict.fromkeys(self.crashed):
            phases = self._phases.get(nodeid)
            if not phases or any(p.get("when") == "crash" for p in phases):
                continue
            phases.append(
                {
                    **phases[-1],
                    "when": "crash",
                    "outcome": Outcome.ERROR.value,
                    "error_reason": ErrorReason.BUG.value,
                    "message": "the test worker crashed while running this check "
                    "(os._exit, segfault or out-of-memory kill); it was not verified",
                    "findings": [],
                    "attachments": [],
                    "duration_s": 0.0,
                }
            )

    def finish(self, waivers: list[Any], today: dt.date) -> Decision:
        self._crash_phases()
        raw = [merge_phases(self._phases[nodeid]) for nodeid in self._order]
        results = [_to_result(d) for d in raw]
        # xdist finishes tests in any order: sort so serial and parallel runs give identical output
        results.sort(key=lambda r: (r.severity.rank, r.id, r.nodeid))
        results, expired = apply_waivers(results, waivers, today)
        state = RunState(
            interrupted=self.interrupted,
            crashed=tuple(self.crashed),
            internal_errors=tuple(self.internal_errors),
            collection_errors=tuple(self.collection_errors),
        )
        self.results = results
        self.decision = decide(results, state, expired)
        self.finished_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return self.decision


def _to_result(data: dict[str, Any]) -> CheckResult:
    return CheckResult(
        id=data["id"],
        title=data["title"],
        severity=Severity(data["severity"]),
        outcome=Outcome(data["outcome"]),
        nodeid=data["nodeid"],
        markers=tuple(data["markers"]),
        duration_s=data.get("duration_s", 0.0),
        message=data.get("message") or "",
        error_reason=data.get("error_reason"),
        target=data.get("target") or "",
        evidence=tuple(data.get("findings", [])),
        attachments=tuple(data.get("attachments", [])),
        covers=tuple(data.get("covers", [])),
    )
