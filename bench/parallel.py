"""Does ``-n 2`` pay? Prints medians, the ratio and whether the evidence agrees; asserts nothing.

Runs the pre-deploy and smoke gate (``-m "predeploy or smoke"``) against the running demo stack,
serially and with ``-n 2``, alternating so that both see the same load, and prints the median
wall and CPU time of each and the ratio ``-n 2`` / serial. Target: at most 0.8.

Each run's ``evidence.json`` is compared with the first serial run of the same checkout: every
check must have the same outcome and the same findings (name and ok), whichever worker ran it.

The demo stack is the one ``$GONOGO_DEMO_STATE`` names (``gonogo demo up``), else one started
here and stopped at the end.

    .venv/bin/python bench/parallel.py [--runs 5] [--suite PATH] [--against PATH]
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import _bench

SELECTION = ("-m", "predeploy or smoke")


def fingerprint(doc: dict[str, Any]) -> dict[str, Any]:
    """What must not depend on the number of workers: per check, outcome and findings."""
    return {
        "verdict": doc["verdict"],
        "checks": {
            c["id"]: (c["outcome"], sorted((f["name"], f["ok"]) for f in c["evidence"]))
            for c in doc["checks"]
        },
    }


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    found = [f"verdict {a['verdict']} != {b['verdict']}"] if a["verdict"] != b["verdict"] else []
    for cid in sorted(set(a["checks"]) | set(b["checks"])):
        if a["checks"].get(cid) != b["checks"].get(cid):
            found.append(f"{cid}: {a['checks'].get(cid)} != {b['checks'].get(cid)}")
    return found


def run(suite: Path, env: dict[str, str], workers: list[str]) -> tuple[_bench.Sample, dict]:
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-") as tmp:
        cmd = _bench.pytest_cmd("--env", "demo", *SELECTION, "--gonogo-reports", tmp, *workers)
        sample = _bench.timed(cmd, cwd=suite, env=env)
        _bench.require_ok(sample)
        found = sorted(Path(tmp).rglob("evidence.json"))
        return sample, fingerprint(json.loads(found[-1].read_text()))


def main() -> None:
    args = _bench.arguments(__doc__ or "", runs=5).parse_args()
    suites = _bench.suites(args)
    modes = {"serial": [], "-n 2": ["-n", "2"]}
    samples: dict[tuple[str, str], list[_bench.Sample]] = {
        (label, mode): [] for label in suites for mode in modes
    }
    mismatches: dict[str, None] = {}  # ordered, each difference once
    with _bench.demo_stack() as demo:
        print(f"{', '.join(f'{k} = {v}' for k, v in suites.items())}; {_bench.load_average()}")
        reference: dict[str, dict[str, Any]] = {}  # per checkout: its first serial run
        for suite in suites.values():  # warm-up: bytecode caches, the demo app's first requests
            run(suite, _bench.environ(suite, **demo), [])
        for _ in range(args.runs):
            for label, suite in suites.items():
                for mode, workers in modes.items():
                    sample, facts = run(suite, _bench.environ(suite, **demo), workers)
                    samples[label, mode].append(sample)
                    first = reference.setdefault(label, facts)
                    mismatches.update(
                        dict.fromkeys(f"{label} {mode}: {d}" for d in differences(first, facts))
                    )
        print(f"after the runs: {_bench.load_average()}")
    ratios = {}
    for label in suites:
        for mode in modes:
            print(_bench.summary(f"{label} {mode:>6}", samples[label, mode]))
        serial, parallel = samples[label, "serial"], samples[label, "-n 2"]
        pairs = [p.wall_s / s.wall_s for s, p in zip(serial, parallel, strict=True)]
        print(f"{label}: per-pair -n 2 / serial: {', '.join(f'{r:.2f}' for r in pairs)}")
        medians = [_bench.median([x.wall_s for x in xs]) for xs in (parallel, serial)]
        ratios[label] = medians[0] / medians[1]
        print(_bench.verdict(ratios[label], 0.8, f"{label}: -n 2 / serial wall"))
    if "baseline" in suites:
        for mode in modes:
            this, base = (
                _bench.median([s.wall_s for s in samples[label, mode]]) for label in suites
            )
            print(_bench.compared(f"{mode} wall s", this, base))
    print("evidence: " + ("identical outcomes and findings" if not mismatches else "DIFFERS"))
    for line in mismatches:
        print(f"  {line}")


if __name__ == "__main__":
    main()
