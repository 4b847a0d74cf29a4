"""Fault table: each demo fault and the check ids it must flip, with the gate files to run.

The fault tests inject each fault into the running demo stack, run the real gate over the
listed files, and assert every listed check failed (not errored, not skipped: a check that
cannot see its fault is a defect). Some faults rightly flip more than one check; only the
listed ones are asserted. The verdict expected is derived from the catalogues (the checks'
severities and the fault's, ``faults.expected_verdict``), the same derivation `gonogo demo
faults` prints, so that the runs prove it rather than a hand-written copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gonogo import catalogue
from gonogo.demo import faults

ROOT = Path(__file__).resolve().parents[2]


@cache
def _catalogue() -> catalogue.Catalogue:
    return catalogue.load(ROOT / "catalogue")


@dataclass(frozen=True)
class FaultCase:
    fault: str
    checks: tuple[str, ...]
    files: tuple[str, ...]
    outcome: str = "failed"  # "error" for a component that is down: it could not be checked

    @property
    def id(self) -> str:
        return f"{self.fault}->{','.join(self.checks)}"

    @property
    def verdict(self) -> str:
        """The verdict follows severity: a failed major alone is CONDITIONAL."""
        return faults.expected_verdict(faults.get(self.fault), _catalogue())


def case(
    fault: str, checks: str | tuple[str, ...], *files: str, outcome: str = "failed"
) -> FaultCase:
    ids = (checks,) if isinstance(checks, str) else checks
    return FaultCase(fault, ids, files, outcome)
