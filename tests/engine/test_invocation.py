"""How the gate is invoked: the suite root, information-only runs, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.project import evidence, latest, make_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STRAY = "def test_not_a_gate_test():\n    pass\n"  # outside testpaths: collected only if the ini is lost


def test_env_file_outside_the_suite(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """--env-file PATH (two words) with PATH outside the suite keeps the suite's ini file: its
    catalogue, testpaths and reports directory, not a rootdir guessed from PATH."""
    root = make_project(pytester, extra_files={"test_stray.py": STRAY})
    outside = tmp_path_factory.mktemp("elsewhere") / "staging.toml"
    outside.write_text('release = "1"\n')
    result = pytester.runpytest("--env-file", str(outside))
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert (root / "reports" / "staging" / "latest" / "evidence.json").is_file()
    assert not (outside.parent / "reports").exists()
    result.stdout.fnmatch_lines([f"rootdir: {root}", "configfile: pytest.ini"])


def test_option_value_that_is_a_directory(pytester: pytest.Pytester) -> None:
    """--gonogo-reports DIR (two words) naming an existing directory is not taken for tests."""
    root = make_project(pytester, extra_files={"test_stray.py": STRAY})
    reports = pytester.mkdir("elsewhere-reports")
    result = pytester.runpytest("--env", "t", "--gonogo-reports", str(reports))
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert (reports / "t" / "latest" / "evidence.json").is_file()
    assert not (root / "reports").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], "*gonogo release gate*"),
        (["--markers"], "@pytest.mark.predeploy: stage: before the release*"),
        (["--fixtures"], "gate -- *"),
        (["--version"], "pytest *"),
        (["--collect-only", "-q"], "checks/test_t.py::test_pass"),
        (["--collect-only", "-q", "-m", "smoke"], "checks/test_t.py::test_error"),
    ],
    ids=["help", "markers", "fixtures", "version", "collect-only", "collect-only-m"],
)
def test_information_runs_need_no_environment(
    pytester: pytest.Pytester, args: list[str], expected: str
) -> None:
    """--help, --markers, --fixtures, --version and --collect-only work without --env, and
    --collect-only selects on the catalogue's stage markers."""
    root = make_project(pytester)
    result = pytester.runpytest_subprocess(*args)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines([expected])
    if args[-1] == "smoke":
        assert "test_pass" not in result.stdout.str()
    assert not (root / "reports").exists()


def test_collect_only_with_environment_writes_no_report(pytester: pytest.Pytester) -> None:
    """Listing the checks of an environment checks nothing: no report, no verdict."""
    root = make_project(pytester)
    result = pytester.runpytest_subprocess("--env", "t", "--collect-only", "-q")
    assert result.ret == 0
    assert not (root / "reports").exists()


SLOW_CHECK = """
import os, time, pytest
from pathlib import Path

@pytest.fixture
def scratch():
    yield
    Path(os.environ["GONOGO_TEST_MARKS"], "fixture-teardown").write_text("ran")

@pytest.mark.check("t.pass")
def test_slow(gate, scratch):
    Path(os.environ["GONOGO_TEST_MARKS"], "started").write_text("yes")
    try:
        time.sleep(60)
    finally:
        Path(os.environ["GONOGO_TEST_MARKS"], "finally").write_text("ran")
"""


def test_sigterm_runs_cleanups_and_reports_interrupted(pytester: pytest.Pytester) -> None:
    """SIGTERM (a CI cancel) ends the run like Ctrl-C: finally blocks and fixture teardowns run,
    the report says NO-GO (interrupted) and the exit code is 2."""
    root = make_project(pytester, checks=SLOW_CHECK)
    marks = pytester.mkdir("marks")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "--env", "t", "-p", "no:cacheprovider"],
        cwd=root,
        env={**os.environ, "GONOGO_TEST_MARKS": str(marks)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not (marks / "started").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the check never started"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=60)[0].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2, output
    assert (marks / "finally").read_text() == "ran"
    assert (marks / "fixture-teardown").read_text() == "ran"
    doc = evidence(root)
    assert doc["verdict"] == "NO-GO" and doc["exit_code"] == 2
    assert any("interrupted" in r for r in doc["reasons"])
    assert json.dumps(doc)  # the report was written completely


def test_gonogo_gate_passes_pytest_options(pytester: pytest.Pytester) -> None:
    """`gonogo gate --env NAME ...` hands every argument to pytest (no 'unrecognized arguments')."""
    root = make_project(pytester)
    proc = subprocess.run(
        [sys.executable, "-m", "gonogo.cli", "gate", "--env", "t", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (Path(root) / "reports" / "t" / "latest" / "evidence.json").is_file()


SMOKE = """
import pytest
from gonogo.model import info

@pytest.mark.check("t.smoke")
def test_smoke(gate):
    gate.judge([info("up", "answered")])
"""


@pytest.mark.parametrize("where", ["checks", "smoke"])
def test_run_from_a_subdirectory_collects_every_testpath(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """`cd checks && pytest --env t` checks the whole suite (every configured testpath), as
    from the root: a subdirectory never silently drops the other stages' checks."""
    smoke_entry = '["t.smoke"]\ntitle = "answers"\nseverity = "blocker"\nmarkers = ["smoke"]\n'
    root = make_project(
        pytester, extra_files={"smoke/test_s.py": SMOKE, "catalogue/s.toml": smoke_entry}
    )
    (root / "pytest.ini").write_text(
        "[pytest]\ngonogo_catalogue = catalogue\ntestpaths = checks smoke\n"
    )
    monkeypatch.chdir(root / where)
    result = pytester.runpytest_subprocess("--env", "t", "-m", "smoke")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    ids = sorted(c["nodeid"] for c in evidence(root)["checks"])
    assert ids == ["checks/test_t.py::test_error", "smoke/test_s.py::test_smoke"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--release", ""), "--release is empty; pass a version or omit the option"),
        (("--release", "  "), "--release is empty; pass a version or omit the option"),
        (("--env-file", "environments/t.toml"), "--env and --env-file both name an environment"),
        (("--gonogo-reports", "afile"), "--gonogo-reports afile: not a directory"),
        (("--gonogo-reports", "/proc/nope"), "--gonogo-reports /proc/nope: cannot write there"),
    ],
    ids=["empty-release", "blank-release", "env-and-env-file", "reports-is-a-file", "unwritable"],
)
def test_unusable_options_are_one_config_error(
    pytester: pytest.Pytester, args: tuple[str, ...], line: str
) -> None:
    """An empty --release, two environments, or a reports directory that is a file or cannot be
    written: exit 4 with one line before anything runs, and no report."""
    root = make_project(pytester, extra_files={"afile": ""})
    result = pytester.runpytest_subprocess("--env", "t", *args)
    assert result.ret == 4, result.stdout.str() + result.stderr.str()
    errors = [x for x in result.stderr.lines if x.strip()]
    assert len(errors) == 1 and line in errors[0], errors
    assert not (root / "reports").exists()


def test_user_html_path_is_honoured_and_copied(pytester: pytest.Pytester) -> None:
    """With the user's own --html PATH, report.html is still written in the run directory (and
    listed in the manifest); PATH gets the same page."""
    root = make_project(pytester)
    own = root / "mine" / "x.html"
    result = pytester.runpytest_subprocess("--env", "t", f"--html={own}")
    assert result.ret == 0
    run = latest(root)
    page = (run / "report.html").read_text()
    assert "<!-- gonogo:verdict -->" in page and own.read_text() == page
    assert "report.html" in (run / "manifest.sha256").read_text()
    assert result.stdout.lines[-1].endswith(f"{run.relative_to(root)}/report.html")
