"""The plugin end to end through pytester: outcomes, artefacts, xdist, interruption, crashes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from engine.project import CHECKS, evidence, latest, make_project, stable

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_outcomes_and_artefacts(pytester: pytest.Pytester) -> None:
    """A run maps each check to its outcome and writes every artefact with the verdict."""
    root = make_project(pytester)
    result = pytester.runpytest("--env", "t")
    assert result.ret == 0  # CONDITIONAL exits 0 by default
    doc = evidence(root)
    assert doc["schema"] == "gonogo.evidence/1"
    assert doc["verdict"] == "CONDITIONAL"
    outcomes = {c["id"]: c["outcome"] for c in doc["checks"]}
    assert outcomes == {
        "t.pass": "passed",
        "t.fail-major": "failed",
        "t.error": "error",
        "t.na": "not-applicable",
        "t.intrusive": "passed",
    }
    passed = next(c for c in doc["checks"] if c["id"] == "t.pass")
    assert passed["evidence"][0]["measured"] == 41 and passed["evidence"][0]["threshold"] == 30
    assert passed["target"] == "db.example:5432"
    assert (latest(root) / passed["attachments"][0]["file"]).read_text() == "table a: 10 rows"
    error = next(c for c in doc["checks"] if c["id"] == "t.error")
    assert error["error_reason"] == "connectivity"
    for key in (
        "verdict",
        "env",
        "release",
        "started_at",
        "finished_at",
        "gonogo_version",
        "suite_commit",
        "reasons",
        "checks",
    ):
        assert key in doc
    run = latest(root)
    for name in ("report.html", "junit.xml", "summary.md", "manifest.sha256", "evidence.json"):
        assert (run / name).is_file(), name
    names = [c.get("name") for c in ET.parse(run / "junit.xml").getroot().iter("testcase")]
    assert "[t.pass] always passes @ db.example:5432" in names
    html = (run / "report.html").read_text()
    assert "CONDITIONAL" in html and "t.fail-major" in html
    manifest = (run / "manifest.sha256").read_text()
    assert "evidence.json" in manifest and "report.html" in manifest
    result.stdout.fnmatch_lines(
        [
            "CONDITIONAL (t): 1 major not passed: t.fail-major; 1 minor finding: t.error -> *report.html"
        ]
    )


def test_conditional_fails_flag(pytester: pytest.Pytester) -> None:
    """--conditional-fails turns a CONDITIONAL verdict into exit code 1."""
    make_project(pytester)
    assert pytester.runpytest("--env", "t", "--conditional-fails").ret == 1


def test_serial_and_parallel_evidence_identical(pytester: pytest.Pytester) -> None:
    """Evidence crosses xdist workers: -n 2 gives the same evidence.json as a serial run."""
    root = make_project(pytester)
    pytester.runpytest("--env", "t")
    serial = stable(evidence(root))
    pytester.runpytest("--env", "t", "-n", "2")
    parallel = stable(evidence(root))
    assert serial == parallel
    assert parallel["checks"][0]["evidence"]


def test_intrusive_refused_on_sensitive_env(pytester: pytest.Pytester) -> None:
    """An intrusive blocker on a sensitive environment is refused, counted unverified: NO-GO, exit 1."""
    root = make_project(pytester, env='sensitive = true\nrelease = "1"\n')
    result = pytester.runpytest("--env", "t")
    assert result.ret == 1
    doc = evidence(root)
    assert doc["verdict"] == "NO-GO"
    assert {c["id"]: c["outcome"] for c in doc["checks"]}["t.intrusive"] == "refused"
    assert pytester.runpytest("--env", "t", "--allow-intrusive").ret == 0


def test_waiver_applies_and_expired_is_called_out(pytester: pytest.Pytester) -> None:
    """A valid waiver turns a failure into waived (CONDITIONAL); an expired one is named and not applied."""
    env = """release = "1"
[[waivers]]
check = "t.fail-major"
reason = "known slow endpoint"
approver = "Ann Lee"
ticket = "CHG-42"
expires = 2999-01-01
"""
    root = make_project(pytester, env=env)
    pytester.runpytest("--env", "t")
    doc = evidence(root)
    check = next(c for c in doc["checks"] if c["id"] == "t.fail-major")
    assert check["outcome"] == "waived" and check["original_outcome"] == "failed"
    assert check["waiver"]["approver"] == "Ann Lee"
    assert doc["verdict"] == "CONDITIONAL"
    (root / "environments" / "t.toml").write_text(env.replace("2999-01-01", "2020-01-01"))
    pytester.runpytest("--env", "t")
    doc = evidence(root)
    assert any("expired on 2020-01-01" in r for r in doc["reasons"])
    assert next(c for c in doc["checks"] if c["id"] == "t.fail-major")["outcome"] == "failed"


def test_severity_override_from_env_file(pytester: pytest.Pytester) -> None:
    """[checks."id"] severity in the environment file replaces the catalogue default."""
    root = make_project(
        pytester, env='release = "1"\n[checks."t.fail-major"]\nseverity = "blocker"\n'
    )
    assert pytester.runpytest("--env", "t").ret == 1
    assert evidence(root)["verdict"] == "NO-GO"


def test_interrupted_run_is_not_go(pytester: pytest.Pytester) -> None:
    """A run stopped by KeyboardInterrupt writes a NO-GO report and exits 2."""
    checks = CHECKS.replace('gate.require("redis")', "raise KeyboardInterrupt")
    root = make_project(pytester, checks=checks)
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 2
    doc = evidence(root)
    assert doc["verdict"] == "NO-GO"
    assert any("interrupted" in r for r in doc["reasons"])


def test_maxfail_stop_is_not_go(pytester: pytest.Pytester) -> None:
    """-x stops the run early: the verdict is NO-GO even though no blocker failed."""
    root = make_project(pytester)
    pytester.runpytest("--env", "t", "-x")
    assert evidence(root)["verdict"] == "NO-GO"


@pytest.mark.parametrize("dist", ["load", "loadgroup"])
def test_crashed_worker_is_not_go(pytester: pytest.Pytester, dist: str) -> None:
    """A worker that dies mid-check (os._exit) makes the run NO-GO and that check an error: it
    is never reported as passed, run again on each replacement worker, or left hanging."""
    checks = """
