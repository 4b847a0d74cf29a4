"""What the speed benchmarks share: timed runs, medians, the demo stack, the suite measured.

Every benchmark runs whole processes (as a user or CI does) and reports the median wall time
and the median CPU time (user + system of the process and every child it waited for: xdist
workers, the sslyze child; not the demo stack's servers). On a shared machine the wall time
moves with the load; CPU time moves much less, so both are printed.

``--suite PATH`` measures another checkout of the suite with this checkout's virtualenv (its
``src`` goes first on ``PYTHONPATH``); ``--against PATH`` measures a second checkout (a baseline,
e.g. ``git worktree add /tmp/base <commit>``) alternately with the first, so that both see the
same load, and prints the ratio of the two. Runs use Python's default bytecode caching (a
warm-up run writes the caches), whatever ``PYTHONDONTWRITEBYTECODE`` says.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True, slots=True)
class Sample:
    """One timed process.

    Attributes:
        wall_s: wall-clock time from start to exit.
        cpu_s: user + system CPU of the process and the children it waited for.
        returncode: its exit status.
        output: stdout and stderr, for a failure message.
    """

    wall_s: float
    cpu_s: float
    returncode: int
    output: str


def arguments(doc: str, runs: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-r", "--runs", type=int, default=runs, help=f"runs each (default {runs})")
    parser.add_argument("--suite", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--against", type=Path, help="baseline checkout, measured alternately")
    return parser


def suites(args: argparse.Namespace) -> dict[str, Path]:
    """The checkouts to measure, by label: ``this`` and, with ``--against``, ``baseline``."""
    found = {"this": args.suite.resolve()}
    if args.against is not None:
        found["baseline"] = args.against.resolve()
    return found


def compared(label: str, this: float, baseline: float) -> str:
    return f"{label}: this / baseline = {this:.2f} / {baseline:.2f} = {this / baseline:.2f}"


def environ(suite: Path, **extra: str) -> dict[str, str]:
    """The environment of a measured run: the suite's ``src`` first on ``PYTHONPATH``."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join([str(suite / "src"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env.update(extra)
    return env


def timed(cmd: Sequence[str], *, cwd: Path, env: dict[str, str], timeout: float = 900) -> Sample:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        list(cmd),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(wall, cpu, proc.returncode, proc.stdout + proc.stderr)


def pytest_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def summary(label: str, samples: Sequence[Sample]) -> str:
    walls = sorted(s.wall_s for s in samples)
    return (
        f"{label}: wall {median(walls):.2f} s (min {walls[0]:.2f}, max {walls[-1]:.2f}), "
        f"cpu {median([s.cpu_s for s in samples]):.2f} s, n={len(samples)}"
    )


def verdict(measured: float, target: float, what: str) -> str:
    mark = "meets" if measured <= target else "MISSES"
    return f"{what}: {measured:.2f} (target <= {target:g}): {mark} the target"


def require_ok(sample: Sample, allowed: Sequence[int] = (0,)) -> None:
    if sample.returncode not in allowed:
        tail = " | ".join(sample.output.strip().splitlines()[-5:])
        raise SystemExit(f"a measured run failed (exit {sample.returncode}): {tail}")


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} CPUs"


@contextlib.contextmanager
def demo_stack() -> Iterator[dict[str, str]]:
    """A running demo stack: the one ``$GONOGO_DEMO_STATE`` names, else one started here.

    Yields ``{"GONOGO_DEMO_STATE": path}`` for the measured runs; a stack started here is
    stopped (by its recorded PIDs, ``gonogo demo down``) when the block ends.
    """
    given = os.environ.get("GONOGO_DEMO_STATE")
    if given:
        yield {"GONOGO_DEMO_STATE": given}
        return
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-") as tmp:
        os.chmod(tmp, 0o755)  # the demo's PostgreSQL runs as postgres and must traverse it
        state = str(Path(tmp) / "state.json")
        gonogo = str(VENV_BIN / "gonogo")
        subprocess.run(
            [gonogo, "demo", "up", "--state", state, "--base-dir", tmp],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        try:
            yield {"GONOGO_DEMO_STATE": state}
        finally:
            subprocess.run(
                [gonogo, "demo", "down", "--state", state],
                cwd=ROOT,
                check=False,
                capture_output=True,
                timeout=120,
            )


def demo_ports(state: str) -> dict[str, int]:
    """The loopback ports of the running demo stack (from its state file)."""
    return dict(json.loads(Path(state).read_text())["ports"])


def demo_run_dir(state: str) -> Path:
    return Path(json.loads(Path(state).read_text())["run_dir"])
