"""Prometheus facts, read once per run for every ``monitoring.*`` check; names the check's
target (``[monitoring] prometheus_url``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.probes import monitoring

if TYPE_CHECKING:
    from gonogo.facts.monitoring import PrometheusFacts
    from gonogo.gate import Gate


def prometheus(gate: Gate) -> PrometheusFacts:
    """Build info, readiness, targets, rules and alerts of the configured Prometheus."""
    cfg = gate.require("monitoring")
    gate.target(cfg.prometheus_url)
    return gate.shared(f"prometheus:{cfg.prometheus_url}", lambda: monitoring.collect(cfg))
