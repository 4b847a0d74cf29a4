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

    .venv/bin/python bench/collection.py [--runs 7] [--no-cache] [--suite PATH]
"""

from __future__ import annotations

import tempfile

import _bench


def main() -> None:
    parser = _bench.arguments(__doc__ or "", runs=7)
    parser.add_argument("--no-cache", action="store_true", help="also measure without bytecode")
    args = parser.parse_args()
    print(f"suite {args.suite}; {_bench.load_average()}")
    warm = _bench.environ(args.suite)
    warm.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = _bench.pytest_cmd("--collect-only")
    _bench.require_ok(_bench.timed(cmd, cwd=args.suite, env=warm))  # writes the caches
    samples = [_bench.timed(cmd, cwd=args.suite, env=warm) for _ in range(args.runs)]
    for sample in samples:
        _bench.require_ok(sample)
    print(_bench.summary("collect-only, warm", samples))
    print(_bench.verdict(_bench.median([s.wall_s for s in samples]), 1.0, "wall s"))
    if args.no_cache:
        cold = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="gonogo-bench-pyc-") as empty:
                env = _bench.environ(
                    args.suite, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=empty
                )
                cold.append(_bench.timed(cmd, cwd=args.suite, env=env))
        print(_bench.summary("collect-only, no bytecode cache", cold))


if __name__ == "__main__":
    main()
