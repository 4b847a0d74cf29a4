"""The verdict: pure functions from check results (+ waivers, + how the run ended) to GO / NO-GO.

Fail closed:

* NO-GO when any blocker failed, errored, was skipped or refused, unless a valid waiver covers it;
  when the run was interrupted, a worker crashed, no gate check was selected, or none of the
  selected checks passed (everything not applicable verifies nothing).
* CONDITIONAL when only majors were unverified, or any waiver was applied.
* GO otherwise. Minor and info failures are reported but do not change the verdict.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from gonogo.model import AttachmentWire, FindingWire, Outcome, Severity
from gonogo.schema import Waiver


class Verdict(enum.StrEnum):
    GO = "GO"
    CONDITIONAL = "CONDITIONAL"
    NO_GO = "NO-GO"


class ExitCode(enum.IntEnum):
    """Process exit codes (documented in the README)."""

    GO = 0
    NO_GO = 1
    INTERRUPTED = 2
    INTERNAL_ERROR = 3
    CONFIG_ERROR = 4


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check in one run (one row of evidence.json).

    Attributes:
        id: check id. title: catalogue title. severity: effective severity.
        outcome: final outcome (after waivers). original_outcome: before waivers.
        markers: stage/topic markers. nodeid: pytest node id. duration_s: call duration.
        message: one line (why it failed / was not run). error_reason: for outcome error.
        target: what was checked (host:port, URL). evidence: the findings as recorded (wire
        data, written as is). attachments: the files attached. covers: plan items.
        waiver: the waiver that turned the outcome into ``waived``, if any.
    """

    id: str
    title: str
    severity: Severity
    outcome: Outcome
    nodeid: str
    markers: tuple[str, ...] = ()
    duration_s: float = 0.0
    message: str = ""
    error_reason: str | None = None
    target: str = ""
    evidence: tuple[FindingWire, ...] = ()
    attachments: tuple[AttachmentWire, ...] = ()
    covers: tuple[str, ...] = ()
    waiver: Waiver | None = None
    original_outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class RunState:
    """How the run itself went, independently of the checks.

    Attributes:
        interrupted: Ctrl-C, ``-x``/``--maxfail`` stop, or a session-level exit.
        crashed: node ids during which an xdist worker crashed.
        internal_errors: engine errors (a report without gonogo data, a hook failure).
        collection_errors: files that could not be collected.
    """

    interrupted: bool = False
    crashed: tuple[str, ...] = ()
    internal_errors: tuple[str, ...] = ()
    collection_errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict with the reasons for it, one line each, and the exit code."""

    verdict: Verdict
    reasons: tuple[str, ...]
    exit_code: ExitCode
    expired_waivers: tuple[str, ...] = field(default=())


def apply_waivers(
    results: Sequence[CheckResult], waivers: Sequence[Waiver], today: dt.date
) -> tuple[list[CheckResult], list[str]]:
    """Turn unverified outcomes covered by a valid waiver into ``waived``.

    Returns the new results and one line per expired waiver of a check in this run, whatever
    the check's outcome: a stale waiver is called out even when its check now passes.
    """
    by_id: dict[str, list[Waiver]] = {}
    for waiver in waivers:
        by_id.setdefault(waiver.check, []).append(waiver)
    out: list[CheckResult] = []
    expired: list[str] = []
    for result in results:
        candidates = by_id.get(result.id, [])
        valid = [w for w in candidates if w.valid_on(today)]
        if candidates and not valid:
            latest = max(candidates, key=lambda w: w.expires)
            what = (
                "not applied"
                if result.outcome.unverified
                else f"the check {result.outcome.value}; remove the waiver"
            )
            line = (
                f"waiver for {result.id} expired on {latest.expires.isoformat()} "
                f"(approver {latest.approver}, {latest.ticket}): {what}"
            )
            if line not in expired:  # parametrized instances share one waiver
                expired.append(line)
        if not result.outcome.unverified or not valid:
            out.append(result)
            continue
        waiver = max(valid, key=lambda w: w.expires)
        out.append(
            replace(
                result,
                outcome=Outcome.WAIVED,
                original_outcome=result.outcome,
                waiver=waiver,
            )
        )
    return out, expired


def describe_waiver(result: CheckResult) -> str:
    """``(failed): <reason> - approved by <approver>, <ticket>, until <date>`` of a waived check."""
    w = result.waiver
    if w is None:
        return ""
    before = result.original_outcome.value if result.original_outcome else "?"
    return (
        f"({before}): {w.reason} - approved by {w.approver}, {w.ticket}, "
        f"until {w.expires.isoformat()}"
    )


def _describe(results: Sequence[CheckResult], severity: Severity) -> list[str]:
    lines = []
    for r in results:
        if r.severity is severity and r.outcome.unverified:
            what = {
                Outcome.FAILED: "failed",
                Outcome.ERROR: f"could not be checked ({r.error_reason or 'error'})",
                Outcome.SKIPPED: "was skipped",
                Outcome.REFUSED: "was refused (intrusive on a sensitive environment)",
            }[r.outcome]
            detail = f": {r.message}" if r.message else ""
            lines.append(f"{severity.value} {r.id} {what}{detail}")
    return lines


def decide(
    results: Sequence[CheckResult],
    run: RunState,
    expired_waivers: Sequence[str] = (),
) -> Decision:
    """The verdict for a run (results already have waivers applied)."""
    reasons: list[str] = []
    no_go = False
    if run.interrupted:
        no_go = True
        reasons.append("the run was interrupted before every check finished")
    for nodeid in run.crashed:
        no_go = True
        reasons.append(f"a test worker crashed while running {nodeid}")
    for error in run.internal_errors:
        no_go = True
        reasons.append(f"internal error: {error}")
    for path in run.collection_errors:
        no_go = True
        reasons.append(f"could not collect {path}")
    if not results:
        no_go = True
        reasons.append("no gate checks were selected (check -m/-k and the paths)")
    elif not any(r.outcome in (Outcome.PASSED, Outcome.WAIVED) for r in results):
        no_go = True
        reasons.append(
            f"no check was verified: none of the {len(results)} selected checks passed "
            "(not applicable, skipped, refused, failed or could not run)"
        )
    blockers = _describe(results, Severity.BLOCKER)
    majors = _describe(results, Severity.MAJOR)
    waived = [r for r in results if r.outcome is Outcome.WAIVED]
    reasons += blockers
    no_go = no_go or bool(blockers)
    reasons += majors
    for r in waived:
        reasons.append(f"waiver applied to {r.severity.value} {r.id} {describe_waiver(r)}")
    reasons += list(expired_waivers)
    minors = _describe(results, Severity.MINOR) + _describe(results, Severity.INFO)
    reasons += [f"{line} (does not block)" for line in minors]

    if no_go:
        verdict = Verdict.NO_GO
    elif majors or waived:
        verdict = Verdict.CONDITIONAL
    else:
        verdict = Verdict.GO
        counted = [r for r in results if r.outcome is Outcome.PASSED]
        reasons.insert(
            0,
            f"all {len(counted)} applicable checks passed"
            if not minors
            else f"every blocker and major check passed ({len(counted)} passed)",
        )
    if run.interrupted:
        code = ExitCode.INTERRUPTED
    elif run.internal_errors or run.crashed:
        code = ExitCode.INTERNAL_ERROR if not results else ExitCode.NO_GO
    else:
        code = ExitCode.NO_GO if verdict is Verdict.NO_GO else ExitCode.GO
    return Decision(
        verdict=verdict,
        reasons=tuple(reasons),
        exit_code=code,
        expired_waivers=tuple(expired_waivers),
    )


def headline(decision: Decision, env: str, results: Sequence[CheckResult], report: str) -> str:
    """The last terminal line, e.g. ``NO-GO (prod): 2 blockers failed: a, b -> reports/...``.

    Nothing that needs attention is hidden behind a GO: minor and info findings and expired
    waivers are named too.
    """
    bad_blockers = _ids(results, Severity.BLOCKER)
    bad_majors = _ids(results, Severity.MAJOR)
    if decision.verdict is Verdict.NO_GO and bad_blockers:
        n = len(bad_blockers)
        parts = [f"{n} blocker{'s' if n != 1 else ''} not passed: {', '.join(bad_blockers)}"]
    elif decision.verdict is Verdict.NO_GO:
        parts = [decision.reasons[0] if decision.reasons else "not verified"]
    elif decision.verdict is Verdict.CONDITIONAL:
        waived = list(dict.fromkeys(r.id for r in results if r.outcome is Outcome.WAIVED))
        parts = []
        if bad_majors:
            parts.append(f"{len(bad_majors)} major not passed: {', '.join(bad_majors)}")
        if waived:
            parts.append(f"{len(waived)} waived: {', '.join(waived)}")
    else:
        passed = sum(r.outcome is Outcome.PASSED for r in results)
        parts = [f"{passed} passed"]
    if decision.verdict is not Verdict.NO_GO or bad_blockers:
        for severity in (Severity.MINOR, Severity.INFO):
            ids = _ids(results, severity)
            if ids:
                kind = f"{severity.value} finding{'s' if len(ids) != 1 else ''}"
                parts.append(f"{len(ids)} {kind}: {', '.join(ids)}")
    if decision.expired_waivers:
        n = len(decision.expired_waivers)
        parts.append(f"{n} expired waiver{'s' if n != 1 else ''}")
    return f"{decision.verdict.value} ({env}): {'; '.join(parts)} -> {report}"


def _ids(results: Sequence[CheckResult], severity: Severity) -> list[str]:
    """Ids of the checks of ``severity`` that were not verified (once each)."""
    return list(
        dict.fromkeys(r.id for r in results if r.severity is severity and r.outcome.unverified)
    )
