"""How much does an unreachable dependency cost? Prints ratios, asserts nothing.

Points every component of an environment at a loopback "tarpit" (accepts TCP connections and
never answers) and at a closed port, runs the pre-deploy and smoke checks, and prints
wall time / per-call timeout. With fail-fast, each unreachable endpoint costs about one timeout
per worker; without it, it would cost one timeout per check.

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


def run(env_text: str, label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = Path(tmp) / f"bench-{label}.toml"
        env.write_text(env_text)
        started = time.perf_counter()
        subprocess.run(
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
                str(Path(tmp) / "reports"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        wall = time.perf_counter() - started
        doc = json.loads(next((Path(tmp) / "reports").rglob("evidence.json")).read_text())
        errors = sum(c["outcome"] == "error" for c in doc["checks"])
        print(
            f"{label:>8}: {len(doc['checks'])} checks, {errors} errors, verdict {doc['verdict']}, "
            f"wall {wall:.1f} s = {wall / TIMEOUT_S:.1f} x the {TIMEOUT_S:g} s timeout "
            f"({wall / max(errors, 1) / TIMEOUT_S:.2f} timeouts per failing check)"
        )


def main() -> None:
    server, port = tarpit()
    try:
        for label, p in (("tarpit", port), ("refused", closed_port())):
            run(
                f"""
release = "1"
[web]
base_url = "https://127.0.0.1:{p}"
http_url = "http://127.0.0.1:{p}"
timeout_s = {TIMEOUT_S}
[postgres]
dsn = "postgresql://app:pw@127.0.0.1:{p}/app"
connect_timeout_s = {TIMEOUT_S}
[redis]
url = "redis://127.0.0.1:{p}/0"
timeout_s = {TIMEOUT_S}
""",
                label,
            )
    finally:
        server.close()


if __name__ == "__main__":
    main()
