"""An unprivileged nginx on loopback for tests that need their own server blocks.

Run as the platform notes say: ``nginx -p PREFIX -c PREFIX/nginx.conf`` with ``daemon off``,
started as a child of the test process and stopped with SIGQUIT to its master, by PID.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def free_ports(count: int) -> list[int]:
    """``count`` loopback ports free right now (bound, read, closed)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def start(
    prefix: Path, names: list[str], config: Callable[[dict[str, int]], str], wait_s: float = 30
) -> tuple[subprocess.Popen[bytes], dict[str, int]]:
    """Start nginx with ``config(ports)`` (a port per name) and wait until every port listens.

    A port taken between choosing and binding makes nginx exit: choose again, once.
    """
    try:
        return _start(prefix, names, config, wait_s)
    except RuntimeError:
        return _start(prefix, names, config, wait_s)


def _start(
    prefix: Path, names: list[str], config: Callable[[dict[str, int]], str], wait_s: float
) -> tuple[subprocess.Popen[bytes], dict[str, int]]:
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    (prefix / "nginx.conf").write_text(config(ports))
    proc = subprocess.Popen(
        [
            "nginx",
            "-p",
            str(prefix),
            "-c",
            str(prefix / "nginx.conf"),
            "-e",
            str(prefix / "error.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + wait_s  # ends as soon as every port listens
    pending = set(ports.values())
    while pending and proc.poll() is None and time.monotonic() < deadline:
        for port in list(pending):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    pending.discard(port)
        time.sleep(0.05)
    if pending:
        said = stop(proc)
        raise RuntimeError(f"nginx did not listen on {sorted(pending)}: {said!r}")
    return proc, ports


def stop(proc: subprocess.Popen[bytes]) -> bytes:
    """Graceful shutdown of the master we started (SIGQUIT), killed after 10 s; what it
    wrote on stderr."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if not proc.stderr:
        return b""
    with proc.stderr:
        return proc.stderr.read()


def temp_paths(prefix: Path) -> str:
    """nginx's temporary directories, all under ``prefix/tmp``."""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    return " ".join(f"{kind}_temp_path {prefix}/tmp;" for kind in kinds)
