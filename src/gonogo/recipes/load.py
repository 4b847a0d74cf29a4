"""Load facts, gathered once per run (one locust run feeds every ``load.*`` check), and the
accepted baseline they are compared with; names the check's target (``[web] base_url``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.facts.load import summary
from gonogo.probes import load
from gonogo.probes.load_baseline import read_baseline
from gonogo.report.loadchart import chart_svg

if TYPE_CHECKING:
    from gonogo.facts.load import Baseline, LoadFacts
    from gonogo.gate import Gate

SUMMARY = "load-summary.json"
# locust's outputs are text: redacted like every text attachment
_MIMES = {".html": "text/html", ".json": "application/json", ".csv": "text/csv"}


def facts(gate: Gate, suite_dir: Path) -> LoadFacts:
    """What locust measured, running ``suite_dir/locustfile.py`` with ``[load]`` on ``[web]``."""
    web, cfg = gate.require("web"), gate.require("load")
    gate.target(web.base_url)
    locustfile = suite_dir / "locustfile.py"
    endpoints = gate.config.smoke.endpoints or []  # those [load] smoke_endpoints reuses
    return gate.shared(
        f"load:{web.base_url}", lambda: load.run_load(cfg, web, locustfile, endpoints)
    )


def attach(gate: Gate, measured: LoadFacts, suite_dir: Path) -> None:
    """Attach locust's outputs (its HTML report, JSON and CSV statistics), the chart and the
    summary a baseline is accepted from."""
    for name, content in measured.artefacts:
        gate.evidence.attach(name, content, _MIMES.get(Path(name).suffix, "text/plain"))
    gate.evidence.attach("load-chart.svg", chart_svg(measured.history), "image/svg+xml")
    document = {**summary(measured), "baseline_file": str(baseline_path(gate, suite_dir))}
    gate.evidence.attach(SUMMARY, json.dumps(document, indent=2), "application/json")


def baseline_path(gate: Gate, suite_dir: Path) -> Path:
    """``[load] baseline_file``, else ``suite_dir/baselines/<env>.json``."""
    cfg = gate.require("load")
    chosen = cfg.baseline_file or suite_dir / "baselines" / f"{gate.env.name}.json"
    return Path(chosen).resolve()


def baseline(gate: Gate, suite_dir: Path) -> tuple[Baseline | None, str]:
    """The accepted baseline and where it is read from; without one, not applicable unless
    ``[load.regression] required``."""
    path = baseline_path(gate, suite_dir)
    found = read_baseline(path)
    if found is None and not gate.require("load").regression.required:
        gate.not_applicable(
            f"no accepted load baseline at {path} yet: accept a run with `gonogo load accept RUN_ID`"
        )
    return found, str(path)
