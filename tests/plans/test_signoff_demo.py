"""`pytest --env demo --plan <each of the five>`: items ticked by real evidence, the rest open.

Real runs of the whole gate against the shared demo stack: every item the plan maps to checks is
verified by them (or failed, with a fault that breaks one), every manual item without an
attestation is open, and the open blockers make the run NO-GO with reasons that name them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gonogo.plans import store

ROOT = Path(__file__).resolve().parents[2]
PLANS = sorted(p.stem for p in (ROOT / "plans").glob("*.toml"))
# one plan runs with a fault that fails a check its items rely on
FAULTED = {"scalemate": ("hsts-missing", "headers.hsts")}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_the_five_plans_are_there() -> None:
    """The worked examples this module runs are the five imported plans."""
    assert PLANS == ["alaska-pay", "biddt", "scalemate", "swipesavvy", "transportation-mvp"]


@pytest.mark.parametrize("name", PLANS)
def test_plan_run_on_the_demo(demo_stack: Any, run_gate: Any, tmp_path: Path, name: str) -> None:
    """Items mapped to checks are verified by the run (failed when a fault breaks one), manual
    items are open, and an open manual blocker makes the run NO-GO, named in the reasons."""
    plan = store.load(ROOT / "plans" / f"{name}.toml")
    fault, broken = FAULTED.get(name, (None, None))
    if fault:
        with demo_stack.fault(fault):
            run = run_gate("--plan", name)
    else:
        run = run_gate("--plan", name)
    block = run.document["plan"]
    assert block["name"] == name and len(block["items"]) == len(plan.items)
    outcomes = {c["id"]: c["outcome"] for c in run.document["checks"]}
    for item in block["items"]:
        if item["mapping"] == "checks":
            checks = [c["id"] for c in item["checks"]]
            expected = "failed" if broken in checks else "verified"
            assert item["status"] == expected, (item, [outcomes.get(c) for c in checks])
            assert all(c["outcome"] == outcomes[c["id"]] for c in item["checks"])
        elif item["mapping"] == "manual":
            assert item["status"] == "open" and item["attestation"] is None, item
        elif item["mapping"] == "not-applicable":
            assert item["status"] == "not-applicable", item
    open_blockers = [
        i["id"] for i in block["items"] if i["status"] == "open" and i["severity"] == "blocker"
    ]
    assert open_blockers and run.document["verdict"] == "NO-GO" and run.exit_code == 1
    line = next(r for r in run.document["reasons"] if r.startswith(f"plan {name}: "))
    assert f"{len(open_blockers)} blocker items not attested: {open_blockers[0]}" in line
    overall = block["overall"]
    verified = sum(i["status"] == "verified" for i in block["items"] if i["mapping"] != "group")
    assert overall["counts"].get("verified", 0) == verified and overall["covered"] == verified
    summary = (tmp_path / "reports" / "demo" / "latest" / "summary.md").read_text()
    assert f"## Plan: {plan.title} (`{name}`)" in summary
