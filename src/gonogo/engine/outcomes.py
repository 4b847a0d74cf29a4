"""Classify one test phase into a gonogo outcome, and merge phases into one check result.

Runs on the process that executed the test (a worker under xdist): the result is a
:class:`~gonogo.engine.evidence.CheckWire` attached to the pytest report (``report.gonogo``), so it
crosses xdist as builtins.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonogo.errors import ConfigError, ProbeError
from gonogo.gate import NOT_APPLICABLE, REFUSED
from gonogo.model import ErrorReason, Outcome
from gonogo.wire import CheckWire

_TIMEOUT_PREFIXES = ("Timeout", "Failed: Timeout")


def ran_out_of_time(exc: BaseException) -> bool:
    """Whether ``exc`` is the check's own time limit (pytest-timeout's ``Failed: Timeout``)."""
    return isinstance(exc, pytest.fail.Exception) and str(exc).startswith(_TIMEOUT_PREFIXES)


def skip_message(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")


def classify(
    report: pytest.TestReport, call: pytest.CallInfo[Any] | None
) -> tuple[Outcome, str | None, str]:
    """Outcome, error reason and one-line message of one phase of one test."""
    if report.skipped:
        message = skip_message(report)
        if message.startswith(NOT_APPLICABLE):
            return Outcome.NOT_APPLICABLE, None, message.removeprefix(NOT_APPLICABLE)
        if message.startswith(REFUSED):
            return Outcome.REFUSED, None, message.removeprefix(REFUSED)
        return Outcome.SKIPPED, None, message
    if report.passed:
        return Outcome.PASSED, None, ""
    excinfo = call.excinfo if call is not None else None
    if excinfo is None:
        return Outcome.ERROR, ErrorReason.BUG.value, _first_line(str(report.longrepr))
    exc = excinfo.value
    text = _first_line(str(exc))
    if isinstance(exc, ProbeError):
        return Outcome.ERROR, exc.reason.value, text
    if isinstance(exc, ConfigError):
        return Outcome.ERROR, ErrorReason.CONFIG.value, text
    if isinstance(exc, TimeoutError) or text.startswith(_TIMEOUT_PREFIXES):
        return Outcome.ERROR, ErrorReason.TIMEOUT.value, text or "timed out"
    if report.when == "call" and isinstance(exc, (AssertionError, pytest.fail.Exception)):
        return Outcome.FAILED, None, text
    # an exception in a check or in a fixture: the check could not be carried out
    return Outcome.ERROR, ErrorReason.BUG.value, f"{type(exc).__name__}: {text}"


def _first_line(text: str, limit: int = 400) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


_PRECEDENCE = {
    Outcome.ERROR: 0,
    Outcome.FAILED: 1,
    Outcome.REFUSED: 2,
    Outcome.SKIPPED: 3,
    Outcome.NOT_APPLICABLE: 4,
    Outcome.PASSED: 5,
}


NEVER_RAN = (
    "never ran: pytest reported no call phase for this check (--setup-only, --setup-plan or a "
    "plugin that skips the test body); not verified"
)


def merge_phases(phases: list[CheckWire]) -> CheckWire:
    """Combine setup/call/teardown data of one test: the worst phase decides.

    A teardown error after a pass makes the check an error (its cleanup failed); a skip in
    setup means the call never ran. A check whose setup and teardown passed but whose call
    phase never came proved nothing: an error (``bug``), never the pass of its setup.
    """
    worst = min(phases, key=lambda p: _PRECEDENCE[Outcome(p["outcome"])])
    ran = next((p for p in phases if p["when"] == "call"), None)
    call = ran or phases[-1]
    merged = phases[-1].copy()
    merged["outcome"] = worst["outcome"]
    merged["error_reason"] = worst["error_reason"]
    merged["message"] = worst["message"]
    if ran is None and Outcome(worst["outcome"]) is Outcome.PASSED:
        merged["outcome"] = Outcome.ERROR.value
        merged["error_reason"] = ErrorReason.BUG.value
        merged["message"] = NEVER_RAN
    merged["severity"] = call["severity"]
    merged["findings"] = [f for p in phases for f in p["findings"]]
    merged["attachments"] = [a for p in phases for a in p["attachments"]]
    merged["target"] = next((p["target"] for p in phases if p["target"]), "")
    merged["duration_s"] = round(sum(p["duration_s"] for p in phases), 3)
    return merged
