"""Database backups: newest is fresh, intact, encrypted, restorable; one precedes the deploy.

The listing and the newest archive's facts are gathered once per run (gonogo.recipes.backup).
"""

from __future__ import annotations

import pytest

from gonogo.probes import restore
from gonogo.recipes import backup
from gonogo.rules import backup as rules
from gonogo.rules import restore as restore_rules

pytestmark = [pytest.mark.predeploy, pytest.mark.backup]


@pytest.mark.check("backup.freshness")
def test_freshness(gate):
    gate.judge(rules.evaluate_freshness(backup.listing(gate), gate.config.backup, gate.now))


@pytest.mark.check("backup.predeploy")
def test_backup_before_deploy(gate):
    gate.judge(rules.evaluate_predeploy(backup.listing(gate), gate.config.backup, gate.now))


@pytest.mark.check("backup.integrity")
def test_integrity(gate):
    found = backup.listing(gate)
    gate.judge(rules.evaluate_integrity(found, backup.archive(gate, found), gate.config.backup))


@pytest.mark.check("backup.encryption")
def test_encryption(gate):
    if not gate.require("backup").encrypted:
        gate.not_applicable("[backup] encrypted is false")
    found = backup.listing(gate)
    gate.judge(rules.evaluate_encryption(found, backup.archive(gate, found), gate.config.backup))


@pytest.mark.check("backup.restore")
@pytest.mark.intrusive
def test_restore_drill(gate):
    cfg, pg, found = gate.require("backup"), gate.require("postgres"), backup.listing(gate)
    if cfg.scratch_dsn is None and not gate.config.sensitive:
        gate.not_applicable("[backup] scratch_dsn is not set: no server to restore into")
    gate.target(f"{backup.where(gate)} -> {restore.scratch_target(cfg)}")
    limit = restore.time_limit(gate.time_limit_s)
    drill = found.newest and restore.drill(cfg, pg, found.newest, time_limit_s=limit)
    gate.judge(restore_rules.evaluate_restore(found, drill, cfg, gate.now))
