"""What collection derives from the catalogue: markers, stages, time limits, one test per id."""

from __future__ import annotations

import pytest

from engine.project import CATALOGUE, evidence, latest, make_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TWO_STAGES = CATALOGUE.replace(
    '["t.error"]\ntitle = "cannot connect"\nseverity = "minor"\nmarkers = ["smoke"]',
    '["t.error"]\ntitle = "cannot connect"\nseverity = "minor"\nmarkers = ["predeploy", "smoke"]',
)


def test_same_id_in_two_test_functions_is_config_error(pytester: pytest.Pytester) -> None:
    """Two test functions declaring one check id stop the run with exit 4 naming both."""
    checks = """
import pytest

@pytest.mark.check("t.pass")
def test_one(gate):
    pass

@pytest.mark.check("t.pass")
def test_two(gate):
    pass
"""
    make_project(pytester, checks=checks)
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        ["ERROR: check id 't.pass' is declared by two gate tests, *test_one and *test_two*"]
    )


def test_parametrized_instances_share_an_id(pytester: pytest.Pytester) -> None:
    """Parametrized instances of one test function are one check id, several results."""
    checks = """
import pytest
from gonogo.model import info

@pytest.mark.check("t.pass")
@pytest.mark.parametrize("host", ["a", "b"])
def test_hosts(gate, host):
    gate.judge([info("host", host)])
"""
    root = make_project(pytester, checks=checks)
    assert pytester.runpytest("--env", "t").ret == 0
    assert [c["id"] for c in evidence(root)["checks"]] == ["t.pass", "t.pass"]


def test_markers_are_stages_and_topics_only(pytester: pytest.Pytester) -> None:
    """A check's reported markers are its stages and topics, never xdist_group or timeout."""
    checks = """
import pytest
from gonogo.model import info

@pytest.mark.check("t.pass")
@pytest.mark.security
@pytest.mark.xdist_group("login-flow")
@pytest.mark.timeout(30)
def test_marked(gate):
    gate.judge([info("x", "x")])
"""
    root = make_project(pytester, checks=checks)
    pytester.runpytest("--env", "t")
    assert evidence(root)["checks"][0]["markers"] == ["predeploy", "security"]


def test_check_counts_under_each_of_its_stages(pytester: pytest.Pytester) -> None:
    """A check marked predeploy and smoke counts in both rows of the stage table."""
    root = make_project(pytester, catalogue=TWO_STAGES)
    result = pytester.runpytest("--env", "t")
    doc = evidence(root)
    error = next(c for c in doc["checks"] if c["id"] == "t.error")
    assert error["stages"] == ["predeploy", "smoke"] and error["stage"] == "predeploy"
    assert doc["counts"]["by_stage"]["predeploy"]["error"] == 1
    assert doc["counts"]["by_stage"]["smoke"]["error"] == 1
    result.stdout.fnmatch_lines(["*counted under each of its stages*"])
    assert "counted under each of its stages" in (latest(root) / "summary.md").read_text()


TIMED = """
import time, pytest
from gonogo.model import info

@pytest.mark.check("t.pass")
def test_slow(gate):
    time.sleep(1.5)
    gate.judge([info("slept", "1.5 s")])
"""


def test_catalogue_timeout_applies(pytester: pytest.Pytester) -> None:
    """A catalogue timeout_s limits the check: past it the check is an error (timeout)."""
    catalogue = CATALOGUE.replace(
        'title = "always passes"', 'title = "always passes"\ntimeout_s = 0.5'
    )
    root = make_project(pytester, checks=TIMED, catalogue=catalogue)
    pytester.runpytest_subprocess("--env", "t")
    check = evidence(root)["checks"][0]
    assert (check["outcome"], check["error_reason"]) == ("error", "timeout")


def test_environment_timeout_overrides_catalogue(pytester: pytest.Pytester) -> None:
    """[checks."id"] timeout_s in the environment file replaces the catalogue's time limit."""
    catalogue = CATALOGUE.replace(
        'title = "always passes"', 'title = "always passes"\ntimeout_s = 0.5'
    )
    env = 'release = "1"\n[checks."t.pass"]\ntimeout_s = 10\n'
    root = make_project(pytester, checks=TIMED, catalogue=catalogue, env=env)
    assert pytester.runpytest_subprocess("--env", "t").ret == 0
    assert evidence(root)["checks"][0]["outcome"] == "passed"


def test_headline_findings_are_key_figures(pytester: pytest.Pytester) -> None:
    """A finding flagged headline reaches evidence.json, the report banner and summary.md."""
    checks = """
import pytest
from gonogo.model import Finding

@pytest.mark.check("t.pass")
def test_grade(gate):
    gate.judge([Finding("grade", True, "overall grade A+ (score 115)", "A+", headline=True)])
"""
    root = make_project(pytester, checks=checks)
    pytester.runpytest("--env", "t")
    finding = evidence(root)["checks"][0]["evidence"][0]
    assert finding["headline"] is True
    summary = (latest(root) / "summary.md").read_text()
    assert "## Key figures\n\n- `t.pass`: overall grade A+ (score 115)" in summary
    page = (latest(root) / "report.html").read_text()
    banner = page[page.index("<!-- gonogo:verdict -->") : page.index("<!-- /gonogo:verdict -->")]
    assert "Key figures" in banner and "overall grade A+ (score 115)" in banner
