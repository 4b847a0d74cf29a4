"""Table tests of the PostgreSQL rules: facts built in memory -> which findings fail."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from gonogo.model import Finding
from gonogo.probes.postgres import (
    ArchiverFacts,
    CapacityFacts,
    ConnectionFacts,
    PostgresFacts,
    RoleFacts,
    SlotFacts,
    StandbyFacts,
)
from gonogo.rules import postgres as rules
from gonogo.schema.data import PostgresConfig

DSN = "postgresql://gonogo:pw@db:5432/app"

# --- builders ---------------------------------------------------------------------------------


def standby(**changes: Any) -> StandbyFacts:
    """A streaming standby 0.1 s behind."""
    base = StandbyFacts("standby1", "10.0.0.2", "streaming", "async", 0.1, 1024)
    return dataclasses.replace(base, **changes)


def slot(**changes: Any) -> SlotFacts:
    """An active physical slot holding back 1 MiB of WAL."""
    return dataclasses.replace(
        SlotFacts("standby1", "physical", True, "reserved", 1 << 20), **changes
    )


def facts(**changes: Any) -> PostgresFacts:
    """A healthy PostgreSQL 15 primary with one standby, archiving, a migrated schema."""
    connection = ConnectionFacts(
        "db:5432/app",
        150004,
        "PostgreSQL 15.4 on x86_64",
        12.0,
        0.5,
        False,
        None,
        False,
        "gonogo",
        "app",
    )
    base = PostgresFacts(
        connection=connection,
        stats_visible=True,
        tables=("public.users", "public.orders", "audit.events"),
        indexes=("public.users_pkey", "public.orders_user_idx"),
        migration_head="20240101",
        migration_error=None,
        standbys=(standby(),),
        slots=(slot(),),
        capacity=CapacityFacts(10, 100, 3, 2.0, None, None, 50 << 20),
        archiver=ArchiverFacts(
            "on", "cp %p /a/%f", "", 40, "00000001000000000000002A", 60.0, 0, None, None, 0
        ),
        log_min_duration_statement_ms=500,
        role=RoleFacts("app", True),
    )
    return dataclasses.replace(base, **changes)


def conn(**changes: Any) -> ConnectionFacts:
    return dataclasses.replace(facts().connection, **changes)


def cap(**changes: Any) -> CapacityFacts:
    return dataclasses.replace(facts().capacity, **changes)


def arch(**changes: Any) -> ArchiverFacts:
    return dataclasses.replace(facts().archiver, **changes)


def failing(findings: list[Finding]) -> set[str]:
    return {f.name for f in findings if not f.ok}


def failing_names(
    rule: Callable[[PostgresFacts, PostgresConfig], list[Finding]],
    given: PostgresFacts,
    overrides: dict[str, Any],
) -> set[str]:
    findings = rule(given, PostgresConfig(dsn=DSN, **overrides))
    assert findings, "a rule must always measure something"
    for f in findings:  # measured values cross xdist as plain builtins
        assert isinstance(f.measured, BUILTINS) and isinstance(f.threshold, BUILTINS), f
    return failing(findings)


BUILTINS = (str, int, float, bool, type(None), list, dict)


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="clean"),
        pytest.param(facts(connection=conn(rtt_ms=450.0)), {}, {"rtt_ms"}, id="slow-round-trip"),
        pytest.param(facts(), {"require_tls": True}, {"tls"}, id="tls-required-not-used"),
        pytest.param(
            facts(connection=conn(ssl_in_use=True, ssl_protocol="TLSv1.3")),
            {"require_tls": True},
            set(),
            id="tls-required-used",
        ),
    ],
)
def test_connect(given: PostgresFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.connect: round trip within budget, TLS used when require_tls."""
    assert failing_names(rules.evaluate_connect, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="15-vs-13"),
        pytest.param(
            facts(connection=conn(server_version_num=120017)),
            {},
            {"major_version"},
            id="12-too-old",
        ),
        pytest.param(
            facts(connection=conn(server_version_num=90624)),
            {"min_version": 10},
            {"major_version"},
            id="9.6-old-numbering",
        ),
        pytest.param(facts(), {"min_version": 16}, {"major_version"}, id="15-vs-16"),
    ],
)
def test_version(given: PostgresFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.version: the server major version is at least min_version."""
    assert failing_names(rules.evaluate_version, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(
            facts(),
            {"required_tables": ["users", "audit.events"], "required_indexes": ["users_pkey"]},
            set(),
            id="all-present",
        ),
        pytest.param(
            facts(), {"required_tables": ["users", "payments"]}, {"tables"}, id="missing-table"
        ),
        pytest.param(
            facts(), {"required_indexes": ["orders_created_idx"]}, {"indexes"}, id="missing-index"
        ),
        pytest.param(
            facts(), {"required_tables": ["events"]}, {"tables"}, id="bare-name-means-public"
        ),
        pytest.param(facts(), {}, set(), id="nothing-required"),
    ],
)
def test_schema(given: PostgresFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.schema: every required table and index exists (bare names mean public)."""
    assert failing_names(rules.evaluate_schema, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {"expected_migration": "20240101"}, set(), id="at-head"),
        pytest.param(
            facts(migration_head="20231201"),
            {"expected_migration": "20240101"},
            {"head"},
            id="behind",
        ),
        pytest.param(
            facts(migration_head=None),
            {"expected_migration": "20240101"},
            {"head"},
            id="empty-table",
        ),
        pytest.param(
            facts(migration_head=None, migration_error="42P01: no table"),
            {"expected_migration": "1"},
            {"head"},
            id="query-fails",
        ),
        pytest.param(facts(), {}, set(), id="no-expectation-info"),
    ],
)
def test_migrations(given: PostgresFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.migrations: the migrations query returns the expected head."""
    assert failing_names(rules.evaluate_migrations, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {"min_standbys": 1}, set(), id="clean"),
        pytest.param(
            facts(standbys=(), slots=()), {"min_standbys": 1}, {"standbys"}, id="no-standby"
        ),
        pytest.param(
            facts(standbys=(), slots=(slot(active=False),)),
            {"min_standbys": 1},
            {"standbys", "slot:standby1"},
            id="standby-stopped-slot-inactive",
        ),
        pytest.param(
            facts(standbys=(standby(replay_lag_s=95.0),)), {}, {"lag:standby1"}, id="lag-seconds"
        ),
        pytest.param(
            facts(standbys=(standby(replay_lag_s=None, replay_lag_bytes=0),)),
            {},
            set(),
            id="idle-caught-up",
        ),
        pytest.param(
            facts(standbys=(standby(replay_lag_s=None, replay_lag_bytes=64 << 20),)),
            {},
            {"lag:standby1"},
            id="lag-bytes-when-no-time",
        ),
        pytest.param(
            facts(standbys=(standby(state="catchup"),)),
            {},
            {"state:standby1"},
            id="standby-catching-up",
        ),
        pytest.param(
            facts(slots=(slot(wal_status="lost"),)), {}, {"slot:standby1"}, id="slot-wal-lost"
        ),
        pytest.param(
            facts(slots=(slot(retained_bytes=5 << 30),)),
            {},
            {"retained:standby1"},
            id="slot-holds-too-much",
        ),
        pytest.param(
            facts(
                stats_visible=False,
                standbys=(standby(state=None, replay_lag_s=None, replay_lag_bytes=None),),
            ),
            {"min_standbys": 1},
            {"visibility", "standbys"},
            id="hidden-from-role",
        ),
        pytest.param(facts(standbys=(), slots=()), {}, set(), id="none-required"),
    ],
)
def test_replication(given: PostgresFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.replication: enough streaming standbys, small lag, healthy slots."""
    assert failing_names(rules.evaluate_replication, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="clean"),
        pytest.param(
            facts(capacity=cap(connections=90)), {}, {"connections_ratio"}, id="connections-90pct"
        ),
        pytest.param(facts(capacity=cap(connections=80)), {}, set(), id="connections-at-80pct"),
        pytest.param(
            facts(capacity=cap(oldest_xact_s=900.0)),
            {},
            {"oldest_transaction_s"},
            id="old-transaction",
        ),
        pytest.param(
            facts(capacity=cap(oldest_lock_wait_s=120.0)),
            {},
            {"oldest_lock_wait_s"},
            id="lock-wait",
        ),
        pytest.param(
            facts(capacity=cap(oldest_prepared_s=3600.0)),
            {},
            {"oldest_prepared_s"},
            id="forgotten-prepared-xact",
        ),
        pytest.param(facts(stats_visible=False), {}, {"visibility"}, id="hidden-sessions"),
    ],
)
def test_capacity(given: PostgresFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.capacity: connection headroom, no old transactions or lock waits."""
    assert failing_names(rules.evaluate_capacity, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="clean"),
        pytest.param(facts(archiver=arch(archive_mode="off")), {}, {"archive_mode"}, id="off"),
        pytest.param(
            facts(archiver=arch(archive_mode="off")),
            {"require_archiving": False},
            set(),
            id="off-not-required",
        ),
        pytest.param(
            facts(archiver=arch(archive_command="")), {}, {"archive_command"}, id="no-command"
        ),
        pytest.param(
            facts(archiver=arch(archive_command="", archive_library="basic_archive")),
            {},
            set(),
            id="library-instead",
        ),
        pytest.param(
            facts(archiver=arch(failed_count=3, last_failed_age_s=10.0, ready_count=2)),
            {},
            {"failures"},
            id="failing-since-success",
        ),
        pytest.param(
            facts(archiver=arch(failed_count=3, last_failed_age_s=7200.0)),
            {},
            set(),
            id="old-failure-recovered",
        ),
        pytest.param(
            facts(archiver=arch(last_archived_age_s=86400.0, ready_count=0)),
            {},
            set(),
            id="idle-nothing-waiting",
        ),
        pytest.param(
            facts(archiver=arch(last_archived_age_s=7200.0, ready_count=5)),
            {},
            {"last_archived_age_s"},
            id="backlog-stale",
        ),
        pytest.param(
            facts(archiver=arch(last_archived_age_s=7200.0, ready_count=None)),
            {},
            {"last_archived_age_s"},
            id="stale-pending-unknown",
        ),
        pytest.param(
            facts(
                archiver=arch(
                    archived_count=0,
                    last_archived_wal=None,
                    last_archived_age_s=None,
                    ready_count=3,
                )
            ),
            {},
            {"last_archived_age_s"},
            id="never-archived-with-backlog",
        ),
    ],
)
def test_archiving(given: PostgresFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.archiving: archiving on and not failing; stale only when WAL waits."""
    assert failing_names(rules.evaluate_archiving, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="500ms"),
        pytest.param(
            facts(log_min_duration_statement_ms=-1), {}, {"log_min_duration_statement"}, id="off"
        ),
        pytest.param(facts(log_min_duration_statement_ms=0), {}, set(), id="everything"),
        pytest.param(
            facts(log_min_duration_statement_ms=60000),
            {"max_slow_query_ms": 1000},
            {"slow_query_ms"},
            id="threshold-too-high",
        ),
    ],
)
def test_slow_query_log(
    given: PostgresFacts, overrides: dict[str, Any], expected: set[str]
) -> None:
    """pg.slow-query-log: log_min_duration_statement is set (>= 0)."""
    assert failing_names(rules.evaluate_slow_query_log, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="plain"),
        pytest.param(
            facts(role=RoleFacts("app", True, superuser=True)), {}, {"superuser"}, id="superuser"
        ),
        pytest.param(
            facts(role=RoleFacts("app", True, createdb=True)), {}, set(), id="createdb-is-info"
        ),
        pytest.param(
            facts(role=RoleFacts("web", False)), {"app_role": "web"}, {"exists"}, id="missing"
        ),
    ],
)
def test_app_role(given: PostgresFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.app-role: the application role exists and is not a superuser."""
    assert failing_names(rules.evaluate_app_role, given, overrides) == expected


def test_missing_names_are_listed_in_the_message() -> None:
    """A schema failure names every missing table, schema-qualified."""
    [tables, _] = rules.evaluate_schema(
        facts(), PostgresConfig(dsn=DSN, required_tables=["payments", "x.y"])
    )
    assert "public.payments" in tables.message and "x.y" in tables.message
    assert tables.measured == ["public.payments", "x.y"]


def test_migration_head_compares_as_text() -> None:
    """An integer head in the env file equals the same head read from the database."""
    cfg = PostgresConfig.model_validate({"dsn": DSN, "expected_migration": 20240101})
    assert failing(rules.evaluate_migrations(facts(), cfg)) == set()


def test_database_size_is_evidence() -> None:
    """pg.capacity records the database size in bytes as an info finding."""
    [size] = [
        f
        for f in rules.evaluate_capacity(facts(), PostgresConfig(dsn=DSN))
        if f.name == "database_size"
    ]
    assert size.ok and size.measured == 50 << 20 and size.unit == "bytes"
