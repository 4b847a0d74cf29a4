"""Per-test reporting on the process that ran the test: the wire data, one-line errors, redaction.

``report.gonogo`` carries a check's result to the controller as builtins (it crosses xdist the
way pytest-html's ``extras`` do). What pytest prints (``longrepr``, captured sections) is masked
here, before it leaves the process.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest

from gonogo.endpoints import endpoint_of
from gonogo.engine.collection import reported_markers
from gonogo.engine.context import CONTEXT_KEY, EVIDENCE_KEY, SPEC_KEY
from gonogo.engine.evidence import Evidence, to_wire
from gonogo.engine.outcomes import classify, ran_out_of_time
from gonogo.errors import ConfigError, ProbeError
from gonogo.gate import NOT_APPLICABLE, REFUSED, not_declared, undeclared
from gonogo.model import AttachmentWire, CheckSpec, Outcome, Severity, conclude
from gonogo.redact import Redactor
from gonogo.report.artefacts import image_extras, is_binary, redact_bytes
from gonogo.wire import CheckWire

# their DEBUG traces print every request and response header (cookies, Authorization)
_CHATTY_LOGGERS = ("httpx", "httpcore", "hpack", "urllib3")


def setup(item: pytest.Item) -> None:
    """Give a gate test its evidence recorder; refuse an intrusive check on a sensitive env.

    Applicability comes first: a check whose component the environment does not declare is
    not applicable, never "refused, pass --allow-intrusive" (advice that makes no sense there).
    """
    ctx = item.config.stash.get(CONTEXT_KEY, None)
    spec = item.stash.get(SPEC_KEY, None)
    if ctx is None or spec is None:
        return
    item.stash[EVIDENCE_KEY] = Evidence()
    missing = undeclared(ctx.env.config, spec.requires)
    if missing:
        pytest.skip(f"{NOT_APPLICABLE}{not_declared(ctx.env.name, missing)}")
    if spec.intrusive and ctx.env.sensitive and not ctx.allow_intrusive:
        pytest.skip(
            f"{REFUSED}intrusive check on sensitive environment {ctx.env.name}; "
            "pass --allow-intrusive to run it (counted as unverified)"
        )


def make_report(item: pytest.Item, call: pytest.CallInfo[Any], report: pytest.TestReport) -> None:
    """Attach the phase's :class:`CheckWire` to ``report`` and mask what pytest will print."""
    ctx = item.config.stash.get(CONTEXT_KEY, None)
    spec = item.stash.get(SPEC_KEY, None)
    if ctx is None or spec is None:
        return
    evidence = item.stash.get(EVIDENCE_KEY, None) or Evidence()
    if call.excinfo is not None:
        # an endpoint refused, silent or too slow here fails every later check of it at once
        endpoint, exc = endpoint_of(evidence.target), call.excinfo.value
        ctx.shared.note_failure(endpoint, exc)
        if ran_out_of_time(exc):
            ctx.shared.note_timeout(endpoint, spec.id, str(exc).strip().splitlines()[0])
    entry = ctx.catalogue.get(spec.id)
    default = entry.spec.severity if entry is not None else None
    data = wire(item, report, call, spec, evidence, default)
    shorten(report, call, data, ctx.where_configured(evidence.target))
    data["attachments"] = [mask_attachment(a, ctx.redactor) for a in data["attachments"]]
    report.gonogo = ctx.redactor.redact(data)  # type: ignore[attr-defined]
    # screenshots shown in report.html (pytest-html's extras cross xdist with the report)
    report.extras = [*getattr(report, "extras", []), *image_extras(data["attachments"])]  # type: ignore[attr-defined]
    redact_report(report, ctx.redactor)


def wire(
    item: pytest.Item,
    report: pytest.TestReport,
    call: pytest.CallInfo[Any],
    spec: CheckSpec,
    evidence: Evidence,
    default_severity: Severity | None = None,
) -> CheckWire:
    """The builtins-only result of one phase, unredacted.

    A call that returned normally passes only on its evidence: at least one finding and every
    finding ok. A test that caught the judge's failure, never judged, or measured a value
    outside its threshold is not a pass; ``report`` is turned into a failure saying why, so the
    terminal, junit and report.html agree with evidence.json.
    """
    outcome, reason, message = classify(report, call)
    if report.when == "call" and outcome is Outcome.PASSED:
        outcome, found, message = conclude(evidence.findings)
        reason = found.value if found is not None else None
        if outcome is Outcome.FAILED:
            report.outcome = "failed"
            report.longrepr = f"{spec.id}: {message}"
        elif outcome is Outcome.ERROR:
            report.outcome = "failed"
            report.longrepr = f"{spec.id}: could not check ({reason}): {message}"
    return to_wire(
        spec,
        evidence,
        nodeid=item.nodeid,
        when=report.when,
        markers=reported_markers(item),
        outcome=outcome,
        error_reason=reason,
        message=message,
        duration_s=report.duration,
        default_severity=default_severity,
    )


def shorten(
    report: pytest.TestReport, call: pytest.CallInfo[Any], data: CheckWire, where: str
) -> None:
    """A check that could not be carried out (ProbeError, ConfigError) gets a one-line longrepr.

    The traceback of an unreachable host is thousands of lines of httpx and ssl internals that
    say less than the probe's message; terminal, report.html and junit show this line instead:
    ``<id>: could not check (<reason>): <message> [<env keys> in <env file>]``. A check that ran
    out of its time limit keeps its traceback: it shows where the check was stuck.
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


def mask_attachment(attachment: AttachmentWire, redact: Redactor) -> AttachmentWire:
    """Mask a text attachment here: only this process knows the credentials its probes saw
    (under xdist the controller writes the file, with a redactor that never saw them)."""
    if is_binary(attachment["mime"], attachment["name"]):
        return attachment
    content = redact_bytes(base64.b64decode(attachment["content_b64"]), redact)
    return {**attachment, "content_b64": base64.b64encode(content).decode()}


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
            redact_in_place(longrepr, redact)
            if redact.text(str(longrepr)) != str(longrepr):  # a shape we do not know: flatten
                report.longrepr = redact.text(str(longrepr))
    report.sections = [(title, redact.text(content)) for title, content in report.sections]


def redact_in_place(obj: Any, redact: Redactor, depth: int = 0) -> Any:
    """Walk pytest's repr objects (reprcrash, entries, locals, args) and mask their strings."""
    if depth > 12:
        return obj
    if isinstance(obj, str):
        return redact.text(obj)
    if isinstance(obj, list):
        obj[:] = [redact_in_place(v, redact, depth + 1) for v in obj]
        return obj
    if isinstance(obj, tuple):
        return tuple(redact_in_place(v, redact, depth + 1) for v in obj)
    if hasattr(obj, "__dict__"):
        for key, value in vars(obj).items():
            new = redact_in_place(value, redact, depth + 1)
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


def quiet_chatty_loggers() -> None:
    """Cap the HTTP libraries' loggers at INFO for a gate run, whatever ``--log-level`` says.

    Redaction masks the header forms they print, but their DEBUG traces are a dump of every
    request and response: a belt to the redactor's braces.
    """
    for name in _CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)
