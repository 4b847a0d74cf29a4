"""Measurement fidelity of the load stage against wrk. Prints numbers and ratios; asserts nothing.

The same demo endpoint (``/version`` through nginx and TLS to the uvicorn app: the app, not the
client, is meant to be the bottleneck) at the same concurrency, alternately:

- gonogo's load probe (``gonogo.probes.load.run_load``: locust headless in a subprocess,
  FastHttpUser, no think time), with 1 locust process and with ``--processes 2``;
- ``wrk -t1 -cN -dDs`` with a Lua ``done`` hook printing its p50/p95 (wrk does not verify TLS).

Prints requests/s and p50/p95 of each and the ratios gonogo/wrk. Aims (issue 11): throughput at
least 0.8x wrk's where the server is the bottleneck, percentiles within 15 %. On a shared
machine every number moves with the other load: run it on a quiet one for a verdict.

    .venv/bin/python bench/load_fidelity.py [--runs 3] [--users 10] [--seconds 10]
"""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
from pathlib import Path

import _bench

from gonogo.probes.load import run_load
from gonogo.schema.load import LoadConfig
from gonogo.schema.web import WebConfig

LOCUSTFILE = _bench.ROOT / "load" / "locustfile.py"
WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("GONOGO rps=%f p50=%f p95=%f\\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def locust_once(web: WebConfig, users: int, seconds: int, processes: int) -> tuple[float, ...]:
    cfg = LoadConfig.model_validate(
        {
            "scenarios": [{"name": "version", "path": "/version"}],
            "users": users,
            "spawn_rate": users * 10,
            "duration_s": seconds,
            "processes": processes,
            "abort_window_s": 0,
        }
    )
    facts = run_load(cfg, web, LOCUSTFILE)
    total = facts.total
    return total.rps, total.p50_ms or 0.0, total.p95_ms or 0.0


def wrk_once(url: str, users: int, seconds: int, script: Path) -> tuple[float, ...]:
    cmd = ["wrk", "-t1", f"-c{users}", f"-d{seconds}s", "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True)
    found = re.search(r"GONOGO rps=([\d.]+) p50=([\d.]+) p95=([\d.]+)", out.stdout)
    if found is None:
        raise SystemExit(f"wrk printed no summary: {out.stdout[-500:]} {out.stderr[-500:]}")
    return tuple(float(g) for g in found.groups())


def main() -> None:
    parser = _bench.arguments(__doc__ or "", runs=3)
    parser.add_argument("--users", type=int, default=10, help="concurrency of both (default 10)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each run (default 10)")
    args = parser.parse_args()
    with _bench.demo_stack() as demo, tempfile.TemporaryDirectory() as tmp:
        state = demo["GONOGO_DEMO_STATE"]
        port = _bench.demo_ports(state)["https"]
        ca = _bench.demo_run_dir(state) / "pki" / "ca.pem"
        web = WebConfig(base_url=f"https://localhost:{port}", ca_bundle=ca)
        script = Path(tmp) / "done.lua"
        script.write_text(WRK_LUA)
        kinds = {
            "gonogo (1 process)": lambda: locust_once(web, args.users, args.seconds, 1),
            "gonogo (--processes 2)": lambda: locust_once(web, args.users, args.seconds, 2),
            "wrk": lambda: wrk_once(web.url("/version"), args.users, args.seconds, script),
        }
        samples: dict[str, list[tuple[float, ...]]] = {k: [] for k in kinds}
        for _ in range(args.runs):  # alternately: every tool sees the same machine load
            for name, measure in kinds.items():
                samples[name].append(measure())
    medians = {
        k: [statistics.median(s[i] for s in v) for i in range(3)] for k, v in samples.items()
    }
    print(f"/version, {args.users} concurrent, {args.seconds} s, median of {args.runs} runs")
    print(f"{'tool':24} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for name, (rps, p50, p95) in medians.items():
        print(f"{name:24} {rps:9.0f} {p50:8.1f} {p95:8.1f}")
    base = medians["wrk"]
    for name in list(kinds)[:2]:
        rps, p50, p95 = medians[name]
        print(
            f"{name} / wrk: throughput {rps / base[0]:.2f}x, p50 {p50 / base[1]:.2f}x, "
            f"p95 {p95 / base[2]:.2f}x"
        )


if __name__ == "__main__":
    main()
