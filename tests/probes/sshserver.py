"""A private sshd on a loopback port for the host probe tests (the demo's recipe, started here)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gonogo.demo.sshd import SshFiles, answers, prepare
from probes.datastack import free_port


@contextmanager
def running_sshd(directory: Path) -> Iterator[SshFiles]:
    """An sshd on 127.0.0.1 with its own keys; stopped by PID on exit."""
    files = prepare(directory, free_port())
    log = (directory / "sshd.log").open("ab")
    proc = subprocess.Popen(
        files.argv(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while not answers(files.port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sshd did not start: {(directory / 'sshd.log').read_text()}")
            time.sleep(0.05)
        yield files
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
