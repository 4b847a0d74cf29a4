"""PostgreSQL, read-only: the application DSN's facts feed connect, version, schema, migrations and
app-role; the monitoring DSN's (``monitor_dsn``, else ``dsn``) feed replication, capacity,
archiving and slow-query-log. Each is gathered once per run (gonogo.recipes.postgres)."""

from __future__ import annotations

import pytest

from gonogo.recipes import postgres
from gonogo.rules import postgres as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.data]


@pytest.mark.check("pg.connect")
def test_connect(gate):
    gate.judge(rules.evaluate_connect(postgres.facts(gate), gate.config.postgres))


@pytest.mark.check("pg.version")
def test_version(gate):
    gate.judge(rules.evaluate_version(postgres.facts(gate), gate.config.postgres))


@pytest.mark.check("pg.schema")
def test_schema(gate):
    gate.judge(rules.evaluate_schema(postgres.facts(gate), gate.config.postgres))


@pytest.mark.check("pg.migrations")
def test_migrations(gate):
    if gate.require("postgres").expected_migration is None:
        gate.not_applicable("[postgres] expected_migration is not set")
    gate.judge(rules.evaluate_migrations(postgres.facts(gate), gate.config.postgres))


@pytest.mark.check("pg.replication")
def test_replication(gate):
    gate.judge(rules.evaluate_replication(postgres.monitoring(gate), gate.config.postgres))


@pytest.mark.check("pg.capacity")
def test_capacity(gate):
    gate.judge(rules.evaluate_capacity(postgres.monitoring(gate), gate.config.postgres))


@pytest.mark.check("pg.archiving")
def test_archiving(gate):
    gate.judge(rules.evaluate_archiving(postgres.monitoring(gate), gate.config.postgres))


@pytest.mark.check("pg.slow-query-log")
def test_slow_query_log(gate):
    gate.judge(rules.evaluate_slow_query_log(postgres.monitoring(gate), gate.config.postgres))


@pytest.mark.check("pg.app-role")
def test_app_role(gate):
    gate.judge(rules.evaluate_app_role(postgres.facts(gate), gate.config.postgres))
