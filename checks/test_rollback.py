"""Rollback readiness: the rollback command on each host, the previous release artefact and this
release's pre-deploy backup."""

from __future__ import annotations

import pytest

from gonogo.probes import rollback
from gonogo.recipes import backup as backups
from gonogo.rules import rollback as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.postdeploy]


@pytest.mark.check("rollback.command")
def test_rollback_command(gate, host_target):
    cfg = gate.require("rollback")
    if host_target is None:
        gate.require("hosts")
    if cfg.roles and host_target.role not in cfg.roles:
        gate.not_applicable(f"[rollback] roles does not list {host_target.role}")
    gate.target(host_target.url)
    gate.judge(rules.evaluate_command(rollback.command(host_target, cfg.command)))


@pytest.mark.check("rollback.artefact")
def test_previous_release_available(gate):
    cfg = gate.require("rollback")
    gate.target(cfg.previous_artefact)
    gate.judge(rules.evaluate_artefact(rollback.artefact(cfg)))


@pytest.mark.check("rollback.backup")
def test_predeploy_backup_for_this_release(gate):
    cfg = gate.require("rollback")
    marker = cfg.backup_marker(gate.release or gate.config.release)
    gate.judge(rules.evaluate_backup(backups.listing(gate), marker))
