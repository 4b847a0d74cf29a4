"""Runs that verify less than they seem to: no call phase, a narrowed selection, a lowered severity."""

from __future__ import annotations

import pytest

from engine.project import evidence, make_project
from gonogo.evidence import CheckWire
from gonogo.outcomes import NEVER_RAN, merge_phases

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _phase(when: str, outcome: str = "passed") -> CheckWire:
    return {
        "id": "t.pass",
        "title": "always passes",
        "severity": "blocker",
        "default_severity": "blocker",
        "covers": [],
        "intrusive": False,
        "markers": ["predeploy"],
        "nodeid": "checks/test_t.py::test_pass",
        "when": when,
        "outcome": outcome,
        "error_reason": None,
        "message": "",
        "duration_s": 0.01,
        "target": "",
        "findings": [],
        "attachments": [],
    }


def test_setup_and_teardown_without_call_is_an_error() -> None:
    """A check whose setup and teardown passed but whose call never ran is an error, not a pass."""
    merged = merge_phases([_phase("setup"), _phase("teardown")])
    assert (merged["outcome"], merged["error_reason"]) == ("error", "bug")
    assert merged["message"] == NEVER_RAN


@pytest.mark.parametrize(
    ("setup", "expected"),
    [("not-applicable", "not-applicable"), ("refused", "refused"), ("skipped", "skipped")],
)
def test_setup_skip_without_call_keeps_its_outcome(setup: str, expected: str) -> None:
    """A check ended in setup (not applicable, refused, skipped) keeps that outcome."""
    merged = merge_phases([_phase("setup", setup), _phase("teardown")])
    assert merged["outcome"] == expected


@pytest.mark.parametrize("flag", ["--setup-only", "--setup-plan"])
@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_setup_only_modes_are_refused(
    pytester: pytest.Pytester, flag: str, workers: list[str]
) -> None:
    """--setup-only and --setup-plan run no check body: a gate run refuses them (exit 4, one
    line, no report), where it used to print GO for checks that never ran."""
    root = make_project(pytester)
    result = pytester.runpytest_subprocess("--env", "t", flag, *workers)
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert errors == [
        f"ERROR: {flag} runs no check (fixtures only) and cannot give a verdict; drop it, or "
        "use --collect-only to list the gate tests"
    ]
    assert not (root / "reports").exists()


SKIP_CALL = """
import pytest
from _pytest.runner import call_and_report

@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    # a plugin that runs fixtures but never the test body
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    call_and_report(item, "setup", log=True)
    call_and_report(item, "teardown", log=True, nextitem=nextitem)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True
"""


def test_checks_whose_call_never_ran_are_no_go(pytester: pytest.Pytester) -> None:
    """When something drops the call phase of every check, each is an error and the run NO-GO."""
    root = make_project(pytester, extra_files={"conftest.py": SKIP_CALL})
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 1
    doc = evidence(root)
    assert doc["verdict"] == "NO-GO"
    outcomes = {c["id"]: (c["outcome"], c["message"]) for c in doc["checks"]}
    assert outcomes["t.pass"] == ("error", NEVER_RAN)
    assert outcomes["t.na"] == ("error", NEVER_RAN)
    assert all(c["evidence"] == [] for c in doc["checks"])
