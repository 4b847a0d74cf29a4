"""The verdict: pure functions from check results (+ waivers, + how the run ended) to GO / NO-GO.

Fail closed:

* NO-GO when any blocker failed, errored, was skipped or refused, unless a valid waiver covers it;
  when the run was interrupted, a worker crashed, no gate check was selected, or none of the
  selected checks passed (everything not applicable verifies nothing).
* CONDITIONAL when only majors were unverified, any waiver was applied, or a blocker or major
  check of the selected stages did not run (removed by ``-k``, ``--deselect``, the paths given or a
  hook: see :mod:`gonogo.engine.selection`).
* GO otherwise. Minor and info failures are reported but do not change the verdict.
* ROLL BACK, over any of these, when a rollback criterion (a check marked
  ``rollback_criteria``: ``postdeploy.rollback``) failed: the deploy is live and breaches what
  the plans call a reason to undo it. Only a failure trips it; a criterion that could not be
  evaluated is an ordinary unverified blocker (NO-GO), never ROLL BACK and never GO.

A plan selected for the run (``--plan``) weighs the same way: each manual item without a valid
attestation is an unverified item of its severity (:class:`OpenItems`, from
:meth:`gonogo.plans.status.PlanStatus.open_items`), so an open blocker makes NO-GO and an open
major CONDITIONAL; the plan's ``manual_gate = false`` turns that off.

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
    ROLL_BACK = "ROLL BACK"


class ExitCode(enum.IntEnum):
    """Process exit codes (documented in the README)."""

    GO = 0
    NO_GO = 1
    INTERRUPTED = 2
    INTERNAL_ERROR = 3
    CONFIG_ERROR = 4
    ROLL_BACK = 5


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
        interruption: what interrupted it, when known (``SIGINT``, ``SIGTERM, SIGINT``).
        crashed: node ids during which an xdist worker crashed.
        internal_errors: engine errors (a report without gonogo data, a hook failure).
        collection_errors: files that could not be collected.
        not_run: catalogue checks of the selected stages that did not run.
        lowered: severities the environment file lowered for the checks of this run.
    """

    interrupted: bool = False
    interruption: str = ""
    crashed: tuple[str, ...] = ()
    internal_errors: tuple[str, ...] = ()
    collection_errors: tuple[str, ...] = ()
    not_run: tuple[NotRun, ...] = ()
    lowered: tuple[SeverityLowered, ...] = ()


