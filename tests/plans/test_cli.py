"""``gonogo plan import|show|suggest`` and ``gonogo attest`` as a user runs them (subprocess)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "plans" / "sources"


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A throwaway suite: the real catalogue, a demo environment, no plans yet."""
    root = tmp_path / "suite"
    shutil.copytree(ROOT / "catalogue", root / "catalogue")
    (root / "environments").mkdir()
    (root / "environments" / "staging.toml").write_text('description = "staging"\n')
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    return root


def gonogo(suite: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gonogo.cli", "--suite", str(suite), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=suite,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )


def test_import_show_and_reimport(suite: Path) -> None:
    """Import writes plans/<name>.toml with every item and prints the counts; show lists them;
    a second import keeps the file and says nothing changed."""
    done = gonogo(suite, "plan", "import", str(SOURCES / "alaska-pay.md"), "--name", "alaska-pay")
    assert done.returncode == 0, done.stderr
    assert "plans/alaska-pay.toml: 100 items (82 checkbox, 18 step)" in done.stdout
    data = tomllib.loads((suite / "plans" / "alaska-pay.toml").read_text())
    assert len(data["items"]) == 100
    assert {i["review"] for i in data["items"]} == {"suggested"}
    shown = gonogo(suite, "plan", "show")
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[0].split() == ["plan", "items", "automated", "manual", "not-applicable", "group", "unreviewed"]
    assert shown.stdout.splitlines()[1].split() == ["alaska-pay", "100", "0", "0", "0", "0", "100"]
    before = (suite / "plans" / "alaska-pay.toml").read_text()
    again = gonogo(suite, "plan", "import", str(SOURCES / "alaska-pay.md"), "--name", "alaska-pay")
    assert "re-import: 100 unchanged, 0 added, 0 removed" in again.stdout
    assert (suite / "plans" / "alaska-pay.toml").read_text() == before


def test_name_defaults_to_the_title_and_items_are_listed(suite: Path) -> None:
    """Without --name the plan is named from its title; show --items lists every reference."""
    done = gonogo(suite, "plan", "import", str(SOURCES / "biddt.md"))
    assert done.returncode == 0, done.stderr
    assert (suite / "plans" / "biddt-deployment-plan.toml").is_file()
    listed = gonogo(suite, "plan", "show", "biddt-deployment-plan", "--items")
    assert "biddt-deployment-plan:security-team-tasks/final-security-audit  [manual blocker, predeploy (suggested)]  Final security audit" in listed.stdout


def test_attest_writes_and_refuses(suite: Path) -> None:
    """attest appends a valid attestation; unknown ids, automated items and bad links are refused."""
    shutil.copytree(ROOT / "plans", suite / "plans", ignore=shutil.ignore_patterns("sources"))
    ok = gonogo(
        suite, "attest", "alaska-pay:stakeholder-review/security-team-approval",
        "--by", "Ann Lee", "--note", "CAB approved", "--env", "staging",
        "--evidence", "https://tickets.example.com/CHG-1", "--until", "2099-01-01",
    )
    assert ok.returncode == 4, ok.stdout  # more than a year ahead
    ok = gonogo(
        suite, "attest", "stakeholder-review/security-team-approval",
        "--by", "Ann Lee", "--note", "CAB approved", "--env", "staging",
        "--evidence", "https://tickets.example.com/CHG-1",
    )
    assert ok.returncode == 0, ok.stderr
    assert "alaska-pay:stakeholder-review/security-team-approval attested by Ann Lee, counts until" in ok.stdout
    [entry] = tomllib.loads((suite / "attestations" / "staging.toml").read_text())["attestations"]
    assert (entry["by"], entry["valid_days"], entry["evidence"]) == ("Ann Lee", 30, "https://tickets.example.com/CHG-1")
    refusals = {
        "unknown-item": (["alaska-pay:nope/none"], "alaska-pay:nope/none: unknown item id in plan alaska-pay"),
        "unknown-plan": (["other:nope/none"], "no plan 'other'"),
        "automated-item": (["swipesavvy:validation/health-checks-passing"], "is verified by checks (smoke.health); an attestation would not count"),
        "not-applicable-item": (["alaska-pay:action-items/action-1"], "is not applicable"),
        "group": (["swipesavvy:pre-deployment-dec-30/code-build"], "is a group: attest the items under it"),
        "unknown-env": (["alaska-pay:stakeholder-review/security-team-approval", "--env", "prod"], "--env prod: no file"),
        "link-with-password": (["alaska-pay:stakeholder-review/security-team-approval", "--evidence", "https://a:b@x.example/1"], "without spaces or user:password@"),
    }
    for name, (extra, message) in refusals.items():
        args = ["attest", *extra[:1], "--by", "Ann", "--note", "n", "--env", "staging", *extra[1:]]
        done = gonogo(suite, *args)
        assert done.returncode == 4, name
        assert message in done.stderr, (name, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, name
    assert len(tomllib.loads((suite / "attestations" / "staging.toml").read_text())["attestations"]) == 1


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    (tmp / "dir.md").mkdir()
    os.mkfifo(tmp / "fifo.md")
    (tmp / "huge.md").write_bytes(b"- [ ] x\n" * 300_000)
    (tmp / "binary.md").write_bytes(b"- [ ] x\n\x00\x01\x02")
    (tmp / "latin1.md").write_bytes("- [ ] Sécurité\n".encode("latin-1"))
    (tmp / "empty.md").write_text("# Just prose\n\nNo checklist here.\n")
    (tmp / "endless.md").write_text("## Tasks\n" + "- [ ] task\n" * 5001)
    return {
        "directory": (tmp / "dir.md", "cannot read a directory"),
        "fifo": (tmp / "fifo.md", "cannot read a FIFO"),
        "huge": (tmp / "huge.md", "larger than 2048 KiB"),
        "binary": (tmp / "binary.md", "binary data (a NUL byte)"),
        "not-utf8": (tmp / "latin1.md", "not UTF-8 text"),
        "no-items": (tmp / "empty.md", "no checklist items"),
        "too-many-items": (tmp / "endless.md", "5001 items, more than 5000"),
        "missing": (tmp / "missing.md", "cannot read (No such file or directory)"),
    }


def test_bad_plan_files_are_one_line_and_exit_4(suite: Path, tmp_path: Path) -> None:
    """A plan that is not a regular, small, UTF-8 text file with items: one line naming it, exit 4."""
    for name, (path, message) in _bad_inputs(tmp_path).items():
        done = gonogo(suite, "plan", "import", str(path), "--name", "x")
        assert done.returncode == 4, name
        assert done.stderr.count("\n") == 1 and str(path) in done.stderr and message in done.stderr, (name, done.stderr)
    assert not (suite / "plans").exists()


def test_unwritable_places_are_one_line_and_exit_4(suite: Path) -> None:
    """plans/ or attestations/ that is a file: the write is refused with one line, exit 4."""
    (suite / "plans").write_text("not a directory")
    done = gonogo(suite, "plan", "import", str(SOURCES / "biddt.md"), "--name", "biddt")
    assert done.returncode == 4 and "cannot write" in done.stderr and done.stderr.count("\n") == 1
    (suite / "plans").unlink()
    assert gonogo(suite, "plan", "import", str(SOURCES / "biddt.md"), "--name", "biddt").returncode == 0
    (suite / "attestations").write_text("not a directory")
    done = gonogo(suite, "attest", "biddt:penetration-testing", "--by", "A", "--note", "n", "--env", "staging")
    assert done.returncode == 4, done.stderr
    assert "unknown item id" in done.stderr
    done = gonogo(suite, "attest", "biddt:security-team-tasks/penetration-testing", "--by", "A", "--note", "n", "--env", "staging")
    assert done.returncode == 4 and "attestations" in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_malformed_plans_toml_is_one_line_and_exit_4(suite: Path) -> None:
    """A broken plans/*.toml stops show, suggest, import and attest with one line naming it."""
    (suite / "plans").mkdir()
    (suite / "plans" / "alaska-pay.toml").write_text("[plan]\nname = 'alaska-pay'\n")
    for args in (
        ["plan", "show"],
        ["plan", "suggest"],
        ["plan", "import", str(SOURCES / "alaska-pay.md"), "--name", "alaska-pay"],
        ["attest", "alaska-pay:x/y", "--by", "A", "--note", "n", "--env", "staging"],
    ):
        done = gonogo(suite, *args)
        assert done.returncode == 4, args
        assert "plans/alaska-pay.toml: plan.title: Field required" in done.stderr, (args, done.stderr)
        assert done.stderr.count("\n") == 1


def test_unknown_check_in_a_plan_is_named(suite: Path) -> None:
    """A mapping naming a check the catalogue lacks is an error naming the item and the id."""
    shutil.copytree(ROOT / "plans", suite / "plans", ignore=shutil.ignore_patterns("sources"))
    path = suite / "plans" / "swipesavvy.toml"
    path.write_text(path.read_text().replace('checks = ["smoke.health"]', 'checks = ["smoke.healthz"]', 1))
    done = gonogo(suite, "plan", "show")
    assert done.returncode == 4
    assert "swipesavvy:deployment/services-started: unknown check id 'smoke.healthz'" in done.stderr


def test_suggest_lists_new_candidates(suite: Path) -> None:
    """suggest names items a check's phrases match but that are not mapped to it yet."""
    shutil.copytree(ROOT / "plans", suite / "plans", ignore=shutil.ignore_patterns("sources"))
    assert gonogo(suite, "plan", "suggest").stdout.strip() == "0 items to review (edit plans/<name>.toml, docs/plans.md)"
    catalogue = suite / "catalogue" / "smoke.toml"
    catalogue.write_text(catalogue.read_text().replace('phrases = [', 'phrases = [\n  "homepage loads",', 1))
    done = gonogo(suite, "plan", "suggest", "alaska-pay")
    assert "alaska-pay:smoke-tests-first-15-minutes/homepage-loads  [e2e.page]  Homepage loads" in done.stdout
    assert "1 item to review" in done.stdout
