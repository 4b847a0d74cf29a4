"""How much does an unreachable dependency cost? Prints ratios, asserts nothing.

Points every component of an environment at one loopback endpoint that is either a "tarpit"
(accepts TCP connections and never answers) or a closed port, runs the pre-deploy and smoke
checks serially and with ``-n 2``, and prints the wall time as a multiple of the per-call timeout
and how many checks waited for a timeout themselves. With fail-fast, the unreachable endpoint
costs about one timeout per worker; without it, one per check (the numbers before fail-fast are
in the commit that introduced it: tarpit 28.3 x the timeout, serial).

    .venv/bin/python bench/fail_fast.py
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 2.0


def tarpit() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(512)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)  # keep it open, never answer

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(port: int) -> str:
    return f"""
release = "1"
[web]
base_url = "https://127.0.0.1:{port}"
http_url = "http://127.0.0.1:{port}"
timeout_s = {TIMEOUT_S}
[postgres]
dsn = "postgresql://app:pw@127.0.0.1:{port}/app"
connect_timeout_s = {TIMEOUT_S}
[redis]
url = "redis://127.0.0.1:{port}/0"
timeout_s = {TIMEOUT_S}
"""


def run(env_text: str, label: str, workers: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = Path(tmp) / f"bench-{label}.toml"
        env.write_text(env_text)
        reports = Path(tmp) / "reports"
        started = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--env-file",
                str(env),
                "-m",
                "predeploy or smoke",
                "-q",
                "-p",
                "no:cacheprovider",
                "--gonogo-reports",
                str(reports),
                *workers,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        wall = time.perf_counter() - started
        found = sorted(reports.rglob("evidence.json"))
        name = f"{label} {' '.join(workers) or 'serial'}"
        if not found:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            print(f"{name:>16}: no evidence.json (exit {proc.returncode}): {' | '.join(tail)}")
            return
        doc = json.loads(found[-1].read_text())
        errors = sum(c["outcome"] == "error" for c in doc["checks"])
        waited = sum(c["duration_s"] >= 0.8 * TIMEOUT_S for c in doc["checks"])
        print(
            f"{name:>16}: {len(doc['checks'])} checks, {errors} errors, verdict {doc['verdict']}, "
            f"wall {wall:.1f} s = {wall / TIMEOUT_S:.1f} x the {TIMEOUT_S:g} s timeout; "
            f"{waited} checks waited for a timeout themselves"
        )


def main() -> None:
    server, port = tarpit()
    try:
        for label, p in (("tarpit", port), ("refused", closed_port())):
            for workers in ([], ["-n", "2"]):
                run(environment(p), label, workers)
    finally:
        server.close()


if __name__ == "__main__":
    main()
