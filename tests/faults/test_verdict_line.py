"""What a release manager and CI read after a real faulty run: the verdict line, the reasons in
every artefact, and junit.xml, all telling the same story."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _why(summary: str) -> list[str]:
    """The bullets of summary.md's "Why" section."""
    section = summary.split("## Why\n\n", 1)[1].split("\n\n", 1)[0]
    return [line.removeprefix("- ") for line in section.splitlines()]


def test_postgres_down_names_every_check_not_passed(demo_stack, run_gate, tmp_path: Path) -> None:
    """With PostgreSQL down, the NO-GO line names the errored blockers, majors and minor by
    severity (it used to leave the majors out); evidence.json, summary.md, report.html and the
    terminal give the same reasons; junit.xml is red for the blockers and the verdict only."""
    with demo_stack.fault("postgres-down"):
        run = run_gate("-m", "data", "checks/test_postgres.py", "checks/test_redis.py")
    assert run.exit_code == 1, run.output[-3000:]
    lines = [line for line in run.output.splitlines() if line.startswith("NO-GO (demo): ")]
    assert len(lines) == 1, run.output[-3000:]
    assert re.fullmatch(
        r"NO-GO \(demo\): 4 blockers not passed: pg\.connect, pg\.migrations, pg\.schema, "
        r"pg\.version; 4 majors not passed: pg\.app-role, pg\.archiving, pg\.capacity, "
        r"pg\.replication; 1 minor not passed: pg\.slow-query-log -> \S+/report\.html",
        lines[0],
    ), lines[0]
    reasons = run.document["reasons"]
    assert run.document["selection"]["complete"] is True
    run_dir = tmp_path / "reports" / "demo" / "latest"
    assert _why((run_dir / "summary.md").read_text()) == reasons
    page = (run_dir / "report.html").read_text()
    assert all(f"<li>{html.escape(reason)}</li>" in page for reason in reasons)
    for reason in reasons:
        assert f"- {reason}" in run.output
    junit = ET.parse(run_dir / "junit.xml").getroot()
    red = {
        case.get("name", "").split("]")[0].lstrip("[")
        for case in junit.iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    }
    assert red == {"pg.connect", "pg.migrations", "pg.schema", "pg.version", "gonogo"}
