"""The load stage against the real demo stack: the early abort, a regression against a baseline
accepted with `gonogo load accept`, the refusal on a sensitive environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOAD = "load/test_load.py"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _variant(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = (ROOT / "environments" / "demo.toml").read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def _finding(check: dict, name: str) -> dict:
    return next(f for f in check["evidence"] if f["name"] == name)


def test_errors_api_stops_the_run_early(demo_stack, run_gate) -> None:
    """errors-api: the error ratio breaches for abort_window_s, locust is stopped well before
    its 12 s, and load.errors fails with that reason (NO-GO)."""
    with demo_stack.fault("errors-api"):
        run = run_gate(LOAD)
    errors = run.check("load.errors")
    aborted = _finding(errors, "aborted")
    assert errors["outcome"] == "failed" and not aborted["ok"], errors
    assert "error ratio" in aborted["message"] and "stopped early" in aborted["message"]
    assert _finding(errors, "duration_s")["measured"] < 10, errors
    assert run.verdict == "NO-GO" and run.exit_code == 1


def test_regression_against_an_accepted_baseline(demo_stack, run_gate, tmp_path: Path) -> None:
    """A clean run accepted with `gonogo load accept` (who and when recorded) becomes the
    baseline; api-regression then fails load.regression alone while every absolute threshold
    still passes (CONDITIONAL: a major)."""
    baseline = tmp_path / "baselines" / "demo-own-baseline.json"
    variant = _variant(
        tmp_path, "demo-own-baseline", ("[load]\n", f'[load]\nbaseline_file = "{baseline}"\n')
    )
    clean = run_gate(LOAD, env_file=variant)
    assert clean.outcome("load.regression") == "not-applicable", clean.output[-2000:]
    accepted = subprocess.run(
        [
            sys.executable,
            "-m",
            "gonogo.cli",
            "load",
            "accept",
            clean.document["run_id"],
            "--reports",
            str(tmp_path / "reports"),
            "--by",
            "release manager",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ},
    )
    assert accepted.returncode == 0, accepted.stderr
    document = json.loads(baseline.read_text())
    assert document["accepted_by"] == "release manager" and document["accepted_at"]
    assert document["run_id"] == clean.document["run_id"]
    with demo_stack.fault("api-regression"):
        slower = run_gate(LOAD, env_file=variant)
    assert slower.failing() == {"load.regression"}, slower.document["reasons"]
    regression = slower.check("load.regression")
    assert not _finding(regression, "p95_ms")["ok"], regression
    assert slower.verdict == "CONDITIONAL"
    # every simulated user logged in with the demo user's password: it reaches no artefact
    password = demo_stack.secrets()["app_user_password"]
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert any(p.name.endswith("locust.html") for p in files), "locust's report not attached"
    leaked = [p for p in files if password.encode() in p.read_bytes()]
    assert not leaked and password not in accepted.stdout + accepted.stderr, leaked


def test_refused_on_a_sensitive_environment(demo_stack, run_gate, tmp_path: Path) -> None:
    """sensitive = true without --allow-intrusive: every load check is refused, nothing runs."""
    variant = _variant(tmp_path, "demo-sensitive", ("sensitive = false", "sensitive = true"))
    run = run_gate(LOAD, env_file=variant)
    outcomes = {c["id"]: c["outcome"] for c in run.document["checks"]}
    assert outcomes == dict.fromkeys(
        ("load.latency", "load.errors", "load.throughput", "load.regression"), "refused"
    ), outcomes
    assert run.verdict == "NO-GO"


HAND_WRITTEN = '''
from locust import FastHttpUser, constant, task


class VersionPoller(FastHttpUser):
    """A hand-written user class run beside the generated scenarios."""

    wait_time = constant(0.2)

    @task
    def version(self):
        self.client.get("/version", name="hand-written")
'''


def test_hand_written_user_classes_run_beside_the_scenarios(
    demo_stack, run_gate, tmp_path: Path
) -> None:
    """A locustfile listed in [load] locustfiles runs in the same locust run: its requests are
    measured and judged like a scenario (its own thresholds apply)."""
    users = tmp_path / "users_version.py"
    users.write_text(HAND_WRITTEN)
    variant = _variant(
        tmp_path,
        "demo-hand-written",
        ("[load]\n", f'[load]\nlocustfiles = ["{users}"]\n'),
        ("[load.thresholds.scenarios.products]", "[load.thresholds.scenarios.hand-written]\np95_ms = 0.001\n\n[load.thresholds.scenarios.products]"),
    )  # fmt: skip
    run = run_gate(LOAD, env_file=variant)
    latency = run.check("load.latency")
    finding = _finding(latency, "hand-written.p95_ms")
    assert finding["measured"] > 0 and not finding["ok"], latency
    assert latency["outcome"] == "failed" and run.failing() <= {"load.latency", "load.regression"}
