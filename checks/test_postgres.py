"""PostgreSQL, read-only: the application DSN's facts feed connect, version, schema, migrations and
app-role; the monitoring DSN's (``monitor_dsn``, else ``dsn``) feed replication, capacity,
archiving and slow-query-log. Each is gathered once per run."""

from __future__ import annotations

import pytest

from gonogo.probes import pgmonitor, postgres
from gonogo.rules import postgres as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.data]


def _facts(gate):
    pg = gate.require("postgres")
    target = postgres.target_of(pg.dsn)  # host:port/db, never the password
    gate.target(target)
    return gate.shared(f"postgres:{target}", lambda: postgres.collect(pg))


def _monitoring(gate):
    pg = gate.require("postgres")
    via, dsn = pg.monitoring
    target = postgres.target_of(dsn)
    gate.target(target)
    return gate.shared(f"postgres-{via}:{target}", lambda: pgmonitor.collect(pg))


@pytest.mark.check("pg.connect")
def test_connect(gate):
    gate.judge(rules.evaluate_connect(_facts(gate), gate.config.postgres))


@pytest.mark.check("pg.version")
def test_version(gate):
    gate.judge(rules.evaluate_version(_facts(gate), gate.config.postgres))


@pytest.mark.check("pg.schema")
def test_schema(gate):
    gate.judge(rules.evaluate_schema(_facts(gate), gate.config.postgres))


@pytest.mark.check("pg.migrations")
def test_migrations(gate):
    if gate.require("postgres").expected_migration is None:
        gate.not_applicable("[postgres] expected_migration is not set")
    gate.judge(rules.evaluate_migrations(_facts(gate), gate.config.postgres))


@pytest.mark.check("pg.replication")
def test_replication(gate):
    gate.judge(rules.evaluate_replication(_monitoring(gate), gate.config.postgres))


@pytest.mark.check("pg.capacity")
def test_capacity(gate):
    gate.judge(rules.evaluate_capacity(_monitoring(gate), gate.config.postgres))


@pytest.mark.check("pg.archiving")
def test_archiving(gate):
    gate.judge(rules.evaluate_archiving(_monitoring(gate), gate.config.postgres))


@pytest.mark.check("pg.slow-query-log")
def test_slow_query_log(gate):
    gate.judge(rules.evaluate_slow_query_log(_monitoring(gate), gate.config.postgres))


@pytest.mark.check("pg.app-role")
def test_app_role(gate):
    gate.judge(rules.evaluate_app_role(_facts(gate), gate.config.postgres))
