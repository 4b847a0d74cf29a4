"""Fault cases of the load stage (see cases.py for the contract): each runs locust for ~12 s.

``api-regression`` is judged against the committed demo baseline (load/baselines/demo.json);
tests/faults/test_load_stage.py also accepts a baseline of its own first and fails against it.
"""

from __future__ import annotations

from faults.cases import case

LOAD = [
    case("slow-api", ("load.latency", "load.throughput"), "load/test_load.py"),
    case("errors-api", "load.errors", "load/test_load.py"),
    case("api-regression", "load.regression", "load/test_load.py"),
]
