"""What the end of a run says besides the report: the teams' notifiers, internal errors."""

from __future__ import annotations

import sys
import traceback
from typing import Any

import pytest

from gonogo.redact import Redactor
from gonogo.verdict import Decision


def notify(config: pytest.Config, decision: Decision, report_dir: str, redact: Redactor) -> None:
    """Call each ``pytest_gonogo_verdict`` implementation; one that fails is named, and the
    verdict and its exit code stand."""
    kwargs: dict[str, Any] = {
        "verdict": decision.verdict.value,
        "reasons": list(decision.reasons),
        "report_dir": report_dir,
        "config": config,
    }
    for impl in reversed(config.hook.pytest_gonogo_verdict.get_hookimpls()):
        if impl.hookwrapper or impl.wrapper:
            continue
        try:
            impl.function(**{name: kwargs[name] for name in impl.argnames})
        except Exception as err:  # a team's notifier must not turn a verdict into a crash
            message = f"{type(err).__name__}: {err}".splitlines()[0]
            warn(
                redact,
                f"pytest_gonogo_verdict of {impl.plugin_name} failed ({message}); the verdict "
                "and its exit code stand",
            )


def describe(err: BaseException) -> str:
    """``Type: last line of the message`` (an xdist worker's error arrives as its traceback)."""
    lines = [line.removeprefix("INTERNALERROR>").strip() for line in str(err).splitlines()]
    lines = [line for line in lines if line]
    if lines and ":" in lines[-1]:
        return lines[-1]
    return f"{type(err).__name__}: {' '.join(lines[-1:])}".rstrip(": ")


def print_error(redact: Redactor, err: BaseException, where: str) -> None:
    """An internal error's traceback on stderr, as pytest prints one (redacted)."""
    text = "".join(traceback.format_exception(err))
    lines = [f"INTERNALERROR> gonogo: internal error in {where}"] + [
        f"INTERNALERROR> {line}" for line in text.rstrip().splitlines()
    ]
    print(redact.text("\n".join(lines)), file=sys.stderr, flush=True)


def warn(redact: Redactor, message: str) -> None:
    print(redact.text(f"gonogo: warning: {message}"), file=sys.stderr, flush=True)
