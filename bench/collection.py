"""How long does ``pytest --collect-only`` take? Prints medians and the target, asserts nothing.

Collecting the suite (no environment, nothing started) is the floor under every gate run and
every xdist worker: Python, pytest and its plugins, gonogo's engine and every gate test file.
Target: at most 1 s wall (median).

Two conditions:

- ``warm``: Python's default, bytecode caches written by an earlier run (one warm-up run
  comes first). The target applies here.
- ``no-cache`` (``--no-cache``): ``PYTHONDONTWRITEBYTECODE=1`` and an empty
  ``PYTHONPYCACHEPREFIX``, so every module (pytest and the libraries too) is compiled from
  source on every run; a container that never writes bytecode is between the two.

    .venv/bin/python bench/collection.py [--runs 7] [--no-cache] [--suite PATH] [--against PATH]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import _bench

CMD = _bench.pytest_cmd("--collect-only")


def cold(suite: Path) -> _bench.Sample:
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-pyc-") as empty:
        env = _bench.environ(suite, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=empty)
        return _bench.timed(CMD, cwd=suite, env=env)


def main() -> None:
    parser = _bench.arguments(__doc__ or "", runs=7)
    parser.add_argument("--no-cache", action="store_true", help="also measure without bytecode")
    args = parser.parse_args()
    suites = _bench.suites(args)
    print(f"{', '.join(f'{k} = {v}' for k, v in suites.items())}; {_bench.load_average()}")
    for suite in suites.values():  # warm-up: writes the bytecode caches
        _bench.require_ok(_bench.timed(CMD, cwd=suite, env=_bench.environ(suite)))
    warm: dict[str, list[_bench.Sample]] = {label: [] for label in suites}
    nocache: dict[str, list[_bench.Sample]] = {label: [] for label in suites}
    for _ in range(args.runs):
        for label, suite in suites.items():
            warm[label].append(_bench.timed(CMD, cwd=suite, env=_bench.environ(suite)))
            _bench.require_ok(warm[label][-1])
            if args.no_cache:
                nocache[label].append(cold(suite))
    print(f"after the runs: {_bench.load_average()}")
    for label in suites:
        print(_bench.summary(f"{label}: collect-only, warm", warm[label]))
        if args.no_cache:
            print(_bench.summary(f"{label}: collect-only, no bytecode cache", nocache[label]))
    wall = {label: _bench.median([s.wall_s for s in warm[label]]) for label in suites}
    print(_bench.verdict(wall["this"], 1.0, "this: collect-only wall s"))
    if "baseline" in suites:
        cpu = {label: _bench.median([s.cpu_s for s in warm[label]]) for label in suites}
        print(_bench.compared("wall s", wall["this"], wall["baseline"]))
        print(_bench.compared("cpu s", cpu["this"], cpu["baseline"]))


if __name__ == "__main__":
    main()
