"""reports/<env>/history.jsonl: one line per committed run, the trend and new failures since GO."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from engine.project import CHECKS, evidence, latest, make_project
from gonogo.redact import Redactor
from gonogo.report import history, trend

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _line(run: str, verdict: str, not_passed: list[str], **figures: Any) -> dict[str, Any]:
    return {
        "schema": history.SCHEMA,
        "run_id": run,
        "started_at": "2026-12-01T10:00:00+00:00",
        "release": "1.0",
        "verdict": verdict,
        "exit_code": 0,
        "interrupted": False,
        "counts": {},
        "not_passed": not_passed,
        "figures": figures,
        "plan": None,
    }


def _document(checks: list[dict[str, Any]], plan: Any = None, exit_code: int = 0) -> dict[str, Any]:
    meta = {"run_id": "r", "started_at": "s", "release": None, "verdict": "GO"}
    return {**meta, "exit_code": exit_code, "checks": checks, "plan": plan}


def _check(cid: str, outcome: str, *findings: tuple[str, Any]) -> dict[str, Any]:
    return {
        "id": cid,
        "outcome": outcome,
        "evidence": [{"name": n, "measured": m} for n, m in findings],
    }


def test_entry_takes_the_headline_numbers() -> None:
    """Cert days left, p95 of a load check, restore seconds, grade and plan coverage are kept."""
    checks = [
        _check("tls.cert-expiry", "passed", ("not_after", "2027-03-05"), ("days_left", 89)),
        _check("load.latency", "failed", ("checkout.p95_ms", 900.0), ("p95_ms", 212.5)),
        _check("backup.restore", "passed", ("seconds", 3.3)),
        _check("headers.grade", "passed", ("grade", "A+")),
    ]
    line = history.entry(_document(checks, plan={"name": "p", "overall": {"ratio": 0.25}}))
    assert line["figures"] == {
        "cert_days_left": 89,
        "p95_ms": 212.5,
        "restore_s": 3.3,
        "grade": "A+",
        "plan_coverage": 0.25,
    }
    assert line["not_passed"] == ["load.latency"] and line["plan"] == "p"
    assert not line["interrupted"] and history.entry(_document([], exit_code=2))["interrupted"]


NEW_FAILURE_CASES = [
    ("no-go-yet", [_line("a", "NO-GO", ["x"])], ["x"], None),
    ("same-as-last-go", [_line("a", "GO", ["m"])], ["m"], []),
    ("new-since-go", [_line("a", "GO", []), _line("b", "NO-GO", ["x"])], ["x", "y"], ["x", "y"]),
    ("last-go-counts", [_line("a", "GO", ["x"]), _line("b", "GO", [])], ["x"], ["x"]),
]


@pytest.mark.parametrize(
    ("previous", "now", "new"),
    [c[1:] for c in NEW_FAILURE_CASES],
    ids=[c[0] for c in NEW_FAILURE_CASES],
)
def test_new_failures_since_the_last_go(
    previous: list[dict[str, Any]], now: list[str], new: list[str] | None
) -> None:
    """New failures are the checks not passed now that the last GO run passed."""
    assert history.new_failures(previous, _line("c", "NO-GO", now)) == new


def test_load_skips_what_is_not_a_line(tmp_path: Path) -> None:
    """A line cut short, another schema or wrong types are skipped; the rest is kept in order."""
    path = tmp_path / history.NAME
    good = [_line("a", "GO", []), _line("b", "NO-GO", ["x"])]
    broken = {**_line("z", "GO", []), "not_passed": "x"}
    text = json.dumps(good[0]) + "\n" + json.dumps(broken) + '\n{"schema": 1}\n'
    path.write_text(text + json.dumps(good[1]) + "\n" + json.dumps(good[1])[:30])
    assert [line["run_id"] for line in history.load(path)] == ["a", "b"]
    assert history.load(tmp_path / "absent.jsonl") == []


def test_load_and_append_never_block_on_a_fifo(tmp_path: Path) -> None:
    """A FIFO in the history's place reads as no history and refuses the append (no hang)."""
    path = tmp_path / history.NAME
    os.mkfifo(path)
    assert history.load(path) == []
    with pytest.raises(OSError):
        history.append(path, _line("a", "GO", []), Redactor())


def test_append_redacts(tmp_path: Path) -> None:
    """A secret value in a line is masked on its way to the file."""
    path = tmp_path / history.NAME
    history.append(
        path, {**_line("a", "GO", []), "release": "s3cr3t-value"}, Redactor(["s3cr3t-value"])
    )
    assert "s3cr3t-value" not in path.read_text() and len(history.load(path)) == 1


def test_trend_renders_numbers_and_sparklines() -> None:
    """The trend table shows each run's figures and an inline SVG per number; no script."""
    previous = [_line("a", "GO", [], restore_s=3.1), _line("b", "GO", [], restore_s=2.9)]
    page = trend.html_section(previous, _line("c", "NO-GO", ["x"], restore_s=3.4))
    assert "<svg" in page and "<polyline" in page and "<script" not in page
    assert "New failures since the last GO (run b, release 1.0): x." in page
    assert "3.4" in page and "(this run)" in page


def test_runs_append_and_the_report_flags_new_failures(pytester: pytest.Pytester) -> None:
    """Each run adds a line; after a GO run, a check that fails is flagged as new in the reports."""
    passing = CHECKS.split('@pytest.mark.check("t.fail-major")')[0]
    root = make_project(
        pytester,
        checks=passing,
        catalogue='["t.pass"]\ntitle = "passes"\nseverity = "blocker"\nmarkers = ["predeploy"]\n',
    )
    assert pytester.runpytest("--env", "t").ret == 0
    assert evidence(root)["verdict"] == "GO"
    failing = passing.replace("Comparison.GE, 30", "Comparison.GE, 60")  # 41 days < 60
    (root / "checks" / "test_t.py").write_text(failing)
    assert pytester.runpytest("--env", "t").ret == 1
    lines = history.load(root / "reports" / "t" / history.NAME)
    assert [line["verdict"] for line in lines] == ["GO", "NO-GO"]
    assert lines[1]["run_id"] == evidence(root)["run_id"]
    expected = "New failures since the last GO (run " + lines[0]["run_id"]
    assert expected in (latest(root) / "report.html").read_text()
    assert expected in (latest(root) / "summary.md").read_text()


def test_interrupted_run_is_recorded_as_interrupted(pytester: pytest.Pytester) -> None:
    """An interrupted run has a report (NO-GO, exit 2), so it is in the history, marked so."""
    checks = CHECKS.replace('gate.require("redis")', "raise KeyboardInterrupt")
    root = make_project(pytester, checks=checks)
    assert pytester.runpytest_subprocess("--env", "t").ret == 2
    (line,) = history.load(root / "reports" / "t" / history.NAME)
    assert line["verdict"] == "NO-GO" and line["interrupted"] is True
    assert line["run_id"] == evidence(root)["run_id"]


def test_configuration_error_leaves_no_line(pytester: pytest.Pytester) -> None:
    """A run that wrote no report (exit 4) adds nothing to the history."""
    root = make_project(pytester, env='relase = "typo"\n')
    assert pytester.runpytest_subprocess("--env", "t").ret == 4
    assert not (root / "reports" / "t" / history.NAME).exists()
