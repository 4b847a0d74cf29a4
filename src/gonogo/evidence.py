"""Evidence: what a check measured, and the wire format that carries it across xdist.

A check records :class:`~gonogo.model.Finding` objects and attachments on its
:class:`Evidence`; the plugin turns it into a :class:`CheckWire` dict (builtins only) attached
to the test report, so it reaches the controller under pytest-xdist exactly as in a serial run.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from gonogo.model import Comparison, Finding, Severity

MAX_ATTACHMENT_BYTES = 2_000_000


class AttachmentWire(TypedDict):
    name: str
    mime: str
    content_b64: str


class CheckWire(TypedDict):
    """Per-check data attached to each test report (``report.gonogo``)."""

    id: str
    title: str
    severity: str  # effective severity after env override and finding escalation
    default_severity: str
    covers: list[str]
    intrusive: bool
    markers: list[str]
    target: str
    findings: list[dict[str, Any]]
    attachments: list[AttachmentWire]
    outcome_hint: str | None  # "not-applicable" / "refused" / error reason, set by the engine
    error_reason: str | None


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
        ok: bool = True,
        message: str | None = None,
    ) -> Finding:
        """Record a measured value (the ``evidence`` fixture's main call)."""
        text = message or f"{name} = {value}{' ' + unit if unit else ''}"
        return self.record(
            Finding(
                name=name,
                ok=ok,
                message=text,
                measured=value,
                threshold=threshold,
                unit=unit,
                comparison=comparison,
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
        """The most severe override among failed findings, else the default."""
        overrides = [f.severity for f in self.findings if not f.ok and f.severity is not None]
        return min(overrides, key=lambda s: s.rank) if overrides else default
