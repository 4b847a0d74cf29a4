"""Finding the suite from outside it: the gonogo command finds it (or is told with --suite);
pytest, which cannot change its ini file once started, says exactly what to type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gonogo import suite
from gonogo.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]  # this suite, installed editable in the test venv


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_checks_and_validate_from_outside_the_repo(tmp_path: Path) -> None:
    """`gonogo checks` and `gonogo validate --env demo` work from a directory outside the repo:
    the suite is the source tree of the editable install."""
    assert not str(tmp_path).startswith(str(ROOT))
    listed = run(["-m", "gonogo.cli", "checks"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "tls.cert-expiry" in listed.stdout
    validated = run(["-m", "gonogo.cli", "validate", "--env", "demo"], tmp_path)
    assert validated.returncode == 0, validated.stderr
    assert f"{ROOT / 'environments' / 'demo.toml'}: ok" in validated.stdout


def test_gate_from_outside_the_repo(tmp_path: Path) -> None:
    """`gonogo gate` from outside the repo runs with the suite's configuration (its catalogue,
    testpaths and markers) and an --env-file relative to where it was started."""
    (tmp_path / "outside.toml").write_text('release = "1"\n')
    reports = tmp_path / "reports"
    result = run(
        ["-m", "gonogo.cli", "gate", "--env-file", "outside.toml", "-m", "smoke", "-p",
         "no:cacheprovider", "--gonogo-reports", str(reports)],
        tmp_path,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # nothing declared: no check verified, NO-GO
    assert f"rootdir: {ROOT}\nconfigfile: pyproject.toml" in output
    assert "NO-GO (outside)" in output
    assert (reports / "outside" / "latest" / "evidence.json").is_file()


def test_pytest_from_outside_the_repo_says_what_to_do(tmp_path: Path) -> None:
    """`pytest --env-file X` outside any suite is one line: cd to the suite or pass -c, with the
    installed suite's real paths (it used to blame a pytest.ini that does not exist)."""
    (tmp_path / "outside.toml").write_text('release = "1"\n')
    result = run(["-m", "pytest", "-p", "no:cacheprovider", "--env-file", "outside.toml"], tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, errors
    assert f"no gonogo suite in {tmp_path}" in errors[0]
    assert f"cd {ROOT}" in errors[0] and f"-c {ROOT / 'pyproject.toml'}" in errors[0]
    assert not (tmp_path / "reports").exists()


def test_suite_option(tmp_path: Path) -> None:
    """--suite PATH names the suite (before or after the command); a wrong one is one line, exit 4."""
    named = run(["-m", "gonogo.cli", "checks", "--suite", str(ROOT)], tmp_path)
    assert named.returncode == 0 and "tls.cert-expiry" in named.stdout
    wrong = run(["-m", "gonogo.cli", "--suite", str(tmp_path), "checks"], tmp_path)
    assert wrong.returncode == 4
    assert wrong.stderr.strip().splitlines() == [
        f"gonogo: error: --suite {tmp_path}: not a gonogo suite (no catalogue/ beside a pytest "
        "configuration file)"
    ]


def test_find_prefers_the_suite_around_the_working_directory(tmp_path: Path) -> None:
    """A suite at or above the working directory wins over the installed one."""
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "sub").mkdir()
    assert suite.find(tmp_path / "sub") == tmp_path
    assert suite.find(Path("/")) == suite.installed() == ROOT
    with pytest.raises(ConfigError, match="not a gonogo suite"):
        suite.find(given=tmp_path / "sub")
