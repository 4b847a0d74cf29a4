"""Locust's own distributed mode with gonogo's locustfile: master + 2 workers on loopback, whose
merged statistics must equal what the workers sent; the compose file for remote workers parses."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gonogo.loadplan import PLAN_ENV, SENT_ENV, AbortRule, LoadPlan, PlannedRequest
from gonogo.probes.load import locust_command

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "load" / "locustfile.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture
def http_target(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on loopback (Python's http.server in its own process)."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html><body>ok</body></html>\n")
    port = _free_port()
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    proc = subprocess.Popen(
        cmd,
        cwd=tmp_path / "site",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            assert proc.poll() is None and time.monotonic() < deadline, "http.server did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


def _sent(paths: list[Path]) -> dict[tuple[str, str], tuple[int, int, Counter[int]]]:
    """Per (name, method): requests, failures and the histogram summed over every report."""
    totals: dict[tuple[str, str], tuple[int, int, Counter[int]]] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            for entry in json.loads(line)["stats"]:
                key = (entry["name"], entry["method"])
                n, f, times = totals.get(key, (0, 0, Counter()))
                times.update({int(k): v for k, v in entry["response_times"].items()})
                totals[key] = (n + entry["num_requests"], f + entry["num_failures"], times)
    return totals


def test_master_merges_exactly_what_two_workers_sent(http_target: str, tmp_path: Path) -> None:
    """A master with two workers on loopback: per scenario, the master's requests, failures and
    response-time histogram equal the sums of the stats reports the workers sent."""
    plan = tmp_path / "plan.json"
    scenarios = (
        PlannedRequest("home", "GET", "/", weight=3, think_time_s=0.02),
        PlannedRequest("missing", "GET", "/missing", expect_status=(404,), think_time_s=0.02),
    )
    plan.write_text(LoadPlan(scenarios, abort=AbortRule(window_s=0)).to_json())
    port = _free_port()
    env = {**os.environ, PLAN_ENV: str(plan)}
    env.pop(SENT_ENV, None)
    master_args = [
        "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
        "--expect-workers", "2", "--headless", "--users", "4", "--spawn-rate", "4",
        "--run-time", "5s", "--host", http_target, "--json-file", str(tmp_path / "master"),
    ]  # fmt: skip
    procs = [
        subprocess.Popen(
            locust_command([LOCUSTFILE], *master_args),
            env=env, cwd=tmp_path, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=(tmp_path / "master.err").open("w"),
        )
    ]  # fmt: skip
    sent = [tmp_path / f"worker-{i}.jsonl" for i in (1, 2)]
    try:
        for i, path in enumerate(sent, 1):
            worker_args = ["--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
            procs.append(
                subprocess.Popen(
                    locust_command([LOCUSTFILE], *worker_args),
                    env={**env, SENT_ENV: str(path)}, cwd=tmp_path, start_new_session=True,
                    stdout=subprocess.DEVNULL, stderr=(tmp_path / f"worker-{i}.err").open("w"),
                )
            )  # fmt: skip
        assert procs[0].wait(timeout=120) in (0, 1), (tmp_path / "master.err").read_text()[-2000:]
        for worker in procs[1:]:
            worker.wait(timeout=30)
    finally:
        for proc in procs:
            _stop(proc)
    merged = {
        (e["name"], e["method"]): (e["num_requests"], e["num_failures"], Counter(
            {int(k): v for k, v in e["response_times"].items()}))
        for e in json.loads((tmp_path / "master.json").read_text())
    }  # fmt: skip
    workers = _sent(sent)
    assert all(p.is_file() and p.read_text() for p in sent), "a worker sent no report"
    assert merged[("home", "GET")][0] > 20, merged
    assert merged[("missing", "GET")][1] == 0, "404 is the expected status of /missing"
    assert {k: (n, f, +h) for k, (n, f, h) in merged.items()} == {
        k: (n, f, +h) for k, (n, f, h) in workers.items() if n
    }


def test_worker_compose_file_parses() -> None:
    """load/workers.compose.yaml is valid YAML naming locust workers of gonogo's locustfile."""
    document = yaml.safe_load((ROOT / "load" / "workers.compose.yaml").read_text())
    command = document["services"]["worker"]["command"]
    assert command[:3] == ["locust", "-f", "load/locustfile.py"] and "--worker" in command
    assert document["services"]["worker"]["environment"]["GONOGO_LOAD_PLAN"].endswith("plan.json")
