"""Database backups: newest is fresh, intact, encrypted, restorable; one precedes the deploy."""

from __future__ import annotations

import pytest

from gonogo.probes import backup, restore
from gonogo.rules import backup as rules
from gonogo.rules import restore as restore_rules

pytestmark = [pytest.mark.predeploy, pytest.mark.backup]


def _listing(gate):
    cfg = gate.require("backup")
    where = backup.source_for(cfg).describe()
    gate.target(where)
    return gate.shared(f"backups:{where}", lambda: backup.discover(cfg))


def _archive(gate, listing):
    newest, cfg = listing.newest, gate.config.backup
    return newest and gate.shared(f"backup:{newest.location}", lambda: backup.inspect(cfg, newest))


@pytest.mark.check("backup.freshness")
def test_freshness(gate):
    gate.judge(rules.evaluate_freshness(_listing(gate), gate.config.backup, gate.now))


@pytest.mark.check("backup.predeploy")
def test_backup_before_deploy(gate):
    gate.judge(rules.evaluate_predeploy(_listing(gate), gate.config.backup, gate.now))


@pytest.mark.check("backup.integrity")
def test_integrity(gate):
    listing = _listing(gate)
    gate.judge(rules.evaluate_integrity(listing, _archive(gate, listing), gate.config.backup))


@pytest.mark.check("backup.encryption")
def test_encryption(gate):
    if not gate.require("backup").encrypted:
        gate.not_applicable("[backup] encrypted is false")
    listing = _listing(gate)
    gate.judge(rules.evaluate_encryption(listing, _archive(gate, listing), gate.config.backup))


@pytest.mark.check("backup.restore")
@pytest.mark.intrusive
def test_restore_drill(gate):
    cfg, pg, listing = gate.require("backup"), gate.require("postgres"), _listing(gate)
    if cfg.scratch_dsn is None and not gate.config.sensitive:
        gate.not_applicable("[backup] scratch_dsn is not set: no server to restore into")
    gate.target(f"{backup.source_for(cfg).describe()} -> {restore.scratch_target(cfg)}")
    limit = restore.time_limit(gate.time_limit_s)
    drill = listing.newest and restore.drill(cfg, pg, listing.newest, time_limit_s=limit)
    gate.judge(restore_rules.evaluate_restore(listing, drill, cfg, gate.now))
