"""How much does an unreachable dependency cost? Prints ratios, asserts nothing.

Points every component of an environment at one loopback endpoint that is either a "tarpit"
(accepts TCP connections and never answers) or a closed port, runs the pre-deploy and smoke
checks serially and with ``-n 2``, and prints the wall time as a multiple of the per-call timeout
and how many checks waited for a timeout themselves. With fail-fast, the unreachable endpoint
costs about one timeout per worker; without it, one per check (the numbers before fail-fast are
in the commit that introduced it: tarpit 28.3 x the timeout, serial).

Each scenario runs ``--runs`` times (median). Target: with the tarpit under ``-n 2`` the run
ends within the timeout + 3 s.

    .venv/bin/python bench/fail_fast.py [--runs 3] [--suite PATH] [--against PATH]
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
from pathlib import Path

import _bench

TIMEOUT_S = 2.0
TARGET_OVER_TIMEOUT_S = 3.0


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


def run(suite: Path, env_text: str, label: str, workers: list[str]) -> dict:
    """One gate run against the unreachable endpoint: its wall and CPU time and its evidence."""
    with tempfile.TemporaryDirectory() as tmp:
        env = Path(tmp) / f"bench-{label}.toml"
        env.write_text(env_text)
        reports = Path(tmp) / "reports"
        cmd = _bench.pytest_cmd(
            "--env-file", str(env), "-m", "predeploy or smoke", "--gonogo-reports", str(reports)
        )
        sample = _bench.timed([*cmd, *workers], cwd=suite, env=_bench.environ(suite))
        found = sorted(reports.rglob("evidence.json"))
        if not found:
            tail = " | ".join(sample.output.strip().splitlines()[-5:])
            raise SystemExit(f"no evidence.json (exit {sample.returncode}): {tail}")
        return {"sample": sample, "doc": json.loads(found[-1].read_text())}


def report(name: str, runs: list[dict]) -> float:
    wall = _bench.median([r["sample"].wall_s for r in runs])
    cpu = _bench.median([r["sample"].cpu_s for r in runs])
    doc = runs[-1]["doc"]
    errors = sum(c["outcome"] == "error" for c in doc["checks"])
    waited = sum(c["duration_s"] >= 0.8 * TIMEOUT_S for c in doc["checks"])
    print(
        f"{name:>24}: {len(doc['checks'])} checks, {errors} errors, verdict {doc['verdict']}, "
        f"wall {wall:.1f} s = {wall / TIMEOUT_S:.1f} x the {TIMEOUT_S:g} s timeout "
        f"= timeout + {wall - TIMEOUT_S:.1f} s (cpu {cpu:.1f} s, n={len(runs)}); "
        f"{waited} checks waited for a timeout themselves"
    )
    return wall


def main() -> None:
    args = _bench.arguments(__doc__ or "", runs=3).parse_args()
    suites = _bench.suites(args)
    print(f"{', '.join(f'{k} = {v}' for k, v in suites.items())}; {_bench.load_average()}")
    server, port = tarpit()
    try:
        for label, p in (("tarpit", port), ("refused", closed_port())):
            for workers in ([], ["-n", "2"]):
                runs: dict[str, list[dict]] = {name: [] for name in suites}
                for _ in range(args.runs):
                    for name, suite in suites.items():
                        runs[name].append(run(suite, environment(p), label, workers))
                for name in suites:
                    mode = " ".join(workers) or "serial"
                    wall = report(f"{name}: {label} {mode}", runs[name])
                    if label == "tarpit" and workers:
                        over = wall - TIMEOUT_S
                        what = f"{name}: tarpit -n 2, s over the timeout"
                        print(_bench.verdict(over, TARGET_OVER_TIMEOUT_S, what))
    finally:
        server.close()
    print(f"after the runs: {_bench.load_average()}")


if __name__ == "__main__":
    main()
