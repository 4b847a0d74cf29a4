"""The one model family shared by probes, rules, the engine and the reports.

Probes return ``*Facts`` dataclasses (:mod:`gonogo.facts`, below probes and rules); rules turn
facts and thresholds into :class:`Finding` objects; the engine turns findings into an
:class:`Outcome` per check and the outcomes into a verdict.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict


class Severity(enum.StrEnum):
    """How much a failed check weighs in the verdict."""

    BLOCKER = "blocker"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.BLOCKER: 0, Severity.MAJOR: 1, Severity.MINOR: 2, Severity.INFO: 3}


class Outcome(enum.StrEnum):
    """What happened to one check in one run."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # could not check: see ErrorReason
    NOT_APPLICABLE = "not-applicable"  # the environment does not declare that component
    SKIPPED = "skipped"
    REFUSED = "refused"  # intrusive check on a sensitive environment
    WAIVED = "waived"

    @property
    def unverified(self) -> bool:
        """True when the check did not prove the release is fine."""
        return self in (Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED, Outcome.REFUSED)


class ErrorReason(enum.StrEnum):
    """Why a check could not be carried out (outcome ``error``)."""

    CONNECTIVITY = "connectivity"
    TLS = "tls"  # reached, but its certificate was not accepted (untrusted, expired, other host)
    TIMEOUT = "timeout"
    AUTH = "auth"
    CONFIG = "config"
    BUG = "bug"
    INTERRUPTED = "interrupted"  # the run was stopped (Ctrl-C, SIGTERM) while it ran


class Comparison(enum.StrEnum):
    """How a measured value is compared with its threshold."""

    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="
    NE = "!="
    IN = "in"
    NOT_IN = "not in"
    INFO = "info"  # recorded, not compared


class FindingWire(TypedDict):
    """A :class:`Finding` as builtins (``checks[].evidence[]`` of evidence.json)."""

    name: str
    ok: bool
    message: str
    measured: Any
    threshold: Any
    unit: str
    comparison: str
    severity: str | None
    headline: bool
    unverified: str | None


class AttachmentWire(TypedDict):
    """A file a check attached (``evidence.attach``), base64 so that it crosses xdist."""

    name: str
    mime: str
    content_b64: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One judged fact: what was measured, against which threshold, and whether it is fine.

    Attributes:
        name: short stable name of the finding inside its check, e.g. ``days_left``.
        ok: whether this finding passes. A check fails when any of its findings is not ok.
        message: one human sentence, e.g. ``certificate expires in 41 days (>= 30 required)``.
        measured: the measured value (builtins only: str, int, float, bool, None, list, dict).
        threshold: the threshold the value was compared with, if any.
        unit: unit of ``measured`` and ``threshold`` (``days``, ``ms``, ``s``, ``rows``...).
        comparison: how ``measured`` was compared with ``threshold``.
        severity: optional override of the check's severity for this finding only
            (e.g. an expiring certificate is major under 30 days, blocker under 7).
        headline: a key figure of the release (the overall security grade, the restore
            time): shown in the report's banner and under "Key figures" in summary.md.
        unverified: set (with ``ok=False``) when the rule could not conclude either way, and
            why (e.g. no error page could be provoked): the check ends as ``error`` with this
            reason, its evidence kept, unless another finding is a plain failure.
    """

    name: str
    ok: bool
    message: str
    measured: Any = None
    threshold: Any = None
    unit: str = ""
    comparison: Comparison = Comparison.INFO
    severity: Severity | None = None
    headline: bool = False
    unverified: ErrorReason | None = None

    def to_wire(self) -> FindingWire:
        return {
            "name": self.name,
            "ok": self.ok,
            "message": self.message,
            "measured": _no_negative_zero(self.measured),
            "threshold": _no_negative_zero(self.threshold),
            "unit": self.unit,
            "comparison": self.comparison.value,
            "severity": self.severity.value if self.severity else None,
            "headline": self.headline,
            "unverified": self.unverified.value if self.unverified else None,
        }


def info(name: str, message: str, measured: Any = None, unit: str = "") -> Finding:
    """A finding that only records a value (always ok)."""
    return Finding(name=name, ok=True, message=message, measured=measured, unit=unit)


def expect(
    name: str,
    ok: bool,
    message: str,
    measured: Any = None,
    threshold: Any = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding the rule judged itself: ``measured`` was expected to be ``threshold``."""
    return Finding(
        name, ok, message, measured, threshold, comparison=Comparison.EQ, severity=severity
    )


