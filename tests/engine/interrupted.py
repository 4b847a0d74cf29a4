"""Run a gate in a child process, interrupt it at a named point or a time offset, and check
that what it wrote agrees with how it exited."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctrl_c import sigint_default

# a run that is interrupted ends within this bound: it proves "does not hang", not speed
# (the longest wait it allows for is a demo stack stopping on a loaded machine)
EXIT_BOUND_S = 90.0
REACH_POINT_S = 180.0  # a cold start of the demo stack on a loaded machine comes first


@dataclass(frozen=True)
class Interrupted:
    """One interrupted gate run.

    Attributes:
        returncode: the process's exit code. output: stdout and stderr.
        exit_after_s: seconds from the (first) signal to the process's exit.
        reports: the environment's reports directory (``reports/<env>``).
        before: the run directories that existed before the run.
    """

    returncode: int
    output: str
    exit_after_s: float
    reports: Path
    before: frozenset[str]

    @property
    def run_dirs(self) -> list[Path]:
        """The run directories this run created."""
        if not self.reports.is_dir():
            return []
        return [
            p
            for p in self.reports.iterdir()
            if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
            if p.name not in self.before
        ]

    def document(self) -> dict[str, Any]:
        (run_dir,) = self.run_dirs
        return json.loads((run_dir / "evidence.json").read_text())


def interrupt(
    cmd: Sequence[str],
    *,
    cwd: Path,
    marks: Path,
    reports: Path,
    pause: Sequence[str],
    at: str,
    offset_s: float = 0.0,
    signals: Sequence[signal.Signals] = (signal.SIGINT,),
    release: bool = True,
    env: dict[str, str] | None = None,
) -> Interrupted:
    """Start ``cmd`` paused at ``pause`` points, wait for point ``at``, wait ``offset_s``
    more, send ``signals`` to the gate process (not its workers or its stack), then release
    the pause (``release``) and wait for the process to end (at most :data:`EXIT_BOUND_S`)."""
    marks.mkdir(parents=True, exist_ok=True)
    before = frozenset(p.name for p in reports.iterdir()) if reports.is_dir() else frozenset()
    environ = {**os.environ, **(env or {})}
    environ["GONOGO_TEST_PAUSE"] = f"{','.join(pause)}:{marks}"
    for name in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID"):
        environ.pop(name, None)
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # a background job (and an xdist worker) ignores SIGINT; Ctrl-C must reach this one
        preexec_fn=sigint_default,
    )
    try:
        marker = marks / at
        deadline = time.monotonic() + REACH_POINT_S
        while not marker.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.communicate(timeout=30)[0].decode(errors="replace")
                raise AssertionError(f"the run never reached {at!r}:\n{output[-4000:]}")
            time.sleep(0.02)
        time.sleep(offset_s)
        sent = time.monotonic()
        for signum in signals:
            proc.send_signal(signum)
        if release:
            marker.unlink(missing_ok=True)
        try:
            output = proc.communicate(timeout=EXIT_BOUND_S)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate(timeout=30)[0].decode(errors="replace")
            raise AssertionError(
                f"still running {EXIT_BOUND_S:g} s after {signals}:\n{output[-4000:]}"
            ) from None
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for leftover in marks.iterdir():
            leftover.unlink(missing_ok=True)
    return Interrupted(proc.returncode, output, took, reports, before)


def gate_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]


def assert_agrees(run: Interrupted) -> dict[str, Any]:
    """The invariant of every interrupted run, whenever the signal landed: one complete report
    (every file in its manifest, nothing half-written beside it), ``latest`` pointing at it,
    its exit code the process's, never GO with another exit code, NO-GO when it says
    interrupted; no traceback. Returns the evidence document."""
    output = run.output
    assert "Traceback" not in output, output[-4000:]
    assert "INTERNALERROR" not in output, output[-4000:]
    hidden = [p.name for p in run.reports.iterdir() if p.name.startswith(".")]
    assert hidden == [], f"left behind: {hidden}"
    (run_dir,) = run.run_dirs
    assert (run.reports / "latest").resolve() == run_dir.resolve()
    _verify_manifest(run_dir)
    document = json.loads((run_dir / "evidence.json").read_text())
    assert document["exit_code"] == run.returncode, (document["verdict"], output[-3000:])
    if document["verdict"] != "NO-GO":
        assert run.returncode == 0, output[-3000:]
    if run.returncode == 2:
        assert document["verdict"] == "NO-GO"
        assert any("interrupted" in reason for reason in document["reasons"])
    assert run.exit_after_s < EXIT_BOUND_S
    return document


def _verify_manifest(run_dir: Path) -> None:
    listed = {}
    for line in (run_dir / "manifest.sha256").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {
        p.relative_to(run_dir).as_posix()
        for p in run_dir.rglob("*")
        if p.is_file() and p.name != "manifest.sha256"
    }
    assert set(listed) == files, (sorted(listed), sorted(files))
    for name, digest in listed.items():
        assert hashlib.sha256((run_dir / name).read_bytes()).hexdigest() == digest, name