@dataclass(frozen=True, slots=True)
class OpenItems:
    """Manual plan items of one severity without a valid attestation (``--plan``).

    Attributes:
        severity: what they weigh, like an unverified check of that severity.
        line: the verdict line naming them (``plan alaska-pay: 2 blocker items not attested:
            ...``).
        plan: the plan's name. count: how many items (for the headline).
    """

    severity: Severity
    line: str
    plan: str = ""
    count: int = 1


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict with the reasons for it, one line each, and the exit code.

    ``causes`` are the reasons about the run itself (interrupted, a crashed worker, a file not
    collected, nothing selected), also among ``reasons``: the headline leads with them.
    ``not_run`` and ``lowered`` are the run's, ``open_items`` the plan's (for the headline and
    the reports).
    ``rollback`` names each rollback criterion check that failed, with its message.
    """

    verdict: Verdict
    reasons: tuple[str, ...]
    exit_code: ExitCode
    causes: tuple[str, ...] = field(default=())
    expired_waivers: tuple[str, ...] = field(default=())
    not_run: tuple[NotRun, ...] = field(default=())
    lowered: tuple[SeverityLowered, ...] = field(default=())
    open_items: tuple[OpenItems, ...] = field(default=())
    rollback: tuple[str, ...] = field(default=())


ROLLBACK_MARKER = "rollback_criteria"


def tripped(results: Sequence[CheckResult]) -> list[str]:
    """``<id>: <message>`` for each rollback criterion check that failed (not waived)."""
    return [
        f"{r.id}: {r.message}" if r.message else r.id
        for r in results
        if ROLLBACK_MARKER in r.markers and r.outcome is Outcome.FAILED
    ]


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


_WHAT = {
    Outcome.FAILED: "failed",
    Outcome.SKIPPED: "was skipped",
    Outcome.REFUSED: "was refused (intrusive on a sensitive environment)",
}


def _describe(
    results: Sequence[CheckResult], severity: Severity, lowered: Sequence[SeverityLowered] = ()
) -> list[str]:
    """``<severity> <id> failed: <message>`` for each check of ``severity`` not verified.

    A check below major says it does not block, and when the environment file lowered it,
    from which severity: an errored blocker lowered to minor is no "minor finding".
    """
    blocking = severity.rank <= Severity.MAJOR.rank
    by_id = {change.id: change for change in lowered}
    lines = []
    for r in results:
        if r.severity is severity and r.outcome.unverified:
            what = _WHAT.get(r.outcome) or f"could not be checked ({r.error_reason or 'error'})"
            detail = f": {r.message}" if r.message else ""
            change = by_id.get(r.id)
            tail = ""
            if change is not None:
                tail = f"{change.default.value} by default, lowered by {change.source}"
            if not blocking:
                tail = f"does not block; {tail}" if tail else "does not block"
            lines.append(f"{severity.value} {r.id} {what}{detail}" + (f" ({tail})" if tail else ""))
    return lines


def _run_causes(results: Sequence[CheckResult], run: RunState) -> list[str]:
    """What makes the run NO-GO whatever its checks say, the cause first."""
    causes = [f"could not collect {path}" for path in run.collection_errors]
    if run.interrupted:
        causes.append(
            f"the run was interrupted ({run.interruption}): it is not verified"
            if run.interruption
            else "the run was interrupted before every check finished"
        )
    causes += [f"a test worker crashed while running {nodeid}" for nodeid in run.crashed]
    causes += [f"internal error: {error}" for error in run.internal_errors]
    if not results and not (run.interrupted or run.collection_errors or run.internal_errors):
        causes.append("no gate checks were selected (check -m/-k and the paths)")
    return causes


def _nothing_verified(results: Sequence[CheckResult]) -> list[str]:
    """NO-GO when none of the checks passed (everything not applicable verifies nothing)."""
    if not results or any(r.outcome in (Outcome.PASSED, Outcome.WAIVED) for r in results):
        return []
    return [
        f"no check was verified: none of the {len(results)} selected checks passed "
        "(not applicable, skipped, refused, failed or could not run)"
    ]


def _all_passed_line(results: Sequence[CheckResult], run: RunState, minors: Sequence[str]) -> str:
    """The first reason of a GO, true to the letter: what passed and what did not."""
    passed = sum(r.outcome is Outcome.PASSED for r in results)
    if not minors and not run.not_run:
        return f"all {passed} applicable checks passed"
    line = f"every blocker and major check passed ({passed} passed)"
    demoted = {change.id: change for change in run.lowered}
    # an unverified check the environment lowered below major was a blocker or major by default
    hidden = {r.id: r.outcome for r in results if r.outcome.unverified and r.id in demoted}
    if hidden:
        named = ", ".join(
            f"{cid} ({demoted[cid].default.value} -> {demoted[cid].severity.value}, "
            f"{outcome.value})"
            for cid, outcome in hidden.items()
        )
        line += f", except {len(hidden)} the environment file lowered below major: {named}"
    return line


def decide(
    results: Sequence[CheckResult],
    run: RunState,
    expired_waivers: Sequence[str] = (),
    open_items: Sequence[OpenItems] = (),
) -> Decision:
    """The verdict for a run (results already have waivers applied; ``open_items``: the
    selected plan's manual items without a valid attestation)."""
    # the cause first: a check file that does not import interrupts the run
    causes = _run_causes(results, run)
    reasons = causes + _nothing_verified(results)
    no_go = bool(reasons) or not results
    blockers = _describe(results, Severity.BLOCKER, run.lowered)
    majors = _describe(results, Severity.MAJOR, run.lowered)
    waived = [r for r in results if r.outcome is Outcome.WAIVED]
    plan_blockers = _open_lines(open_items, blocking=True, severity=Severity.BLOCKER)
    plan_majors = _open_lines(open_items, blocking=True, severity=Severity.MAJOR)
    reasons += blockers + plan_blockers
    no_go = no_go or bool(blockers) or bool(plan_blockers)
    reasons += majors + plan_majors
    # a check the selection left out proved nothing: never GO for a blocker or major, but no
    # defect was found either, so not NO-GO (a narrowed run is a visible, deliberate choice)
    missing = _describe_not_run(run.not_run, blocking=True)
    reasons += missing
    for r in waived:
        reasons.append(f"waiver applied to {r.severity.value} {r.id} {describe_waiver(r)}")
    reasons += list(expired_waivers)
    reasons += [lowered.line() for lowered in run.lowered]
    minors = _describe(results, Severity.MINOR, run.lowered)
    minors += _describe(results, Severity.INFO, run.lowered)
    reasons += minors
    reasons += _open_lines(open_items, blocking=False)
    reasons += _describe_not_run(run.not_run, blocking=False)

    rollback = tripped(results)
    if rollback:
        verdict = Verdict.ROLL_BACK
        reasons.insert(len(causes), "rollback criteria breached: " + "; ".join(rollback))
    elif no_go:
        verdict = Verdict.NO_GO
    elif majors or plan_majors or waived or missing:
        verdict = Verdict.CONDITIONAL
    else:
        verdict = Verdict.GO
        reasons.insert(0, _all_passed_line(results, run, minors))
    if run.interrupted:
        code = ExitCode.INTERRUPTED
    elif run.internal_errors:  # a bug of gonogo or a plugin: 3 whatever the checks said
        code = ExitCode.INTERNAL_ERROR
    elif run.crashed:  # a worker died in a check (os._exit, OOM): that check is an error
        code = ExitCode.NO_GO
    elif verdict is Verdict.ROLL_BACK:
        code = ExitCode.ROLL_BACK
    else:
        code = ExitCode.NO_GO if verdict is Verdict.NO_GO else ExitCode.GO
    return Decision(
        verdict=verdict,
        reasons=tuple(reasons),
        exit_code=code,
        causes=tuple(causes),
        expired_waivers=tuple(expired_waivers),
        not_run=run.not_run,
        lowered=run.lowered,
        open_items=tuple(open_items),
        rollback=tuple(rollback),
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


def _open_lines(
    open_items: Sequence[OpenItems], *, blocking: bool, severity: Severity | None = None
) -> list[str]:
    """The lines of open plan items of ``severity`` (blocking), or of those below major."""
    if blocking:
        return [o.line for o in open_items if o.severity is severity]
    return [o.line for o in open_items if o.severity.rank > Severity.MAJOR.rank]
