"""Runs that verify less than they seem to: no call phase, a narrowed selection, a lowered severity."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from engine.project import evidence, latest, make_project, stable
from gonogo.engine.outcomes import NEVER_RAN, merge_phases
from gonogo.wire import CheckWire

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


# a suite with a failing blocker (s.hsts), two more predeploy checks and two smoke checks
SUITE_CATALOGUE = """
["s.hsts"]
title = "HSTS header present"
severity = "blocker"
markers = ["predeploy", "security"]

["s.ciphers"]
title = "ciphers as the profile says"
severity = "major"
markers = ["predeploy", "security"]

["s.grade"]
title = "overall grade"
severity = "minor"
markers = ["predeploy", "security"]

["s.health"]
title = "health endpoint answers"
severity = "blocker"
markers = ["smoke"]

["s.version"]
title = "deployed version"
severity = "blocker"
markers = ["smoke"]
"""

WEB_CHECKS = """
import pytest
from gonogo.model import Comparison, compare, info

@pytest.mark.check("s.hsts")
def test_hsts(gate):
    gate.judge([compare("max_age", 0, Comparison.GE, 31536000, unit="s")])

@pytest.mark.check("s.ciphers")
def test_ciphers(gate):
    gate.judge([info("suites", "5 suites offered", 5)])

@pytest.mark.check("s.grade")
def test_grade(gate):
    gate.judge([info("grade", "grade A", "A")])
"""

SMOKE_CHECKS = """
import pytest
from gonogo.model import info

@pytest.mark.check("s.health")
def test_health(gate):
    gate.judge([info("status", "status 200", 200)])

@pytest.mark.check("s.version")
def test_version(gate):
    gate.judge([info("version", "version 1.0.0", "1.0.0")])
"""


def _suite(pytester: pytest.Pytester, **files: str) -> Path:
    extra = {"checks/test_t_smoke.py": SMOKE_CHECKS, **files}
    return make_project(pytester, checks=WEB_CHECKS, catalogue=SUITE_CATALOGUE, extra_files=extra)


HOLE = "blocker not run: s.hsts (deselected by -k, --deselect, --lf or a conftest hook)"

DROP_HSTS = """
def pytest_collection_modifyitems(items):
    items[:] = [item for item in items if "hsts" not in item.nodeid]  # silently, no deselect hook
"""


def test_full_run_fails_on_the_blocker(pytester: pytest.Pytester) -> None:
    """The suite's baseline: every check runs, the failing blocker makes it NO-GO, nothing is missing."""
    root = _suite(pytester)
    assert pytester.runpytest("--env", "t").ret == 1
    doc = evidence(root)
    assert doc["verdict"] == "NO-GO"
    assert doc["selection"]["complete"] is True
    assert doc["selection"]["not_run"] == []
    assert doc["selection"]["expected"] == 5


@pytest.mark.parametrize(
    ("args", "files"),
    [
        (["--deselect", "checks/test_t.py::test_hsts"], {}),
        (["-k", "not hsts"], {}),
        ([], {"conftest.py": DROP_HSTS}),
    ],
    ids=["deselect", "keyword", "conftest-hook"],
)
def test_blocker_left_out_is_never_go(
    pytester: pytest.Pytester, args: list[str], files: dict[str, str]
) -> None:
    """A failing blocker removed by --deselect, -k or a hook that drops items makes the run
    CONDITIONAL (not GO), with a reason line and the headline naming it."""
    root = _suite(pytester, **files)
    result = pytester.runpytest("--env", "t", *args)
    assert result.ret == 0
    doc = evidence(root)
    assert doc["verdict"] == "CONDITIONAL"
    assert HOLE in doc["reasons"]
    assert "s.hsts" not in {c["id"] for c in doc["checks"]}
    chosen = doc["selection"]
    assert chosen["complete"] is False
    assert chosen["gate_tests_collected"] == 5 and chosen["gate_tests_deselected"] == 1
    assert [(n["id"], n["severity"]) for n in chosen["not_run"]] == [("s.hsts", "blocker")]
    result.stdout.fnmatch_lines(["CONDITIONAL (t): not run: s.hsts (blocker) -> *report.html"])
    summary = (latest(root) / "summary.md").read_text()
    assert "## Selection" in summary and "`s.hsts` (blocker): deselected" in summary
    assert HOLE in (latest(root) / "report.html").read_text()
    assert pytester.runpytest("--env", "t", "--conditional-fails", *args).ret == 1


