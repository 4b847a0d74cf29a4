"""ci-templates/: the pipeline files parse, and every command and option they run exists."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "ci-templates" / "github-actions.yml"
GITLAB = ROOT / "ci-templates" / "gitlab-ci.yml"
VARIABLES = {
    "$GONOGO_ENV": "staging",
    "$GONOGO_RELEASE": "v1.2.3",
    "${CI_COMMIT_TAG:-$CI_COMMIT_SHORT_SHA}": "v1.2.3",
    "$CI_COMMIT_REF_NAME": "v1.2.3",
    "${GITHUB_REF_NAME}": "v1.2.3",
    "$GITHUB_STEP_SUMMARY": "/dev/null",
}


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def _github_lines() -> list[str]:
    jobs = _load(GITHUB)["jobs"]
    return [
        line
        for job in jobs.values()
        for step in job["steps"]
        for line in str(step.get("run", "")).splitlines()
    ]


def _gitlab_lines() -> list[str]:
    data = _load(GITLAB)
    return [
        line
        for job in data.values()
        if isinstance(job, dict)
        for key in ("before_script", "script", "after_script")
        for line in job.get(key, [])
    ]


def _commands() -> list[list[str]]:
    """Every simple command of both files, variables replaced by sample values."""
    out = []
    for line in _github_lines() + _gitlab_lines():
        for name, value in VARIABLES.items():
            line = line.replace(name, value)
        for part in line.replace(";", "&&").split("&&"):
            words = shlex.split(part)
            while words and words[0] in ("if", "then", "fi", "else"):
                words = words[1:]
            if words and words[0] != "[":
                out.append(words)
    return out


@pytest.fixture(scope="module")
def pytest_help() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_github_workflow_blocks_the_deploy_and_keeps_the_report() -> None:
    """The workflow parses; the gate job runs the predeploy gate, uploads the report and the
    JUnit file even when it fails, and the deploy job needs it."""
    data = _load(GITHUB)
    assert data[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as true
    gate, deploy = data["jobs"]["gate"], data["jobs"]["deploy"]
    assert deploy["needs"] == "gate" and data["jobs"]["smoke"]["needs"] == "deploy"
    steps = {step.get("name", step.get("uses")): step for step in gate["steps"]}
    assert "pytest -m predeploy" in steps["Pre-deploy gate"]["run"]
    for name in ("Collect the report", "Upload the report", "Publish the JUnit report"):
        assert steps[name]["if"] == "${{ !cancelled() }}", name
    assert steps["Upload the report"]["uses"].startswith("actions/upload-artifact@")
    assert steps["Publish the JUnit report"]["with"]["report_paths"] == "gonogo-report/junit.xml"


def test_gitlab_pipeline_blocks_the_deploy_and_keeps_the_report() -> None:
    """The pipeline parses; the gate job keeps the report and the JUnit file as artifacts
    whatever its result, and the deploy job needs it."""
    data = _load(GITLAB)
    gate = data["predeploy-gate"]
    assert data["stages"] == ["gate", "deploy", "smoke"]
    assert any("pytest -m predeploy" in line for line in gate["script"])
    assert gate["artifacts"]["when"] == "always"
    assert gate["artifacts"]["reports"]["junit"] == "gonogo-report/junit.xml"
    assert data["deploy"]["needs"] == ["predeploy-gate"] and data["smoke"]["needs"] == ["deploy"]


def test_pytest_options_and_markers_are_real(pytest_help: str) -> None:
    """Each option the templates give pytest is one the suite registers; -m names real stages."""
    runs = [c for c in _commands() if c[:3] == ["python", "-m", "pytest"]]
    assert len(runs) == 4
    for words in runs:
        options = [w.split("=")[0] for w in words[3:] if w.startswith("-")]
        for option in options:
            assert (
                f"{option} " in pytest_help
                or f"{option}," in pytest_help
                or f"{option}=" in pytest_help
            ), option
        rest = words[3:]
        marker = rest[rest.index("-m") + 1]
        assert marker in ("predeploy", "smoke")
        assert (
            f"{marker}:"
            in subprocess.run(
                [sys.executable, "-m", "pytest", "--markers"],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=120,
            ).stdout
        )


def test_other_commands_exist() -> None:
    """pip installs files that exist, gonogo validate takes --env, and the report files the
    templates collect are the ones a run writes."""
    commands = _commands()
    programs = {c[0] for c in commands}
    assert programs <= {"python", "gonogo", "cp", "cat", "echo"}, programs
    for words in commands:
        if words[:4] == ["python", "-m", "pip", "install"] and "-r" in words:
            assert (ROOT / words[words.index("-r") + 1]).is_file()
        if words[0] == "gonogo":
            done = subprocess.run(
                [sys.executable, "-m", "gonogo.cli", *words[1:2], "--help"],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=120,
            )
            assert all(o in done.stdout for o in words[2:] if o.startswith("--")), words
    writer = (ROOT / "src" / "gonogo" / "report" / "writer.py").read_text()  # a run's files
    assert '"junit.xml"' in writer and '"summary.md"' in writer


def test_readme_documents_the_templates() -> None:
    """The README points to both templates."""
    readme = (ROOT / "README.md").read_text()
    assert "ci-templates/github-actions.yml" in readme and "ci-templates/gitlab-ci.yml" in readme
