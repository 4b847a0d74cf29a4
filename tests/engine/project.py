"""Builders for throwaway gate projects run through pytester."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CATALOGUE = """
["t.pass"]
title = "always passes"
severity = "blocker"
markers = ["predeploy"]

["t.fail-major"]
title = "fails, major"
severity = "major"
markers = ["predeploy"]

["t.error"]
title = "cannot connect"
severity = "minor"
markers = ["smoke"]

["t.na"]
title = "component absent"
severity = "blocker"
markers = ["predeploy"]

["t.intrusive"]
title = "loads the target"
severity = "blocker"
intrusive = true
markers = ["load"]
"""

CHECKS = """
import pytest
from gonogo.model import Comparison, compare
from gonogo.errors import ProbeRefused

@pytest.mark.check("t.pass")
def test_pass(gate, evidence):
    gate.target("db.example:5432")
    evidence.attach("listing.txt", "table a: 10 rows")
    gate.judge([compare("days_left", 41, Comparison.GE, 30, unit="days")])

@pytest.mark.check("t.fail-major")
def test_fail(gate):
    gate.judge([compare("p95_ms", 2212.0, Comparison.LE, 1500.0, unit="ms")])

@pytest.mark.check("t.error")
def test_error(gate):
    raise ProbeRefused("cache.example:6379: connection refused; is Redis up?")

@pytest.mark.check("t.na")
def test_na(gate):
    gate.require("redis")

@pytest.mark.check("t.intrusive")
def test_intrusive(gate):
    gate.judge([compare("rps", 100, Comparison.GE, 50)])
"""

ENV = """
description = "test environment"
release = "1.0.0"
"""


def make_project(
    pytester: pytest.Pytester,
    *,
    checks: str = CHECKS,
    catalogue: str = CATALOGUE,
    env: str = ENV,
    env_name: str = "t",
    extra_files: dict[str, str] | None = None,
) -> Path:
    pytester.makefile(".ini", pytest="[pytest]\ngonogo_catalogue = catalogue\ntestpaths = checks\n")
    (pytester.path / "catalogue").mkdir(exist_ok=True)
    (pytester.path / "catalogue" / "t.toml").write_text(catalogue)
    (pytester.path / "environments").mkdir(exist_ok=True)
    (pytester.path / "environments" / f"{env_name}.toml").write_text(env)
    (pytester.path / "checks").mkdir(exist_ok=True)
    (pytester.path / "checks" / "test_t.py").write_text(checks)
    for name, text in (extra_files or {}).items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return pytester.path


def latest(root: Path, env: str = "t") -> Path:
    return (root / "reports" / env / "latest").resolve()


def evidence(root: Path, env: str = "t") -> dict[str, Any]:
    return json.loads((latest(root, env) / "evidence.json").read_text())


VOLATILE = {"started_at", "finished_at", "run_id", "duration_s", "suite_commit"}


def stable(document: Any) -> Any:
    """The evidence document without timings and run ids (for serial vs parallel comparison)."""
    if isinstance(document, dict):
        return {k: stable(v) for k, v in document.items() if k not in VOLATILE}
    if isinstance(document, list):
        return [stable(v) for v in document]
    return document
