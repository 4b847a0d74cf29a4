"""The verdict's last terminal line: what decided it and everything that needs attention."""

from __future__ import annotations

from collections.abc import Sequence

from gonogo.model import Outcome, Severity
from gonogo.verdict import CheckResult, Decision, NotRun, Verdict

# beyond this many ids in one group the line names the first and counts the rest
MAX_NAMED = 10

_NOUNS = {
    Severity.BLOCKER: ("blocker", "blockers"),
    Severity.MAJOR: ("major", "majors"),
    Severity.MINOR: ("minor", "minors"),
    Severity.INFO: ("info check", "info checks"),
}


def headline(decision: Decision, env: str, results: Sequence[CheckResult], report: str) -> str:
    """The last terminal line, e.g. ``NO-GO (prod): 2 blockers not passed: a, b -> reports/...``.

    Every check that did not pass is named, grouped by severity (blockers first), whatever the
    verdict: a NO-GO names its failed majors and minors too, a GO its minor and info checks
    that failed or could not be checked. A NO-GO of the run itself (interrupted, a crashed
    worker...) leads with that cause; one that names no check gives its first reason (nothing
    verified: every check not applicable). Checks of the selected stages that did not run,
    severities the environment lowered, expired waivers and the selected plan's open items
    (counted, by severity; the reasons name them) are named too. A group longer than
    :data:`MAX_NAMED` ends with ``and N more``.
    """
    parts: list[str] = []
    if decision.verdict is Verdict.GO:
        parts.append(f"{sum(r.outcome is Outcome.PASSED for r in results)} passed")
    elif decision.causes:
        parts.append(decision.causes[0])
    if decision.rollback:
        parts.append(f"rollback criteria breached: {named(list(decision.rollback))}")
    for severity in Severity:
        ids = _ids(results, severity)
        if ids:
            singular, plural = _NOUNS[severity]
            noun = singular if len(ids) == 1 else plural
            parts.append(f"{len(ids)} {noun} not passed: {named(ids)}")
    for item in decision.open_items:  # the selected plan's manual items without attestation
        noun = "item" if item.count == 1 else "items"
        parts.append(f"plan {item.plan}: {item.count} {item.severity.value} {noun} not attested")
    if not parts and decision.verdict is Verdict.NO_GO and decision.reasons:
        # a NO-GO that names no check, e.g. nothing verified (every check not applicable)
        parts.append(decision.reasons[0])
    waived = list(dict.fromkeys(r.id for r in results if r.outcome is Outcome.WAIVED))
    if waived:
        parts.append(f"{len(waived)} waived: {named(waived)}")
    if decision.not_run:
        parts.append(not_run_part(decision.not_run))
    if decision.lowered:
        changes = [f"{c.id} ({c.default.value} -> {c.severity.value})" for c in decision.lowered]
        parts.append(f"severity lowered: {named(changes)}")
    if decision.expired_waivers:
        n = len(decision.expired_waivers)
        parts.append(f"{n} expired waiver{'s' if n != 1 else ''}")
    return f"{decision.verdict.value} ({env}): {'; '.join(parts)} -> {report}"


def named(items: Sequence[str], limit: int = MAX_NAMED) -> str:
    """``a, b, c`` or, beyond ``limit``, ``a, b ... and 3 more``."""
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def not_run_part(not_run: Sequence[NotRun]) -> str:
    """``not run: headers.hsts (blocker), tls.ciphers (major)``, most severe first."""
    ordered = sorted(not_run, key=lambda n: (n.severity.rank, n.id))
    return f"not run: {named([f'{n.id} ({n.severity.value})' for n in ordered])}"


def _ids(results: Sequence[CheckResult], severity: Severity) -> list[str]:
    """Ids of the checks of ``severity`` that were not verified (once each)."""
    return list(
        dict.fromkeys(r.id for r in results if r.severity is severity and r.outcome.unverified)
    )
