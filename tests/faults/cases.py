"""Fault table: each demo fault and the check ids it must flip, with the gate files to run.

The fault tests inject each fault into the running demo stack, run the real gate over the
listed files, and assert every listed check failed (not errored, not skipped: a check that
cannot see its fault is a defect). Some faults rightly flip more than one check; only the
listed ones are asserted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FaultCase:
    fault: str
    checks: tuple[str, ...]
    files: tuple[str, ...]
    outcome: str = "failed"  # "error" for a component that is down: it could not be checked
    verdict: str = "NO-GO"  # the verdict follows severity: a failed major alone is CONDITIONAL

    @property
    def id(self) -> str:
        return f"{self.fault}->{','.join(self.checks)}"


def case(
    fault: str,
    checks: str | tuple[str, ...],
    *files: str,
    outcome: str = "failed",
    verdict: str = "NO-GO",
) -> FaultCase:
    ids = (checks,) if isinstance(checks, str) else checks
    return FaultCase(fault, ids, files, outcome, verdict)
