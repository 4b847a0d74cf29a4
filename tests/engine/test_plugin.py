"""The plugin end to end through pytester: outcomes, artefacts, xdist, interruption, crashes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from engine.project import CHECKS, evidence, latest, make_project, stable
from gonogo.engine.evidence import Evidence
from gonogo.model import Comparison

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
            "CONDITIONAL (t): 1 major not passed: t.fail-major; 1 minor not passed: t.error "
            "-> *report.html"
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


@pytest.mark.parametrize("dist", ["load", "loadscope", "loadfile", "loadgroup"])
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


DIST_PROBE = """
from pathlib import Path

def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):
        Path("dist.txt").write_text(getattr(session.config.option, "dist", "none"))
"""


def test_xdist_defaults_to_loadgroup_and_is_optional(pytester: pytest.Pytester) -> None:
    """-n without --dist distributes by xdist_group (set by the plugin, not addopts), and a run
    without xdist (-p no:xdist) needs no --dist at all."""
    root = make_project(pytester, extra_files={"conftest.py": DIST_PROBE})
    assert pytester.runpytest_subprocess("--env", "t", "-n", "2").ret == 0
    assert (root / "dist.txt").read_text() == "loadgroup"
    assert pytester.runpytest_subprocess("--env", "t", "--dist", "load", "-n", "2").ret == 0
    assert (root / "dist.txt").read_text() == "load"
    result = pytester.runpytest_subprocess("--env", "t", "-p", "no:xdist")
    assert result.ret == 0, result.stderr.str()


@pytest.mark.parametrize("dist", ["each", "worksteal"])
def test_unsupported_dist_mode_is_config_error(pytester: pytest.Pytester, dist: str) -> None:
    """A --dist mode that may run a check twice or lose a crash is refused: exit 4, one line."""
    make_project(pytester)
    result = pytester.runpytest_subprocess("--env", "t", "-n", "2", "--dist", dist)
    assert result.ret == 4
    errors = [x for x in result.stderr.lines if x.strip()]
    assert len(errors) == 1 and f"--dist {dist} is not supported" in errors[0], errors


def test_no_checks_selected_is_no_go(pytester: pytest.Pytester) -> None:
    """Deselecting every check (-m nothing) gives NO-GO, not an empty GO."""
    root = make_project(pytester)
    result = pytester.runpytest("--env", "t", "-m", "monitoring")
    assert result.ret == 1
    assert evidence(root)["verdict"] == "NO-GO"


BAD_IDENTITIES = {
    "unknown-id": (
        'import pytest\n@pytest.mark.check("t.nope")\ndef test_x(gate):\n    pass\n',
        "*unknown check id 't.nope'*",
    ),
    "duplicate-id": (
        'import pytest\n@pytest.mark.check("t.pass")\ndef test_one(gate):\n    pass\n'
        '@pytest.mark.check("t.pass")\ndef test_two(gate):\n    pass\n',
        "*check id 't.pass' is declared by two gate tests*",
    ),
    "no-check-marker": (
        "def test_unmarked():\n    pass\n",
        "*test_unmarked: a gate test needs @pytest.mark.check*",
    ),
}


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
@pytest.mark.parametrize("case", list(BAD_IDENTITIES))
def test_bad_check_identity_is_one_config_error_line(
    pytester: pytest.Pytester, case: str, workers: list[str]
) -> None:
    """A typo'd or duplicated check id, or a gate test without @check, stops the run before it
    starts (before xdist's workers): exit 4, one line, no report, `latest` left alone."""
    root = make_project(pytester)
    assert pytester.runpytest_subprocess("--env", "t").ret == 0
    before = latest(root)
    checks, line = BAD_IDENTITIES[case]
    (root / "checks" / "test_bad.py").write_text(checks)
    result = pytester.runpytest_subprocess("--env", "t", *workers)
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 4, output
    assert [x for x in result.stderr.lines if x.strip()] == [
        next(x for x in result.stderr.lines if x.startswith("ERROR: "))
    ]
    result.stderr.fnmatch_lines([f"ERROR: {line}"])
    assert "INTERNALERROR" not in output and "test session starts" not in output
    assert "NO-GO" not in output and "workers" not in output
    assert latest(root) == before
    assert sorted(p.name for p in (root / "reports" / "t").iterdir()) == sorted(
        ["latest", before.name, "history.jsonl"]  # the history has the first run only
    )
    assert len((root / "reports" / "t" / "history.jsonl").read_text().splitlines()) == 1


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


NOT_PASSING = """
import pytest
from gonogo.gate import CheckFailed
from gonogo.model import Comparison, compare

@pytest.mark.check("t.pass")
def test_swallows_the_judgement(gate):
    try:
        gate.judge([compare("days_left", 5, Comparison.GE, 30, unit="days")])
    except CheckFailed:
        pass

@pytest.mark.check("t.na")
def test_never_judges(gate):
    gate.target("db.example:5432")

@pytest.mark.check("t.fail-major")
def test_measure_compares(evidence):
    evidence.measure("days_left", 5, threshold=30, comparison=Comparison.GE, unit="days")

@pytest.mark.check("t.intrusive")
def test_measure_not_ok(evidence):
    evidence.measure("replicas", 0, ok=False)

@pytest.mark.check("t.error")
def test_measure_within_threshold(evidence):
    evidence.measure("days_left", 41, threshold=30, comparison=Comparison.GE, unit="days")
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_check_passes_only_on_evidence_all_ok(
    pytester: pytest.Pytester, workers: list[str]
) -> None:
    """A test that returns normally passes only with at least one finding, all of them ok: a
    caught judgement, a test that never judged, a measured value outside its threshold and
    measure(ok=False) are failures or errors, in evidence.json and in pytest's own report."""
    root = make_project(pytester, checks=NOT_PASSING)
    result = pytester.runpytest("--env", "t", "-rA", *workers)
    assert result.ret == 1
    doc = evidence(root)
    assert doc["verdict"] == "NO-GO"
    checks = {c["id"]: c for c in doc["checks"]}
    swallowed = checks["t.pass"]
    assert swallowed["outcome"] == "failed"
    assert swallowed["evidence"][0]["ok"] is False
    assert "days left = 5 days (required >= 30 days)" in swallowed["message"]
    silent = checks["t.na"]
    assert (silent["outcome"], silent["error_reason"]) == ("error", "bug")
    assert "recorded no evidence" in silent["message"]
    measured = checks["t.fail-major"]
    assert measured["outcome"] == "failed"
    assert measured["evidence"][0]["ok"] is False
    assert measured["evidence"][0]["comparison"] == ">="
    assert checks["t.intrusive"]["outcome"] == "failed"
    assert checks["t.error"]["outcome"] == "passed"
    assert checks["t.error"]["evidence"][0]["ok"] is True
    for name in ("test_swallows_the_judgement", "test_never_judges", "test_measure_not_ok"):
        result.stdout.fnmatch_lines([f"FAILED *{name}*"])


@pytest.mark.parametrize(
    ("kwargs", "ok"),
    [
        ({"threshold": 30, "comparison": Comparison.GE}, False),
        ({"threshold": 3, "comparison": Comparison.GE}, True),
        ({"threshold": 3, "comparison": Comparison.GE, "ok": False}, False),
        ({"threshold": 30, "comparison": Comparison.GE, "ok": True}, False),
        ({}, True),
        ({"ok": False}, False),
    ],
    ids=["below", "above", "above-but-not-ok", "ok-cannot-override", "info", "info-not-ok"],
)
def test_measure_computes_ok_from_the_comparison(kwargs: dict[str, Any], ok: bool) -> None:
    """evidence.measure judges value <comparison> threshold; ok=False can only make it worse."""
    finding = Evidence().measure("days_left", 5, **kwargs)
    assert finding.ok is ok


FAILING_NOTIFIER = """
from pathlib import Path

def pytest_gonogo_verdict(verdict, config):
    raise RuntimeError("chat webhook answered 502")
"""

SECOND_NOTIFIER = """
from pathlib import Path

def pytest_gonogo_verdict(verdict, reasons, report_dir):
    Path("notified.txt").write_text(verdict)
"""


def test_failing_verdict_hook_is_named_and_the_verdict_stands(pytester: pytest.Pytester) -> None:
    """A team's pytest_gonogo_verdict that raises gets one warning line naming its plugin; the
    other implementations still run and the exit code is the verdict's (and evidence.json's)."""
    root = make_project(
        pytester,
        extra_files={"conftest.py": FAILING_NOTIFIER, "checks/conftest.py": SECOND_NOTIFIER},
    )
    result = pytester.runpytest_subprocess("--env", "t")
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 0 and evidence(root)["exit_code"] == 0, output
    assert "Traceback" not in output
    warnings = [x for x in result.stderr.lines if "pytest_gonogo_verdict" in x]
    assert len(warnings) == 1, warnings
    assert "conftest.py failed (RuntimeError: chat webhook answered 502)" in warnings[0]
    assert (root / "notified.txt").read_text() == "CONDITIONAL"
    assert result.stdout.lines[-1].startswith("CONDITIONAL (t):")


ORDER_CATALOGUE = """
["a.ok"]
title = "passes"
severity = "blocker"
markers = ["predeploy"]

["z.bad"]
title = "fails"
severity = "blocker"
markers = ["predeploy"]
"""

ORDER_CHECKS = """
import pytest
from gonogo.model import Finding, info

@pytest.mark.check("a.ok")
def test_ok(gate):
    gate.judge([info("seen", "fine")])

@pytest.mark.check("z.bad")
def test_bad(gate):
    gate.judge([Finding("broken", False, "broken")])
"""


def test_report_lists_unverified_blockers_before_passed_ones(pytester: pytest.Pytester) -> None:
    """In report.html's checks table a failed blocker comes before the blockers that passed."""
    root = make_project(pytester, catalogue=ORDER_CATALOGUE, checks=ORDER_CHECKS)
    pytester.runpytest("--env", "t")
    page = (latest(root) / "report.html").read_text()
    table = page[page.index("Needs attention") :]
    assert table.index("<code>z.bad</code>") < table.index("<code>a.ok</code>")