def test_selection_options_are_recorded(pytester: pytest.Pytester) -> None:
    """-m, -k, --deselect and the path arguments are written to evidence.json and summary.md."""
    root = _suite(pytester)
    pytester.runpytest(
        "--env", "t", "-m", "predeploy", "-k", "not grade", "--deselect",
        "checks/test_t.py::test_ciphers", "checks/test_t.py",
    )  # fmt: skip
    chosen = evidence(root)["selection"]
    assert chosen["markexpr"] == "predeploy"
    assert chosen["keyword"] == "not grade"
    assert chosen["deselect"] == ["checks/test_t.py::test_ciphers"]
    assert chosen["paths"] == ["checks/test_t.py"]
    assert chosen["expected"] == 3
    assert {n["id"]: n["severity"] for n in chosen["not_run"]} == {
        "s.ciphers": "major",
        "s.grade": "minor",
    }
    summary = (latest(root) / "summary.md").read_text()
    assert (
        "- Options: -m `predeploy`, -k `not grade`, --deselect `checks/test_t.py::test_ciphers`, "
        "path `checks/test_t.py`"
    ) in summary


def test_paths_that_leave_out_a_blocker(pytester: pytest.Pytester) -> None:
    """Explicit paths that do not collect a catalogue check's test count as leaving it out:
    every check of the other file is listed, the blocker and major keep the run from GO."""
    root = _suite(pytester)
    result = pytester.runpytest("--env", "t", "checks/test_t_smoke.py")
    assert result.ret == 0
    doc = evidence(root)
    assert doc["verdict"] == "CONDITIONAL"
    why = "not collected: the paths given leave out its test"
    assert f"blocker not run: s.hsts ({why})" in doc["reasons"]
    assert f"major not run: s.ciphers ({why})" in doc["reasons"]
    assert f"minor not run: s.grade ({why}) (does not block)" in doc["reasons"]
    assert doc["selection"]["gate_tests_deselected"] == 0
    result.stdout.fnmatch_lines(
        ["CONDITIONAL (t): not run: s.hsts (blocker), s.ciphers (major), s.grade (minor) -> *"]
    )


def test_stage_choice_by_marker_is_clean(pytester: pytest.Pytester) -> None:
    """-m smoke verifies the smoke checks: checks of other stages are not missing, the run is GO."""
    root = _suite(pytester)
    result = pytester.runpytest("--env", "t", "-m", "smoke")
    assert result.ret == 0
    doc = evidence(root)
    assert doc["verdict"] == "GO"
    assert doc["reasons"] == ["all 2 applicable checks passed"]
    chosen = doc["selection"]
    assert chosen["complete"] is True and chosen["expected"] == 2
    assert chosen["gate_tests_deselected"] == 3
    result.stdout.fnmatch_lines(["GO (t): 2 passed -> *"])


def test_minor_left_out_is_named_but_does_not_block(pytester: pytest.Pytester) -> None:
    """A minor check left out keeps GO but is named in the reasons and the headline."""
    passing = WEB_CHECKS.replace('compare("max_age", 0,', 'compare("max_age", 31536000,')
    root = _suite(pytester)
    (root / "checks" / "test_t.py").write_text(passing)
    result = pytester.runpytest("--env", "t", "-k", "not grade")
    doc = evidence(root)
    assert doc["verdict"] == "GO", doc["reasons"]
    assert doc["reasons"] == [
        "every blocker and major check passed (4 passed)",
        "minor not run: s.grade (deselected by -k, --deselect, --lf or a conftest hook) "
        "(does not block)",
    ]
    result.stdout.fnmatch_lines(["GO (t): 4 passed; not run: s.grade (minor) -> *"])


