"""Ctrl-C while locust puts load on the demo: the gate ends interrupted (never GO) and takes the
locust process it started down with it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ctrl_c import sigint_default

ROOT = Path(__file__).resolve().parents[2]


def _locust_children(parent: int) -> list[int]:
    """PIDs of the ``python -m locust`` processes whose parent is ``parent``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        if ppid == parent and b"locust" in cmdline:
            found.append(int(proc.name))
    return found


def _running(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def test_interrupt_stops_the_locust_run(demo_stack, tmp_path: Path) -> None:
    """SIGINT to the gate mid-run: exit 2 (interrupted), an interrupted NO-GO report, and the
    locust child is gone within seconds, not left loading the target."""
    reports = tmp_path / "reports"
    cmd = [
        sys.executable, "-m", "pytest", "--env", "demo", "load/test_load.py",
        "--gonogo-reports", str(reports), "-q", "-p", "no:cacheprovider", "--noconftest",
    ]  # fmt: skip
    environ = {**os.environ, "GONOGO_DEMO_STATE": str(demo_stack.state_file)}
    environ.pop("PYTEST_ADDOPTS", None)
    gate = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # a suite run as a background job (`make test &`) inherits SIGINT ignored; the gate
        # must get it as a terminal's Ctrl-C gives it
        preexec_fn=sigint_default,
    )
    try:
        deadline = time.monotonic() + 120
        children: list[int] = []
        while not children:
            assert gate.poll() is None, "the gate ended before locust started"
            assert time.monotonic() < deadline, "locust never started"
            time.sleep(0.2)
            children = _locust_children(gate.pid)
        time.sleep(2)  # load is flowing
        gate.send_signal(signal.SIGINT)
        code = gate.wait(timeout=90)
    finally:
        if gate.poll() is None:
            gate.kill()
            gate.wait(timeout=30)
    assert code == 2
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in children):
        assert time.monotonic() < deadline, f"locust {children} still running"
        time.sleep(0.2)
    document = json.loads((reports / "demo" / "latest" / "evidence.json").read_text())
    assert document["verdict"] == "NO-GO"
