"""Per-test reporting on the process that ran the test: the wire data, one-line errors, redaction.

``report.gonogo`` carries a check's result to the controller as builtins (it crosses xdist the
way pytest-html's ``extras`` do). What pytest prints (``longrepr``, captured sections) is masked
here, before it leaves the process.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from gonogo.collection import reported_markers
from gonogo.errors import ConfigError, ProbeError
from gonogo.evidence import Evidence
from gonogo.model import CheckSpec
from gonogo.outcomes import classify
from gonogo.redact import Redactor


def wire(
    item: pytest.Item,
    report: pytest.TestReport,
    call: pytest.CallInfo[Any],
    spec: CheckSpec,
    evidence: Evidence,
) -> dict[str, Any]:
    """The builtins-only result of one phase (``CheckWire`` plus phase fields), unredacted."""
    outcome, reason, message = classify(report, call)
    severity = (
        evidence.effective_severity(spec.severity) if report.when == "call" else spec.severity
    )
    return {
        "id": spec.id,
        "title": spec.title,
        "severity": severity.value,
        "default_severity": spec.severity.value,
        "covers": list(spec.covers),
        "intrusive": spec.intrusive,
        "markers": reported_markers(item),
        "nodeid": item.nodeid,
        "when": report.when,
        "outcome": outcome.value,
        "error_reason": reason,
        "message": message,
        "duration_s": round(report.duration, 3),
        "target": evidence.target,
        "findings": [f.to_wire() for f in evidence.findings] if report.when == "call" else [],
        "attachments": list(evidence.attachments) if report.when == "call" else [],
    }


def shorten(
    report: pytest.TestReport, call: pytest.CallInfo[Any], data: dict[str, Any], where: str
) -> None:
    """A check that could not be carried out (ProbeError, ConfigError) gets a one-line longrepr.

    The traceback of an unreachable host is thousands of lines of httpx and ssl internals that
    say less than the probe's message; terminal, report.html and junit show this line instead:
    ``<id>: could not check (<reason>): <message> [<env keys> in <env file>]``.
    """
    excinfo = call.excinfo
    if excinfo is None or not report.failed:
        return
    if not isinstance(excinfo.value, (ProbeError, ConfigError)):
        return
    hint = f" [{where}]" if where else ""
    report.longrepr = (
        f"{data['id']}: could not check ({data['error_reason']}): {data['message']}{hint}"
    )


def redact_report(report: pytest.TestReport, redact: Redactor) -> None:
    """Mask secrets in what pytest itself prints and what pytest-html embeds."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, line, msg = longrepr
        report.longrepr = (path, line, redact.text(str(msg)))
    elif isinstance(longrepr, str):
        report.longrepr = redact.text(longrepr)
    elif longrepr is not None:
        text = str(longrepr)
        if redact.text(text) != text:
            _redact_in_place(longrepr, redact, depth=0)
            if redact.text(str(longrepr)) != str(longrepr):  # a shape we do not know: flatten
                report.longrepr = redact.text(str(longrepr))
    report.sections = [(title, redact.text(content)) for title, content in report.sections]


def _redact_in_place(obj: Any, redact: Redactor, depth: int) -> Any:
    """Walk pytest's repr objects (reprcrash, entries, locals, args) and mask their strings."""
    if depth > 12:
        return obj
    if isinstance(obj, str):
        return redact.text(obj)
    if isinstance(obj, list):
        obj[:] = [_redact_in_place(v, redact, depth + 1) for v in obj]
        return obj
    if isinstance(obj, tuple):
        return tuple(_redact_in_place(v, redact, depth + 1) for v in obj)
    if hasattr(obj, "__dict__"):
        for key, value in vars(obj).items():
            new = _redact_in_place(value, redact, depth + 1)
            if new is not value:
                object.__setattr__(obj, key, new)
    return obj


def install_log_redaction(redactor: Redactor) -> None:
    """Every log record is formatted and masked before any handler sees it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_gonogo", False):
        previous = previous._gonogo_previous  # type: ignore[attr-defined]

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        record.msg, record.args = redactor.text(message), None
        return record

    factory._gonogo = True  # type: ignore[attr-defined]
    factory._gonogo_previous = previous  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
