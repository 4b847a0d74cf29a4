"""`gonogo ... | head`: a reader that stops early ends the command quietly (no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", [["checks"], ["plan", "show", "--items"]])
def test_closed_pipe_ends_quietly(command: list[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gonogo.cli", *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)  # like `head -c 10`: read a little, then go away
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) in (0, 141), stderr
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