def test_partly_deselected_check(pytester: pytest.Pytester) -> None:
    """A parametrized blocker with one of its targets deselected did not verify that target."""
    checks = WEB_CHECKS.replace(
        '@pytest.mark.check("s.hsts")\ndef test_hsts(gate):\n    gate.judge([compare("max_age", 0, '
        'Comparison.GE, 31536000, unit="s")])',
        '@pytest.mark.check("s.hsts")\n@pytest.mark.parametrize("host", ["a", "b"])\n'
        'def test_hsts(gate, host):\n    gate.judge([info("host", "host " + host, host)])',
    )
    root = make_project(
        pytester,
        checks=checks,
        catalogue=SUITE_CATALOGUE,
        extra_files={"checks/test_t_smoke.py": SMOKE_CHECKS},
    )
    pytester.runpytest("--env", "t", "--deselect", "checks/test_t.py::test_hsts[b]")
    doc = evidence(root)
    assert doc["verdict"] == "CONDITIONAL"
    assert "blocker not run: s.hsts (partly deselected: 1 of 2 gate tests)" in doc["reasons"]


def test_selection_is_the_same_under_xdist(pytester: pytest.Pytester) -> None:
    """-n 2 records the same selection and verdict as a serial run."""
    root = _suite(pytester)
    args = ["--env", "t", "-p", "no:cacheprovider", "--deselect", "checks/test_t.py::test_hsts"]
    assert pytester.runpytest_subprocess(*args).ret == 0
    serial = stable(evidence(root))
    assert pytester.runpytest_subprocess(*args, "-n", "2").ret == 0
    parallel = stable(evidence(root))
    assert serial == parallel
    assert parallel["verdict"] == "CONDITIONAL" and HOLE in parallel["reasons"]


LOWERED_ENV = """
release = "1.0.0"

[checks."s.hsts"]
severity = "info"

[checks."s.grade"]
severity = "blocker"
"""


def test_lowered_severity_is_visible(pytester: pytest.Pytester) -> None:
    """A blocker the environment file lowers to info no longer blocks, but every report says so:
    default_severity in evidence.json, a reason line (summary.md, report.html) and the headline.
    Raising a severity is not called out."""
    root = _suite(pytester)
    (root / "environments" / "t.toml").write_text(LOWERED_ENV)
    result = pytester.runpytest("--env", "t")
    assert result.ret == 0
    doc = evidence(root)
    assert doc["verdict"] == "GO"
    checks = {c["id"]: c for c in doc["checks"]}
    assert (checks["s.hsts"]["severity"], checks["s.hsts"]["default_severity"]) == (
        "info",
        "blocker",
    )
    assert (checks["s.grade"]["severity"], checks["s.grade"]["default_severity"]) == (
        "blocker",
        "minor",
    )
    assert checks["s.health"]["default_severity"] == "blocker"
    line = "s.hsts: severity lowered blocker -> info by environments/t.toml"
    assert line in doc["reasons"]
    assert not [r for r in doc["reasons"] if "s.grade" in r]
    assert f"- {line}" in (latest(root) / "summary.md").read_text()
    assert html.escape(line) in (latest(root) / "report.html").read_text()
    first = (
        "every blocker and major check passed (4 passed), except 1 the environment file "
        "lowered below major: s.hsts (blocker -> info, failed)"
    )
    assert doc["reasons"][0] == first
    assert f"- {first}" in (latest(root) / "summary.md").read_text()
    assert html.escape(first) in (latest(root) / "report.html").read_text()
    result.stdout.fnmatch_lines(
        [
            f"- {first}",
            "GO (t): 4 passed; 1 info check not passed: s.hsts; severity lowered: s.hsts "
            "(blocker -> info) -> *report.html",
        ]
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_check_file_that_does_not_import_is_no_go(
    pytester: pytest.Pytester, workers: list[str]
) -> None:
    """A check file that does not import is NO-GO naming the file first, with pytest's own
    error and no INTERNALERROR (pytest-html once crashed on the early collection's report)."""
    root = _suite(pytester, **{"checks/test_t_broken.py": "import no_such_module_here\n"})
    result = pytester.runpytest_subprocess("--env", "t", *workers)
    assert result.ret == 1
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert "No module named 'no_such_module_here'" in output
    doc = evidence(root)
    assert doc["verdict"] == "NO-GO"
    assert doc["reasons"][0] == "could not collect checks/test_t_broken.py"
    assert (latest(root) / "report.html").exists()