import os, pytest
from gonogo.model import Comparison, compare

@pytest.mark.check("t.pass")
@pytest.mark.parametrize("n", range(4))
def test_pass(gate, n):
    gate.judge([compare("x", 1, Comparison.EQ, 1)])

@pytest.mark.check("t.na")
def test_crash(gate):
    os._exit(13)

@pytest.mark.check("t.fail-major")
@pytest.mark.parametrize("n", range(4))
def test_after(gate, n):
    gate.judge([compare("x", 1, Comparison.EQ, 1)])
"""
    root = make_project(pytester, checks=checks)
    result = pytester.runpytest_subprocess("--env", "t", "-n", "2", "--dist", dist, timeout=120)
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 1, output
    assert "INTERNALERROR" not in output
    assert output.count("replacing crashed worker") == 1  # reported once, not re-run
    doc = evidence(root)
    assert doc["verdict"] == "NO-GO"
    assert any("crashed" in r for r in doc["reasons"])
    crashed = next(c for c in doc["checks"] if c["id"] == "t.na")
    assert crashed["outcome"] == "error" and crashed["error_reason"] == "bug"
    assert "worker crashed" in crashed["message"]
    assert [c["outcome"] for c in doc["checks"] if c["id"] != "t.na"] == ["passed"] * 8


def test_no_checks_selected_is_no_go(pytester: pytest.Pytester) -> None:
    """Deselecting every check (-m nothing) gives NO-GO, not an empty GO."""
    root = make_project(pytester)
    result = pytester.runpytest("--env", "t", "-m", "monitoring")
    assert result.ret == 1
    assert evidence(root)["verdict"] == "NO-GO"


def test_unknown_check_id_is_config_error(pytester: pytest.Pytester) -> None:
    """A gate test naming a check id missing from the catalogue stops the run with exit 4."""
    make_project(
        pytester,
        checks='import pytest\n@pytest.mark.check("t.nope")\ndef test_x(gate):\n    pass\n',
    )
    result = pytester.runpytest("--env", "t")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: *unknown check id 't.nope'*"])


def test_catalogue_option_prints_checks(pytester: pytest.Pytester) -> None:
    """pytest --gonogo-catalogue lists every check id with its severity and exits 0."""
    make_project(pytester)
    result = pytester.runpytest("--gonogo-catalogue")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["t.fail-major*major*fails, major", "*5 checks*"])


def test_evidence_json_is_valid_json_with_reasons(pytester: pytest.Pytester) -> None:
    """Every reason is one line and the document parses as JSON."""
    root = make_project(pytester)
    pytester.runpytest("--env", "t")
    text = (latest(root) / "evidence.json").read_text()
    doc = json.loads(text)
    assert all("\n" not in r for r in doc["reasons"])


UNVERIFIED_CHECKS = """
import pytest
from gonogo.model import ErrorReason, Finding, info

@pytest.mark.check("t.pass")
def test_pass(gate):
    gate.judge([info("seen", "page fetched")])

@pytest.mark.check("t.fail-major")
def test_unverified(gate):
    gate.judge([
        info("probed", "4 requests answered [404]", measured=[404]),
        Finding("verified", False, "no error page could be provoked", unverified=ErrorReason.CONFIG),
    ])

@pytest.mark.check("t.na")
def test_failure_wins(gate):
    gate.judge([
        Finding("served", False, "/.env served"),
        Finding("verified", False, "could not tell", unverified=ErrorReason.CONFIG),
    ])
"""


def test_unverified_finding_is_an_error_with_its_evidence(pytester: pytest.Pytester) -> None:
    """A rule that could not conclude makes its check an error (reason kept, evidence kept);
    a plain failure beside an unverified finding still fails the check."""
    root = make_project(pytester, checks=UNVERIFIED_CHECKS)
    result = pytester.runpytest("--env", "t")
    checks = {c["id"]: c for c in evidence(root)["checks"]}
    unverified = checks["t.fail-major"]
    assert (unverified["outcome"], unverified["error_reason"]) == ("error", "config")
    assert [f["name"] for f in unverified["evidence"]] == ["probed", "verified"]
    assert unverified["evidence"][1]["unverified"] == "config"
    assert checks["t.na"]["outcome"] == "failed"
    assert result.ret == 1  # t.na is a blocker that failed
