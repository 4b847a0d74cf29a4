"""The load stage's command line and configuration: ceilings and bad [load] keys are one-line
configuration errors (exit 4); `gonogo load accept` refuses what is not an accepted baseline;
the locust process is stopped at its hard wall-clock limit, its whole process group."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gonogo.errors import ProbeTimeout
from gonogo.probes import load as probe

ROOT = Path(__file__).resolve().parents[2]
LOAD = """
[web]
base_url = "https://127.0.0.1:8443"

[load]
users = {users}
max_users = 50
duration_s = 10
[[load.scenarios]]
name = "home"
path = "/"
"""


def _gonogo(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gonogo.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "body,expected",
    [
        (LOAD.format(users=51), "users = 51 is over the ceiling max_users = 50"),
        (LOAD.format(users=10).replace("duration_s = 10", "duration_s = 600"), "over the ceiling max_duration_s"),
        (LOAD.format(users=10).replace('path = "/"', 'path = "home"'), "must be a path starting with /"),
        (LOAD.format(users=10) + "[load.thresholds.scenarios.nope]\np95_ms = 100\n", "unknown scenarios: nope"),
        (LOAD.format(users=10).replace("[load]", "[load]\nlocustfiles = ['missing.py']"), "is not a file"),
        (LOAD.format(users=10).replace("[load]", "[load]\nsmoke_endpoints = ['nope']"), "nope not among [[smoke.endpoints]]"),
        (LOAD.format(users=10).split("[[load.scenarios]]")[0], "declares no scenario"),
    ],
    ids=["users-over-ceiling", "duration-over-ceiling", "relative-path", "unknown-scenario", "missing-locustfile", "unknown-smoke-endpoint", "no-scenario"],
)  # fmt: skip
def test_bad_load_section_is_a_config_error(tmp_path: Path, body: str, expected: str) -> None:
    """A [load] over its ceilings or with a bad key: exit 4, one line naming the file and key."""
    env = tmp_path / "staging.toml"
    env.write_text(body)
    proc = _gonogo("validate", "--env-file", str(env))
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert expected in proc.stderr and "staging.toml" in proc.stderr and "load" in proc.stderr
    assert "Traceback" not in proc.stderr


def _run_dir(tmp_path: Path, outcome: str, aborted: str | None = None) -> Path:
    run = tmp_path / "reports" / "staging" / "20261206T000000Z-abcd"
    (run / "attachments").mkdir(parents=True)
    summary = {
        "target": "https://staging.example.com",
        "users": 10,
        "spawn_rate": 10,
        "planned_s": 30,
        "processes": 1,
        "elapsed_s": 29.5,
        "aborted": aborted,
        "total": {"name": "overall", "method": "", "requests": 100, "failures": 0, "avg_ms": 10.0,
                  "p50_ms": 9.0, "p95_ms": 20.0, "p99_ms": 30.0, "max_ms": 40.0, "rps": 50.0},
        "scenarios": [],
        "baseline_file": str(tmp_path / "baselines" / "staging.json"),
    }  # fmt: skip
    (run / "attachments" / "s.json").write_text(json.dumps(summary))
    attachment = {
        "name": "load-summary.json",
        "mime": "application/json",
        "file": "attachments/s.json",
    }
    checks = [
        {"id": cid, "outcome": outcome if cid == "load.errors" else "passed",
         "attachments": [attachment] if cid == "load.latency" else []}
        for cid in ("load.latency", "load.errors", "load.throughput")
    ]  # fmt: skip
    (run / "evidence.json").write_text(json.dumps({"checks": checks}))
    return run


def test_accept_records_who_and_when(tmp_path: Path) -> None:
    """`gonogo load accept RUN_ID` writes the run's summary as the baseline with who and when."""
    _run_dir(tmp_path, "passed")
    reports = str(tmp_path / "reports")
    proc = _gonogo("load", "accept", "20261206T000000Z-abcd", "--reports", reports, "--by", "Ann")
    assert proc.returncode == 0, proc.stderr
    baseline = json.loads((tmp_path / "baselines" / "staging.json").read_text())
    assert baseline["accepted_by"] == "Ann" and baseline["run_id"] == "20261206T000000Z-abcd"
    assert baseline["accepted_at"].endswith("+00:00") and baseline["total"]["p95_ms"] == 20.0


@pytest.mark.parametrize(
    "outcome,aborted,args,expected",
    [
        ("failed", None, [], "load.errors did not pass; accept it anyway with --force"),
        ("passed", "error ratio 50.0% over the last 5 s", ["--force"], "stopped early"),
        ("passed", None, ["--env", "prod"], "no run"),
    ],
    ids=["failed-run", "aborted-run", "unknown-run"],
)
def test_accept_refuses_what_is_no_baseline(tmp_path, outcome, aborted, args, expected) -> None:
    """A run whose thresholds failed (without --force), that stopped early, or that does not
    exist is refused: exit 4, one line, no baseline written."""
    _run_dir(tmp_path, outcome, aborted)
    reports = str(tmp_path / "reports")
    proc = _gonogo("load", "accept", "20261206T000000Z-abcd", "--reports", reports, *args)
    assert proc.returncode == 4 and expected in proc.stderr, proc.stderr
    assert not (tmp_path / "baselines").exists()


def test_hard_limit_stops_the_whole_process_group(tmp_path: Path) -> None:
    """At the hard wall-clock limit the process and its children are stopped (ProbeTimeout)."""
    pids = tmp_path / "pids"
    script = f"sleep 300 & echo $! > {pids}; sleep 300"
    started = time.monotonic()
    with pytest.raises(ProbeTimeout, match="hard wall-clock limit of 1 s"):
        probe._run(["sh", "-c", script], dict(os.environ), 1.0, tmp_path)
    assert time.monotonic() - started < 30
    status = Path(f"/proc/{int(pids.read_text())}/status")
    # gone, or a zombie its new parent has not reaped yet: either way no longer running (the
    # signal reached it; on a busy machine it may take a moment to act on it)
    deadline = time.monotonic() + 10
    while status.exists() and "\nState:\tZ" not in status.read_text():
        assert time.monotonic() < deadline, status.read_text()
        time.sleep(0.05)


def test_smoke_endpoints_double_as_scenarios() -> None:
    """[load] smoke_endpoints turns the named [[smoke.endpoints]] into weighted scenarios with
    their method, headers, JSON body and expected status: a request is written once."""
    from gonogo.loadplan import plan_of
    from gonogo.schema.load import LoadConfig
    from gonogo.schema.smoke import Endpoint

    quote = Endpoint(name="quote", path="/api/quote", method="POST", body={"n": 2}, status=201)
    cfg = LoadConfig(smoke_endpoints=["quote"], think_time_s=0.5)
    (request,) = plan_of(cfg, None, [quote, Endpoint(name="other", path="/x")]).scenarios
    assert (request.name, request.method, request.path) == ("quote", "POST", "/api/quote")
    assert (request.json_body, request.expect_status, request.think_time_s) == (
        {"n": 2},
        (201,),
        0.5,
    )
