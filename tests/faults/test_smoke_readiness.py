"""Readiness gates the smoke journey: on a site whose health never turns 200, smoke.readiness
fails with its polls as evidence and every later smoke check is an error naming it (fail
closed), never a pass and never a wait of its own."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_checks_after_readiness_wait_for_it(demo_stack, run_gate) -> None:
    """health-degraded: readiness failed (polls recorded); endpoints, log-in and version are
    errors (timeout) that name smoke.readiness; the verdict is NO-GO."""
    with demo_stack.fault("health-degraded"):
        run = run_gate("smoke/test_readiness.py", "smoke/test_api.py", "smoke/test_smoke.py")
    ready = run.check("smoke.readiness")
    assert ready["outcome"] == "failed", ready
    polls = next(f for f in ready["evidence"] if f["name"] == "polls")
    assert polls["measured"] and all(p["status"] == 503 for p in polls["measured"])
    for check_id in ("smoke.endpoint", "smoke.login", "smoke.version"):
        gated = [c for c in run.document["checks"] if c["id"] == check_id]
        assert gated and all(c["outcome"] == "error" for c in gated), gated
        assert all(c["error_reason"] == "timeout" for c in gated), gated
        assert all("see smoke.readiness" in c["message"] for c in gated), gated
    assert run.verdict == "NO-GO"
