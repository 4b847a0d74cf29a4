"""junit.xml for CI pages: a testcase is red exactly when its check blocks the release.

What blocks follows the exit code: a blocker that is not verified (failed: ``<failure>``;
error, skipped or refused: ``<error>``) always; a major only with ``--conditional-fails``
(without it a CONDITIONAL exits 0, so its majors are not red either). A check that did not pass
but does not block (a minor or info finding, a major of a CONDITIONAL run, a waived check)
is a passing testcase that keeps the finding visible: its ``properties`` say ``outcome`` and
``blocks = false``, its ``system-out`` the message and the evidence. A check that did not run
(not applicable, or skipped or refused without blocking) is ``<skipped>``. One more testcase,
``[gonogo] verdict``, carries the verdict and its reasons and fails when the gate exits non-zero
(a NO-GO of the run itself: interrupted, a crashed worker, nothing verified).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

from gonogo.model import Outcome, Severity
from gonogo.report.artefacts import RunMeta, stage_of
from gonogo.verdict import CheckResult, Decision

_NOT_RUN = (Outcome.SKIPPED, Outcome.REFUSED, Outcome.NOT_APPLICABLE)


def blocks(result: CheckResult, *, majors_block: bool) -> bool:
    """Whether this check is red in CI: unverified and severe enough to fail the gate."""
    if not result.outcome.unverified:
        return False
    return result.severity is Severity.BLOCKER or (
        majors_block and result.severity is Severity.MAJOR
    )


def junit_xml(
    results: list[CheckResult], decision: Decision, meta: RunMeta, *, majors_block: bool
) -> str:
    """The document; ``majors_block``: ``--conditional-fails`` was given."""
    env = meta.env
    suite = ET.Element("testsuite", name=f"gonogo.{env}")
    status: Counter[str] = Counter()
    suite_props = ET.SubElement(suite, "properties")
    for key, value in (("verdict", decision.verdict.value), ("exit_code", str(meta.exit_code))):
        ET.SubElement(suite_props, "property", name=key, value=value)
    for r in results:
        status[_testcase(suite, r, env, blocking=blocks(r, majors_block=majors_block))] += 1
    status[_verdict_case(suite, decision, meta)] += 1
    suite.set("tests", str(sum(status.values())))
    for kind, attribute in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(attribute, str(status[kind]))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, r: CheckResult, env: str, *, blocking: bool) -> str:
    """Add one check's testcase; returns its status (failure, error, skipped or passed)."""
    target = f" @ {r.target}" if r.target else ""
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"gonogo.{env}.{stage_of(r)}",
        name=f"[{r.id}] {r.title}{target}",
        time=f"{r.duration_s:.3f}",
    )
    props = ET.SubElement(case, "properties")
    pairs = [
        ("check_id", r.id),
        ("severity", r.severity.value),
        ("outcome", r.outcome.value),
        ("blocks", "true" if blocking else "false"),
        ("nodeid", r.nodeid),
    ]
    if r.error_reason:
        pairs.append(("error_reason", r.error_reason))
    if r.original_outcome is not None:
        pairs.append(("original_outcome", r.original_outcome.value))
    for key, value in pairs:
        ET.SubElement(props, "property", name=key, value=value)
    detail = "\n".join(f"{'ok  ' if f['ok'] else 'FAIL'} {f['message']}" for f in r.evidence)
    why = r.message or r.outcome.value
    if blocking and r.outcome is Outcome.FAILED:
        ET.SubElement(case, "failure", message=f"{r.severity.value}: {why}").text = detail
        return "failure"
    if blocking:
        kind = r.error_reason or r.outcome.value
        message = f"{r.severity.value} not verified ({kind}): {why}"
        ET.SubElement(case, "error", message=message).text = detail
        return "error"
    if r.outcome in _NOT_RUN:
        ET.SubElement(case, "skipped", message=f"{r.outcome.value}: {why}")
        return "skipped"
    if r.outcome is Outcome.PASSED:
        text = detail or r.outcome.value
    else:  # a finding that does not block: visible, not red
        head = f"{r.outcome.value} ({r.severity.value}, does not block the release): {why}"
        text = "\n".join(line for line in (head, detail) if line)
    ET.SubElement(case, "system-out").text = text
    return "passed"


def _verdict_case(suite: ET.Element, decision: Decision, meta: RunMeta) -> str:
    """The run's own testcase: red when the gate exits non-zero, the reasons as its text."""
    case = ET.SubElement(
        suite, "testcase", classname=f"gonogo.{meta.env}", name="[gonogo] verdict", time="0.000"
    )
    reasons = "\n".join(decision.reasons)
    message = f"{decision.verdict.value} (exit {meta.exit_code})"
    if decision.reasons:
        message += f": {decision.reasons[0]}"
    if meta.exit_code != 0:
        ET.SubElement(case, "failure", message=message).text = reasons
        return "failure"
    ET.SubElement(case, "system-out").text = f"{message}\n{reasons}".strip()
    return "passed"
