"""Evidence: what a check measured, and the wire format that carries it across xdist.

A check records :class:`~gonogo.model.Finding` objects and attachments on its
:class:`Evidence`. The process that ran the test turns each phase into a :class:`CheckWire`
(:func:`to_wire`, builtins only) attached to the test report, so it reaches the controller under
pytest-xdist exactly as in a serial run; the controller turns the merged phases back into a
:class:`~gonogo.verdict.CheckResult` (:func:`from_wire`).
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gonogo.model import (
    AttachmentWire,
    CheckSpec,
    Comparison,
    ErrorReason,
    Finding,
    Outcome,
    Severity,
    compare,
    graded,
)
from gonogo.verdict import CheckResult
from gonogo.wire import CheckWire

MAX_ATTACHMENT_BYTES = 2_000_000


@dataclass
class Evidence:
    """Mutable per-test recorder (lives in ``item.stash``; never crosses processes)."""

    findings: list[Finding] = field(default_factory=list)
    attachments: list[AttachmentWire] = field(default_factory=list)
    target: str = ""

    def record(self, finding: Finding) -> Finding:
        self.findings.append(finding)
        return finding

    def measure(
        self,
        name: str,
        value: Any,
        *,
        unit: str = "",
        threshold: Any = None,
        comparison: Comparison = Comparison.INFO,
        ok: bool | None = None,
        message: str | None = None,
    ) -> Finding:
        """Record a measured value (the ``evidence`` fixture's main call).

        With a comparison other than ``info``, the finding is ok only when ``value <comparison>
        threshold`` holds; ``ok=False`` marks it not ok whatever the comparison says. A not-ok
        finding fails the check even when the test itself passes.
        """
        if comparison is Comparison.INFO:
            text = f"{name} = {value}{' ' + unit if unit else ''}"
            finding = Finding(name, True, text, value, threshold, unit, comparison)
        else:
            finding = compare(name, value, comparison, threshold, unit=unit)
        return self.record(
            replace(
                finding,
                ok=finding.ok and ok is not False,
                message=message or finding.message,
            )
        )

    def attach(self, name: str, content: bytes | str | Path, mime: str | None = None) -> None:
        """Attach a file (screenshot, log, listing). Text is redacted like everything else."""
        if isinstance(content, Path):
            mime = mime or mimetypes.guess_type(content.name)[0] or "application/octet-stream"
            content = content.read_bytes()
        if isinstance(content, str):
            content = content.encode()
            mime = mime or "text/plain"
        if len(content) > MAX_ATTACHMENT_BYTES:
            content = content[:MAX_ATTACHMENT_BYTES]
        self.attachments.append(
            {
                "name": name,
                "mime": mime or "application/octet-stream",
                "content_b64": base64.b64encode(content).decode(),
            }
        )

    def effective_severity(self, default: Severity) -> Severity:
        """The severity of the worst failed finding (see :func:`gonogo.model.graded`)."""
        return graded(self.findings, default)


def to_wire(
    spec: CheckSpec,
    evidence: Evidence,
    *,
    nodeid: str,
    when: str,
    markers: list[str],
    outcome: Outcome,
    error_reason: ErrorReason | str | None,
    message: str,
    duration_s: float,
    default_severity: Severity | None = None,
) -> CheckWire:
    """The builtins-only result of one phase (unredacted: the caller masks it).

    ``spec`` carries the effective severity (after the environment's override);
    ``default_severity`` is the catalogue's (the spec's when not given).
    """
    call = when == "call"
    severity = evidence.effective_severity(spec.severity) if call else spec.severity
    return {
        "id": spec.id,
        "title": spec.title,
        "severity": severity.value,
        "default_severity": (default_severity or spec.severity).value,
        "covers": list(spec.covers),
        "intrusive": spec.intrusive,
        "markers": markers,
        "nodeid": nodeid,
        "when": when,
        "outcome": outcome.value,
        "error_reason": str(error_reason) if error_reason is not None else None,
        "message": message,
        "duration_s": round(duration_s, 3),
        "target": evidence.target,
        "findings": [f.to_wire() for f in evidence.findings] if call else [],
        "attachments": list(evidence.attachments) if call else [],
    }


def from_wire(data: CheckWire) -> CheckResult:
    """The controller's view of a check from its merged phases."""
    return CheckResult(
        id=data["id"],
        title=data["title"],
        severity=Severity(data["severity"]),
        outcome=Outcome(data["outcome"]),
        nodeid=data["nodeid"],
        markers=tuple(data["markers"]),
        duration_s=data["duration_s"],
        message=data["message"],
        error_reason=data["error_reason"],
        target=data["target"],
        evidence=tuple(data["findings"]),
        attachments=tuple(data["attachments"]),
        covers=tuple(data["covers"]),
        default_severity=Severity(data["default_severity"]),
    )
