"""junit.xml: a testcase is red exactly when its check blocks the release; findings stay visible."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from engine.project import latest, make_project
from gonogo.model import Outcome, Severity
from gonogo.report.artefacts import RunMeta
from gonogo.report.junit import junit_xml
from gonogo.verdict import CheckResult, RunState, Verdict, decide

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RUN_OUTCOMES = [o for o in Outcome if o is not Outcome.WAIVED]


def _result(outcome: Outcome, severity: Severity, check_id: str = "x.check") -> CheckResult:
    return CheckResult(
        id=check_id,
        title="t",
        severity=severity,
        outcome=outcome,
        nodeid=f"n::{check_id}",
        message="what happened",
        error_reason="connectivity" if outcome is Outcome.ERROR else None,
        evidence=(
            {
                "name": "n", "ok": outcome is Outcome.PASSED, "message": "measured 3 (>= 5)",
                "measured": 3, "threshold": 5, "unit": "", "comparison": ">=",
                "severity": None, "headline": False, "unverified": None,
            },
        ),
    )  # fmt: skip


def _meta(exit_code: int) -> RunMeta:
    return RunMeta(
        env="t", env_file="environments/t.toml", sensitive=False, release=None, run_id="r",
        started_at="s", finished_at="f", gonogo_version="0", suite_commit=None,
        allow_intrusive=False, exit_code=exit_code,
    )  # fmt: skip


def _document(results: list[CheckResult], *, majors_block: bool = False) -> ET.Element:
    decision = decide(results, RunState())
    code = int(decision.exit_code)
    if majors_block and decision.verdict is Verdict.CONDITIONAL:
        code = 1
    text = junit_xml(results, decision, _meta(code), majors_block=majors_block)
    return ET.fromstring(text.split("\n", 1)[1])


def _case(root: ET.Element, check_id: str) -> ET.Element:
    return next(c for c in root.iter("testcase") if c.get("name", "").startswith(f"[{check_id}]"))


def _status(case: ET.Element) -> str:
    for kind in ("failure", "error", "skipped"):
        if case.find(kind) is not None:
            return kind
    return "passed"


def _expected(outcome: Outcome, severity: Severity, majors_block: bool) -> str:
    blocking = severity is Severity.BLOCKER or (majors_block and severity is Severity.MAJOR)
    if outcome.unverified and blocking:
        return "failure" if outcome is Outcome.FAILED else "error"
    if outcome in (Outcome.SKIPPED, Outcome.REFUSED, Outcome.NOT_APPLICABLE):
        return "skipped"
    return "passed"


@pytest.mark.parametrize("majors_block", [False, True], ids=["default", "conditional-fails"])
@pytest.mark.parametrize("severity", list(Severity), ids=[s.value for s in Severity])
@pytest.mark.parametrize("outcome", RUN_OUTCOMES, ids=[o.value for o in RUN_OUTCOMES])
def test_testcase_status_follows_what_blocks(
    outcome: Outcome, severity: Severity, majors_block: bool
) -> None:
    """A blocker not verified is a failure (failed) or an error (anything else); a major only
    with --conditional-fails; a minor or info check never; what did not run is skipped."""
    results = [_result(outcome, severity), _result(Outcome.PASSED, Severity.BLOCKER, "y.ok")]
    case = _case(_document(results, majors_block=majors_block), "x.check")
    assert _status(case) == _expected(outcome, severity, majors_block)
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["outcome"] == outcome.value and props["severity"] == severity.value
    assert props["blocks"] == ("true" if _status(case) in ("failure", "error") else "false")


def test_minor_finding_on_a_go_is_green_and_visible() -> None:
    """A GO with a failed minor has no failure or error in junit.xml (CI stays green), and the
    finding is in the testcase's properties and system-out."""
    results = [
        _result(Outcome.PASSED, Severity.BLOCKER, "a.ok"),
        _result(Outcome.FAILED, Severity.MINOR, "headers.referrer-policy"),
    ]
    root = _document(results)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("errors"), suite.get("tests")) == ("0", "0", "3")
    assert root.find(".//failure") is None and root.find(".//error") is None
    case = _case(root, "headers.referrer-policy")
    out = case.findtext("system-out") or ""
    assert out.startswith("failed (minor, does not block the release): what happened")
    assert "FAIL measured 3 (>= 5)" in out
    verdict = _case(root, "gonogo")
    assert "GO (exit 0)" in (verdict.findtext("system-out") or "")


def test_verdict_testcase_fails_with_the_exit_code() -> None:
    """The [gonogo] verdict testcase fails when the gate exits non-zero, also for a NO-GO that
    no single check explains (nothing verified), with the reasons as its text."""
    results = [_result(Outcome.NOT_APPLICABLE, Severity.BLOCKER)]
    root = _document(results)
    verdict = _case(root, "gonogo")
    failure = verdict.find("failure")
    assert failure is not None
    assert (failure.get("message") or "").startswith("NO-GO (exit 1): no check was verified")
    suite = root.find("testsuite")
    assert suite is not None and suite.find("properties/property[@name='verdict']") is not None


def test_run_writes_junit_that_follows_the_exit_code(pytester: pytest.Pytester) -> None:
    """A CONDITIONAL run (failed major, errored minor) exits 0 and its junit.xml has no failure
    or error; with --conditional-fails it exits 1 and the major and the verdict are failures."""
    root = make_project(pytester)
    assert pytester.runpytest("--env", "t").ret == 0
    doc = ET.parse(latest(root) / "junit.xml").getroot()
    assert doc.find(".//failure") is None and doc.find(".//error") is None
    minor = _case(doc, "t.error")
    assert (minor.findtext("system-out") or "").startswith(
        "error (minor, does not block the release): cache.example:6379: connection refused"
    )
    assert _status(_case(doc, "t.na")) == "skipped"
    assert pytester.runpytest("--env", "t", "--conditional-fails").ret == 1
    doc = ET.parse(latest(root) / "junit.xml").getroot()
    assert _status(_case(doc, "t.fail-major")) == "failure"
    assert _status(_case(doc, "t.error")) == "passed"
    assert _status(_case(doc, "gonogo")) == "failure"
