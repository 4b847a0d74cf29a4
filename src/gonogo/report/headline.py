"""The verdict's last terminal line: what decided it and everything that needs attention."""

from __future__ import annotations

from collections.abc import Sequence

from gonogo.model import Outcome, Severity
from gonogo.verdict import CheckResult, Decision, NotRun, Verdict

# beyond this many ids the line names the most severe and counts the rest
_MAX_NAMED = 5


def headline(decision: Decision, env: str, results: Sequence[CheckResult], report: str) -> str:
    """The last terminal line, e.g. ``NO-GO (prod): 2 blockers failed: a, b -> reports/...``.

    Nothing that needs attention is hidden behind a GO: minor and info findings, checks of the
    selected stages that did not run, severities the environment lowered and expired waivers
    are named too.
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
    if decision.not_run:
        parts.append(not_run_part(decision.not_run))
    if decision.verdict is not Verdict.NO_GO or bad_blockers:
        for severity in (Severity.MINOR, Severity.INFO):
            ids = _ids(results, severity)
            if ids:
                kind = f"{severity.value} finding{'s' if len(ids) != 1 else ''}"
                parts.append(f"{len(ids)} {kind}: {', '.join(ids)}")
    if decision.lowered:
        changes = [f"{c.id} ({c.default.value} -> {c.severity.value})" for c in decision.lowered]
        parts.append(f"severity lowered: {', '.join(changes)}")
    if decision.expired_waivers:
        n = len(decision.expired_waivers)
        parts.append(f"{n} expired waiver{'s' if n != 1 else ''}")
    return f"{decision.verdict.value} ({env}): {'; '.join(parts)} -> {report}"


def not_run_part(not_run: Sequence[NotRun]) -> str:
    """``not run: headers.hsts (blocker), tls.ciphers (major)``, most severe first."""
    ordered = sorted(not_run, key=lambda n: (n.severity.rank, n.id))
    named = [f"{n.id} ({n.severity.value})" for n in ordered[:_MAX_NAMED]]
    more = len(ordered) - len(named)
    return f"not run: {', '.join(named)}" + (f" and {more} more" if more else "")


def _ids(results: Sequence[CheckResult], severity: Severity) -> list[str]:
    """Ids of the checks of ``severity`` that were not verified (once each)."""
    return list(
        dict.fromkeys(r.id for r in results if r.severity is severity and r.outcome.unverified)
    )
