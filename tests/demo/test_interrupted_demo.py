"""Interrupts and kills around the demo stack: a start interrupted ends NO-GO at once, and what a
killed run left running is stopped by the next start, by identity, touching nothing else."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from engine.interrupted import assert_agrees, gate_command, interrupt
from gonogo.demo import orphans
from gonogo.demo.layout import demo_home
from gonogo.demo.procs import LEDGER, alive, start_ticks
from gonogo.demo.stack import DemoStack

ROOT = Path(__file__).resolve().parents[2]


def _gate(tmp_path: Path, *args: str) -> list[str]:
    return gate_command(
        "--env", "demo", "--gonogo-reports", str(tmp_path / "reports"), "--noconftest", *args
    )


def _no_state() -> dict[str, str]:
    return {"GONOGO_DEMO_STATE": ""}


def _runs_of(pid: int, home: Path) -> list[Path]:
    """The demo run directories in ``home`` owned by process ``pid``."""
    found = []
    for run_dir in home.iterdir():
        try:
            owner = json.loads((run_dir / orphans.OWNER).read_text())
        except (OSError, ValueError):
            continue
        if owner.get("pid") == pid:
            found.append(run_dir)
    return found


def test_interrupt_while_the_stack_starts_is_no_go_and_ends(tmp_path: Path) -> None:
    """SIGINT while the demo stack starts, with a component still in a long wait: the start is
    cancelled instead of finished (the run ends well before that wait would), every process
    started so far is stopped, and the run writes its NO-GO (interrupted) report."""
    run = interrupt(
        _gate(tmp_path, "-k", "health"),
        cwd=ROOT,
        marks=tmp_path / "marks",
        reports=tmp_path / "reports" / "demo",
        pause=["demo-lane"],
        at="demo-lane",
        release=False,  # the lane would wait two minutes: only cancelling the start ends it
        env=_no_state(),
    )
    document = assert_agrees(run)
    assert (run.returncode, document["verdict"], document["checks"]) == (2, "NO-GO", [])
    assert any("SIGINT" in reason for reason in document["reasons"]), document["reasons"]
    pids = [int(pid) for pid in _pids_in(run.output)]
    assert pids and not any(alive(pid) for pid in pids), run.output[-3000:]
    assert "removed" in run.output


def _pids_in(output: str) -> list[str]:
    return re.findall(r"\(pid (\d+)\)", output)


def _project(tmp_path: Path) -> tuple[Path, Path]:
    """A directory to start gate runs from, and its own demo home: other tests' stacks live
    elsewhere, and their starts cannot reap this test's orphans before it looks at them."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'elsewhere'\n")
    home = demo_home(project)
    assert home != demo_home(ROOT)
    return project, home


def _paused(point: str, tmp_path: Path, project: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """A gate run that starts its own demo stack (in ``project``'s home), paused at ``point``."""
    marks = tmp_path / f"marks-{point}"
    marks.mkdir()
    environ = {**os.environ, "GONOGO_DEMO_STATE": "", "GONOGO_TEST_PAUSE": f"{point}:{marks}"}
    suite = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT)]
    proc = subprocess.Popen(
        [*_gate(tmp_path, "-k", "health"), *suite],
        cwd=project,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, marks / point


def _wait_paused(proc: subprocess.Popen[bytes], marker: Path) -> None:
    deadline = time.monotonic() + 240
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline, f"never reached {marker}"
        time.sleep(0.05)


def _wait_past_reap(proc: subprocess.Popen[bytes], home: Path) -> None:
    """Until ``proc``'s demo start has looked for a dead run's leftovers: its run directory is
    made right after that (or it has ended)."""
    deadline = time.monotonic() + 240
    while not _runs_of(proc.pid, home) and proc.poll() is None:
        assert time.monotonic() < deadline, "the demo start never began"
        time.sleep(0.05)


def _kill(proc: subprocess.Popen[bytes], home: Path) -> Path:
    """SIGKILL the run (no cleanup of any kind runs); returns its run dir."""
    proc.kill()
    proc.wait()
    (run_dir,) = _runs_of(proc.pid, home)
    return run_dir


def _decoy(home: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """A dead run's directory whose ledger names a live process that is not what it started:
    once with another start time (its PID reused since), once showing another program."""
    sleeper = subprocess.Popen(["sleep", "600"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    fake = home / f"20000101T000000Z-{dead.pid}-dec0"
    fake.mkdir(parents=True)
    (fake / orphans.OWNER).write_text(json.dumps({"pid": dead.pid, "start": 1}))
    entries: list[dict[str, Any]] = [
        {"pid": sleeper.pid, "start": 1, "program": "sleep", "component": "x", "stop": "SIGKILL"},
        {
            "pid": sleeper.pid,
            "start": start_ticks(sleeper.pid),
            "program": "postgres",
            "component": "postgres-primary",
            "stop": "SIGKILL",
        },
    ]
    (fake / LEDGER).write_text("".join(json.dumps(e) + "\n" for e in entries))
    return sleeper, fake


def test_next_start_stops_what_a_killed_run_left(tmp_path: Path) -> None:
    """A controller SIGKILLed while its stack started, and one killed after its checks, leave
    their stacks running; the next start stops every process they recorded (by PID, start time
    and command line) and removes their directories. It touches nothing else: a stack
    `gonogo demo up` left running on purpose, and live processes a dead run's ledger names
    whose identity does not match."""
    project, home = _project(tmp_path)
    state = tmp_path / "current.json"
    up_cmd = [sys.executable, "-m", "gonogo.cli", "demo", "up", "--base-dir", str(home)]
    up = subprocess.Popen(
        [*up_cmd, "--state", str(state)],
        cwd=ROOT,
        env={**os.environ, "GONOGO_DEMO_STATE": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    runs = [_paused(point, tmp_path, project) for point in ("demo-lane", "checks-done")]
    sleeper = None
    try:
        # kill only once every start in this home has looked for leftovers: a start that came
        # later would rightly reap a killed run's stack before this test looks at it (seen on a
        # loaded machine, where `demo up` reached its reap after the first run was killed)
        for proc, marker in runs:
            _wait_paused(proc, marker)
        _wait_past_reap(up, home)
        killed = [_kill(proc, home) for proc, _ in runs]
        assert up.wait(timeout=240) == 0
        kept = [pid for pid in DemoStack.attach(state).pids.values() if pid]
        left = {run: [e.pid for e in orphans.ledger(run) if e.same_process()] for run in killed}
        assert all(left.values()), left  # the stacks outlived their controllers
        sleeper, fake = _decoy(home)
        messages: list[str] = []
        DemoStack.start(base_dir=home, progress=messages.append).stop()
        for run_dir, pids in left.items():
            assert not any(alive(pid) for pid in pids), (run_dir, pids)
            assert not run_dir.exists()
            assert any(str(run_dir) in m and "dead demo run" in m for m in messages), messages
        assert not fake.exists()
        assert sleeper.poll() is None  # named by a ledger, but not the process it recorded
        assert kept and all(alive(pid) for pid in kept)  # handed over by `demo up`: not reaped
    finally:
        for proc, _ in runs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if sleeper is not None:
            sleeper.kill()
            sleeper.wait()
        if up.poll() is None:
            up.kill()
            up.wait()
        down = [sys.executable, "-m", "gonogo.cli", "demo", "down", "--state", str(state)]
        subprocess.run(down, cwd=ROOT, capture_output=True, check=False, timeout=120)
        orphans.reap(home, lambda message: None)  # should this test fail midway
        shutil.rmtree(home, ignore_errors=True)
