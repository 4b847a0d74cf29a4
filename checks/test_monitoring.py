"""Monitoring: Prometheus up with its targets, alert rules and alerts; Alertmanager routing;
log aggregation and error tracking reachable."""

from __future__ import annotations

import pytest

from gonogo.probes import monitoring
from gonogo.recipes import monitoring as recipes
from gonogo.rules import monitoring as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.monitoring]


@pytest.mark.check("monitoring.prometheus")
def test_prometheus(gate):
    gate.judge(rules.evaluate_prometheus(recipes.prometheus(gate)))


@pytest.mark.check("monitoring.targets")
def test_targets(gate):
    gate.judge(rules.evaluate_targets(recipes.prometheus(gate), gate.config.monitoring.jobs))


@pytest.mark.check("monitoring.rules")
def test_alert_rules(gate):
    facts = recipes.prometheus(gate)
    gate.judge(rules.evaluate_rules(facts, gate.config.monitoring.required_rules))


@pytest.mark.check("monitoring.alerts")
def test_no_critical_alert(gate):
    facts = recipes.prometheus(gate)
    gate.judge(rules.evaluate_alerts(facts, gate.config.monitoring.critical_severities))


@pytest.mark.check("monitoring.rule-files")
def test_rule_files(gate):
    cfg = gate.require("monitoring")
    gate.target(str(cfg.rules_dir))
    gate.judge(rules.evaluate_rule_files(monitoring.check_rule_files(cfg)))


@pytest.mark.check("monitoring.alertmanager")
def test_alertmanager(gate):
    cfg = gate.require("monitoring")
    gate.target(cfg.alertmanager_url)
    gate.judge(rules.evaluate_alertmanager(monitoring.alertmanager(cfg), cfg.alert_severities))


@pytest.mark.check("monitoring.logs")
def test_log_aggregation(gate):
    cfg = gate.require("monitoring")
    gate.target(cfg.log_url)
    facts = monitoring.fetch_endpoint(cfg, cfg.log_url, "log_url")
    gate.judge(rules.evaluate_endpoint(facts, "log aggregation"))


@pytest.mark.check("monitoring.error-tracking")
def test_error_tracking(gate):
    cfg = gate.require("monitoring")
    gate.target(cfg.error_tracking_url)
    facts = monitoring.fetch_endpoint(cfg, cfg.error_tracking_url, "error_tracking_url")
    gate.judge(rules.evaluate_endpoint(facts, "error tracking"))
