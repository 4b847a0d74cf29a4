"""Post-deploy gate: PromQL thresholds after the deploy, and the rollback criteria (ROLL BACK)."""

from __future__ import annotations

import pytest

from gonogo.probes import monitoring
from gonogo.rules import monitoring as rules

pytestmark = [pytest.mark.postdeploy, pytest.mark.monitoring]


@pytest.mark.check("postdeploy.metrics")
def test_postdeploy_metrics(gate):
    cfg, post = gate.require("monitoring"), gate.require("postdeploy")
    gate.target(cfg.prometheus_url)
    answers = monitoring.run_queries(cfg, post, post.checks)
    gate.judge(rules.evaluate_queries(answers, post.checks))


@pytest.mark.check("postdeploy.rollback")
def test_rollback_criteria(gate):
    cfg, post = gate.require("monitoring"), gate.require("postdeploy")
    gate.target(cfg.prometheus_url)
    answers = monitoring.run_queries(cfg, post, post.rollback)
    gate.judge(rules.evaluate_queries(answers, post.rollback, criterion="rollback criterion"))
