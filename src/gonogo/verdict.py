"""The verdict: pure functions from check results (+ waivers, + how the run ended) to GO / NO-GO.

Fail closed:

* NO-GO when any blocker failed, errored, was skipped or refused, unless a valid waiver covers it;
  when the run was interrupted, a worker crashed, no gate check was selected, or none of the
  selected checks passed (everything not applicable verifies nothing).
* CONDITIONAL when only majors were unverified, any waiver was applied, or a blocker or major
  check of the selected stages did not run (removed by ``-k``, ``--deselect``, the paths given or a
  hook: see :mod:`gonogo.selection`).
* GO otherwise. Minor and info failures are reported but do not change the verdict.

Severities an environment file lowered below the catalogue's are named in the reasons.
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
        default_severity: the catalogue's severity (``severity`` differs when the environment
        file overrode it or a finding hit another band).
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
    default_severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class NotRun:
    """A catalogue check of the selected stages that this run did not (fully) verify.

    Attributes:
        id: check id. title: catalogue title. severity: effective severity (env override).
        why: one phrase, e.g. ``deselected by -k, --deselect, --lf or a conftest hook``.
    """

    id: str
    title: str
    severity: Severity
    why: str


@dataclass(frozen=True, slots=True)
class SeverityLowered:
    """An environment file's ``[checks."<id>"] severity`` below the catalogue's default.

    Attributes:
        id: check id. default: the catalogue's severity. severity: the one this run used.
        source: the environment file that lowered it.
    """

    id: str
    default: Severity
    severity: Severity
    source: str

    def line(self) -> str:
        return (
            f"{self.id}: severity lowered {self.default.value} -> {self.severity.value} "
            f"by {self.source}"
        )


@dataclass(frozen=True, slots=True)
class RunState:
    """How the run itself went, independently of the checks.

    Attributes:
        interrupted: Ctrl-C, ``-x``/``--maxfail`` stop, or a session-level exit.
        crashed: node ids during which an xdist worker crashed.
        internal_errors: engine errors (a report without gonogo data, a hook failure).
        collection_errors: files that could not be collected.
        not_run: catalogue checks of the selected stages that did not run.
        lowered: severities the environment file lowered for the checks of this run.
    """

    interrupted: bool = False
    crashed: tuple[str, ...] = ()
    internal_errors: tuple[str, ...] = ()
    collection_errors: tuple[str, ...] = ()
    not_run: tuple[NotRun, ...] = ()
    lowered: tuple[SeverityLowered, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict with the reasons for it, one line each, and the exit code.

    ``not_run`` and ``lowered`` are the run's (for the headline and the reports).
    """

    verdict: Verdict
    reasons: tuple[str, ...]
    exit_code: ExitCode
    expired_waivers: tuple[str, ...] = field(default=())
    not_run: tuple[NotRun, ...] = field(default=())
    lowered: tuple[SeverityLowered, ...] = field(default=())


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
    # the cause first: a check file that does not import interrupts the run
    for path in run.collection_errors:
        no_go = True
        reasons.append(f"could not collect {path}")
    if run.interrupted:
        no_go = True
        reasons.append("the run was interrupted before every check finished")
    for nodeid in run.crashed:
        no_go = True
        reasons.append(f"a test worker crashed while running {nodeid}")
    for error in run.internal_errors:
        no_go = True
        reasons.append(f"internal error: {error}")
    if not results:
        no_go = True
        if not (run.interrupted or run.collection_errors or run.internal_errors):
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
    # a check the selection left out proved nothing: never GO for a blocker or major, but no
    # defect was found either, so not NO-GO (a narrowed run is a visible, deliberate choice)
    missing = _describe_not_run(run.not_run, blocking=True)
    reasons += missing
    for r in waived:
        reasons.append(f"waiver applied to {r.severity.value} {r.id} {describe_waiver(r)}")
    reasons += list(expired_waivers)
    reasons += [lowered.line() for lowered in run.lowered]
    minors = _describe(results, Severity.MINOR) + _describe(results, Severity.INFO)
    reasons += [f"{line} (does not block)" for line in minors]
    reasons += _describe_not_run(run.not_run, blocking=False)

    if no_go:
        verdict = Verdict.NO_GO
    elif majors or waived or missing:
        verdict = Verdict.CONDITIONAL
    else:
        verdict = Verdict.GO
        counted = [r for r in results if r.outcome is Outcome.PASSED]
        reasons.insert(
            0,
            f"all {len(counted)} applicable checks passed"
            if not minors and not run.not_run
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
        not_run=run.not_run,
        lowered=run.lowered,
    )


def _describe_not_run(not_run: Sequence[NotRun], *, blocking: bool) -> list[str]:
    """One line per severity and cause: ``blocker not run: a, b (deselected by ...)``."""
    groups: dict[tuple[Severity, str], list[str]] = {}
    for item in sorted(not_run, key=lambda n: (n.severity.rank, n.id)):
        if (item.severity.rank <= Severity.MAJOR.rank) is blocking:
            groups.setdefault((item.severity, item.why), []).append(item.id)
    tail = "" if blocking else " (does not block)"
    return [
        f"{severity.value} not run: {', '.join(ids)} ({why}){tail}"
        for (severity, why), ids in groups.items()
    ]