def compare(
    name: str,
    measured: Any,
    comparison: Comparison,
    threshold: Any,
    *,
    unit: str = "",
    what: str | None = None,
    severity: Severity | None = None,
) -> Finding:
    """Build a finding by comparing ``measured`` with ``threshold``.

    ``what`` is the human label used in the message (defaults to ``name``).
    A ``None`` measurement never passes: a value we could not read is not a good value.
    """
    label = what or name.replace("_", " ")
    measured = _no_negative_zero(measured)
    ok = holds(measured, comparison, threshold)
    u = f" {unit}" if unit else ""
    shown = "absent" if measured is None else f"{_fmt(measured)}{u}"  # no unit on "absent"
    message = f"{label} = {shown} (required {_WORDS.get(comparison, comparison.value)} "
    message += f"{_fmt(threshold)}{u})"
    return Finding(
        name=name,
        ok=ok,
        message=message,
        measured=measured,
        threshold=threshold,
        unit=unit,
        comparison=comparison,
        severity=severity,
    )


def holds(measured: Any, comparison: Comparison, threshold: Any) -> bool:
    """Whether ``measured <comparison> threshold`` is true (``info`` always holds).

    A ``None`` measurement never holds: a value we could not read is not a good value.
    """
    if comparison is Comparison.INFO:
        return True
    return measured is not None and bool(_OPS[comparison](measured, threshold))


def conclude(findings: Sequence[Finding]) -> tuple[Outcome, ErrorReason | None, str]:
    """The outcome a check's findings prove: passed only with evidence, all of it ok.

    A not-ok finding fails the check; when every not-ok finding is ``unverified`` the check is
    an error with the first one's reason (a defect found outweighs what could not be verified
    beside it). No finding at all proves nothing: an error (``bug``) in the check.
    """
    if not findings:
        return (
            Outcome.ERROR,
            ErrorReason.BUG,
            "the check recorded no evidence (a gate test must end in gate.judge(findings) "
            "or evidence.measure(...))",
        )
    bad = [f for f in findings if not f.ok]
    failed = [f for f in bad if f.unverified is None]
    if failed:
        return Outcome.FAILED, None, "; ".join(f.message for f in failed)
    if bad:
        return Outcome.ERROR, bad[0].unverified, "; ".join(f.message for f in bad)
    return Outcome.PASSED, None, ""


def graded(findings: Sequence[Finding], default: Severity) -> Severity:
    """The severity a check's findings give it: that of its worst failed finding.

    A failed finding without a severity of its own weighs the check's ``default`` (its
    catalogue or environment severity); one with a severity weighs that (a warning is
    ``minor``, an exploitable flaw ``blocker``). Without a failed finding: ``default``.
    """
    failed = [f.severity or default for f in findings if not f.ok]
    return min(failed, key=lambda s: s.rank) if failed else default


def _no_negative_zero(value: Any) -> Any:
    # a rounded tiny negative age (clock skew) is -0.0, printed "-0 h"; zero has no sign
    return 0.0 if isinstance(value, float) and value == 0 else value


# membership reads as words: "required one of a, b", not Python's "in ['a', 'b']"
_WORDS = {Comparison.IN: "one of", Comparison.NOT_IN: "none of"}


def _fmt(value: Any) -> str:
    """A value as a release manager reads it: never Python's None, True, False or [...]."""
    value = _no_negative_zero(value)
    if value is None:
        return "absent"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ", ".join(_fmt(v) for v in items) or "none"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10000:
        return f"{value:,}"
    return str(value)


_OPS = {
    Comparison.GE: lambda a, b: a >= b,
    Comparison.GT: lambda a, b: a > b,
    Comparison.LE: lambda a, b: a <= b,
    Comparison.LT: lambda a, b: a < b,
    Comparison.EQ: lambda a, b: a == b,
    Comparison.NE: lambda a, b: a != b,
    Comparison.IN: lambda a, b: a in b,
    Comparison.NOT_IN: lambda a, b: a not in b,
    Comparison.INFO: lambda a, b: True,
}


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check's identity as declared by ``@pytest.mark.check``.

    Attributes:
        id: stable dotted id, e.g. ``tls.cert-expiry``.
        title: one-line description of what passing means.
        severity: default severity (an environment file may override it).
        covers: references to the plan items this check verifies.
        intrusive: whether the check changes or loads the target (refused on sensitive envs).
        requires: the environment sections (components) it needs, e.g. ``("web",)``: without
            one of them the check is not applicable, selected or not, intrusive or not.
    """

    id: str
    title: str
    severity: Severity
    covers: tuple[str, ...] = field(default=())
    intrusive: bool = False
    requires: tuple[str, ...] = field(default=())
