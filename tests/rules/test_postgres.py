"""Table tests of the PostgreSQL rules: facts built in memory -> which findings fail."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from gonogo.facts.postgres import (
    ArchiverFacts,
    CapacityFacts,
    ConnectionFacts,
    MonitorFacts,
    PostgresFacts,
    RoleFacts,
    SlotFacts,
    StandbyFacts,
)
from gonogo.model import ErrorReason, Finding
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


CONNECTION = ConnectionFacts(
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


def facts(**changes: Any) -> PostgresFacts:
    """A PostgreSQL 15 primary with a migrated schema, read over the application DSN."""
    base = PostgresFacts(
        connection=CONNECTION,
        tables=("public.users", "public.orders", "audit.events"),
        indexes=("public.users_pkey", "public.orders_user_idx"),
        migration_head="20240101",
        migration_error=None,
        role=RoleFacts("app", True),
    )
    return dataclasses.replace(base, **changes)


def monitor(**changes: Any) -> MonitorFacts:
    """A healthy primary's monitoring views: one standby, archiving, slow-query logging."""
    base = MonitorFacts(
        connection=CONNECTION,
        stats_visible=True,
        standbys=(standby(),),
        slots=(slot(),),
        capacity=CapacityFacts(10, 100, 3, 2.0, None, None, 50 << 20),
        archiver=ArchiverFacts(
            "on", "cp %p /a/%f", "", 40, "00000001000000000000002A", 60.0, 0, None, None, 0
        ),
        log_min_duration_statement_ms=500,
    )
    return dataclasses.replace(base, **changes)


def conn(**changes: Any) -> ConnectionFacts:
    return dataclasses.replace(CONNECTION, **changes)


def cap(**changes: Any) -> CapacityFacts:
    return dataclasses.replace(monitor().capacity, **changes)


def arch(**changes: Any) -> ArchiverFacts:
    return dataclasses.replace(monitor().archiver, **changes)


def failing(findings: list[Finding]) -> set[str]:
    return {f.name for f in findings if not f.ok}


def failing_names(
    rule: Callable[[Any, PostgresConfig], list[Finding]],
    given: PostgresFacts | MonitorFacts,
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
        pytest.param(
            facts(
                migration_head=None,
                migration_error="42501: permission denied for table schema_migrations",
                migration_sqlstate="42501",
            ),
            {"expected_migration": "1"},
            {"head"},
            id="permission-denied",
        ),
        pytest.param(facts(), {}, set(), id="no-expectation-info"),
    ],
)
def test_migrations(given: MonitorFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.migrations: the migrations query returns the expected head."""
    assert failing_names(rules.evaluate_migrations, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(monitor(), {"min_standbys": 1}, set(), id="clean"),
        pytest.param(
            monitor(standbys=(), slots=()), {"min_standbys": 1}, {"standbys"}, id="no-standby"
        ),
        pytest.param(
            monitor(standbys=(), slots=(slot(active=False),)),
            {"min_standbys": 1},
            {"standbys", "slot:standby1"},
            id="standby-stopped-slot-inactive",
        ),
        pytest.param(
            monitor(standbys=(standby(replay_lag_s=95.0),)), {}, {"lag:standby1"}, id="lag-seconds"
        ),
        pytest.param(
            monitor(standbys=(standby(replay_lag_s=None, replay_lag_bytes=0),)),
            {},
            set(),
            id="idle-caught-up",
        ),
        pytest.param(
            monitor(standbys=(standby(replay_lag_s=None, replay_lag_bytes=64 << 20),)),
            {},
            {"lag:standby1"},
            id="lag-bytes-when-no-time",
        ),
        pytest.param(
            monitor(standbys=(standby(state="catchup"),)),
            {},
            {"state:standby1"},
            id="standby-catching-up",
        ),
        pytest.param(
            monitor(slots=(slot(wal_status="lost"),)), {}, {"slot:standby1"}, id="slot-wal-lost"
        ),
        pytest.param(
            monitor(slots=(slot(retained_bytes=5 << 30),)),
            {},
            {"retained:standby1"},
            id="slot-holds-too-much",
        ),
        pytest.param(
            monitor(
                stats_visible=False,
                standbys=(standby(state=None, replay_lag_s=None, replay_lag_bytes=None),),
            ),
            {"min_standbys": 1},
            {"visibility", "standbys"},
            id="hidden-from-role",
        ),
        pytest.param(monitor(standbys=(), slots=()), {}, set(), id="none-required"),
    ],
)
def test_replication(given: MonitorFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.replication: enough streaming standbys, small lag, healthy slots."""
    assert failing_names(rules.evaluate_replication, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(monitor(), {}, set(), id="clean"),
        pytest.param(
            monitor(capacity=cap(connections=90)), {}, {"connections_ratio"}, id="connections-90pct"
        ),
        pytest.param(monitor(capacity=cap(connections=80)), {}, set(), id="connections-at-80pct"),
        pytest.param(
            monitor(capacity=cap(oldest_xact_s=900.0)),
            {},
            {"oldest_transaction_s"},
            id="old-transaction",
        ),
        pytest.param(
            monitor(capacity=cap(oldest_lock_wait_s=120.0)),
            {},
            {"oldest_lock_wait_s"},
            id="lock-wait",
        ),
        pytest.param(
            monitor(capacity=cap(oldest_prepared_s=3600.0)),
            {},
            {"oldest_prepared_s"},
            id="forgotten-prepared-xact",
        ),
        pytest.param(monitor(stats_visible=False), {}, {"visibility"}, id="hidden-sessions"),
    ],
)
def test_capacity(given: MonitorFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.capacity: connection headroom, no old transactions or lock waits."""
    assert failing_names(rules.evaluate_capacity, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(monitor(), {}, set(), id="clean"),
        pytest.param(monitor(archiver=arch(archive_mode="off")), {}, {"archive_mode"}, id="off"),
        pytest.param(
            monitor(archiver=arch(archive_mode="off")),
            {"require_archiving": False},
            set(),
            id="off-not-required",
        ),
        pytest.param(
            monitor(archiver=arch(archive_command="")), {}, {"archive_command"}, id="no-command"
        ),
        pytest.param(
            monitor(archiver=arch(archive_command="", archive_library="basic_archive")),
            {},
            set(),
            id="library-instead",
        ),
        pytest.param(
            monitor(archiver=arch(failed_count=3, last_failed_age_s=10.0, ready_count=2)),
            {},
            {"failures"},
            id="failing-since-success",
        ),
        pytest.param(
            monitor(archiver=arch(failed_count=3, last_failed_age_s=7200.0)),
            {},
            set(),
            id="old-failure-recovered",
        ),
        pytest.param(
            monitor(archiver=arch(last_archived_age_s=86400.0, ready_count=0)),
            {},
            set(),
            id="idle-nothing-waiting",
        ),
        pytest.param(
            monitor(archiver=arch(last_archived_age_s=7200.0, ready_count=5)),
            {},
            {"last_archived_age_s"},
            id="backlog-stale",
        ),
        pytest.param(
            monitor(archiver=arch(last_archived_age_s=7200.0, ready_count=None)),
            {},
            {"last_archived_age_s"},
            id="stale-pending-unknown",
        ),
        pytest.param(
            monitor(
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
def test_archiving(given: MonitorFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """pg.archiving: archiving on and not failing; stale only when WAL waits."""
    assert failing_names(rules.evaluate_archiving, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(monitor(), {}, set(), id="500ms"),
        pytest.param(
            monitor(log_min_duration_statement_ms=-1), {}, {"log_min_duration_statement"}, id="off"
        ),
        pytest.param(monitor(log_min_duration_statement_ms=0), {}, set(), id="everything"),
        pytest.param(
            monitor(log_min_duration_statement_ms=60000),
            {"max_slow_query_ms": 1000},
            {"slow_query_ms"},
            id="threshold-too-high",
        ),
    ],
)
def test_slow_query_log(given: MonitorFacts, overrides: dict[str, Any], expected: set[str]) -> None:
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
    [tables, _, _] = rules.evaluate_schema(
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
        for f in rules.evaluate_capacity(monitor(), PostgresConfig(dsn=DSN))
        if f.name == "database_size"
    ]
    assert size.ok and size.measured == 50 << 20 and size.unit == "bytes"


@pytest.mark.parametrize(
    ("error", "grant"),
    [
        pytest.param(
            "42501: permission denied for table schema_migrations",
            "GRANT SELECT ON schema_migrations TO gonogo",
            id="table",
        ),
        pytest.param(
            "42501: permission denied for schema app",
            "GRANT USAGE ON SCHEMA app TO gonogo",
            id="schema",
        ),
        pytest.param(
            "42501: permission denied for view heads", "GRANT SELECT ON heads TO gonogo", id="view"
        ),
        pytest.param(
            "42501: permission denied for function head",
            "GRANT EXECUTE ON FUNCTION head TO gonogo",
            id="function",
        ),
        pytest.param("42501: must be owner", "GRANT SELECT ON <the table> TO gonogo", id="other"),
    ],
)
def test_migrations_permission_denied_is_an_auth_error_naming_the_grant(
    error: str, grant: str
) -> None:
    """A role that may not read the migrations proves nothing about them: pg.migrations is not
    verified (auth), never "is the schema migrated?", and the message names what to grant."""
    given = facts(migration_head=None, migration_error=error, migration_sqlstate="42501")
    [head, via] = rules.evaluate_migrations(given, PostgresConfig(dsn=DSN, expected_migration="1"))
    assert (head.ok, head.unverified) == (False, ErrorReason.AUTH)
    assert grant in head.message and "is the schema migrated" not in head.message
    assert via.ok and "[postgres] dsn" in via.message


def test_a_missing_table_is_still_a_failure_not_an_error() -> None:
    """A migrations table that does not exist (42P01) is a finding about the schema: failed."""
    given = facts(
        migration_head=None,
        migration_error="42P01: relation does not exist",
        migration_sqlstate="42P01",
    )
    [head, _] = rules.evaluate_migrations(given, PostgresConfig(dsn=DSN, expected_migration="1"))
    assert not head.ok and head.unverified is None and "is the schema migrated?" in head.message


@pytest.mark.parametrize(
    ("rule", "given", "via"),
    [
        pytest.param(rules.evaluate_version, facts(), "dsn", id="version"),
        pytest.param(rules.evaluate_schema, facts(), "dsn", id="schema"),
        pytest.param(rules.evaluate_migrations, facts(), "dsn", id="migrations"),
        pytest.param(rules.evaluate_app_role, facts(), "dsn", id="app-role"),
        pytest.param(
            rules.evaluate_replication,
            monitor(connection=conn(via="monitor_dsn", user="mon")),
            "monitor_dsn",
            id="replication",
        ),
        pytest.param(
            rules.evaluate_capacity,
            monitor(connection=conn(via="monitor_dsn", user="mon")),
            "monitor_dsn",
            id="capacity",
        ),
        pytest.param(
            rules.evaluate_archiving,
            monitor(connection=conn(via="monitor_dsn", user="mon")),
            "monitor_dsn",
            id="archiving",
        ),
        pytest.param(
            rules.evaluate_slow_query_log,
            monitor(connection=conn(via="monitor_dsn", user="mon")),
            "monitor_dsn",
            id="slow-query-log",
        ),
        pytest.param(
            rules.evaluate_archiving, monitor(), "dsn", id="archiving-without-monitor-dsn"
        ),
    ],
)
def test_each_check_says_which_dsn_it_read_over(
    rule: Callable[..., list[Finding]], given: Any, via: str
) -> None:
    """Every pg.* check records the [postgres] DSN key and the role it read over."""
    [finding] = [f for f in rule(given, PostgresConfig(dsn=DSN)) if f.name == "via"]
    assert finding.ok and finding.measured == via
    assert f"[postgres] {via} as role {given.connection.user}" in finding.message


NEVER_ARCHIVED = dict(archived_count=0, last_archived_wal=None, last_archived_age_s=None)


@pytest.mark.parametrize(
    ("archiver", "failures", "age"),
    [
        pytest.param(
            arch(
                **NEVER_ARCHIVED,
                failed_count=4,
                last_failed_wal="000000010000000000000003",
                last_failed_age_s=40.0,
                ready_count=3,
            ),
            "WAL 000000010000000000000003 failed 40 s ago and no WAL was ever archived (4 failures in total)",
            "no WAL archived yet (3 segment(s) waiting; required: the last within 3,600 s)",
            id="failing-never-archived",
        ),
        pytest.param(
            arch(
                failed_count=2,
                last_failed_wal="00000001000000000000002B",
                last_failed_age_s=10.0,
                ready_count=1,
            ),
            "failed 10 s ago, after the last success 60 s ago (2 failures in total)",
            "age of last archived WAL (1 segment(s) waiting) = 60 s",
            id="failing-after-a-success",
        ),
        pytest.param(
            arch(**NEVER_ARCHIVED, ready_count=None),
            "no archive failure since the last success (0 archived)",
            "no WAL archived yet (pending WAL unknown, grant pg_monitor",
            id="never-archived-pending-hidden",
        ),
    ],
)
def test_archiving_messages_say_what_happened(
    archiver: ArchiverFacts, failures: str, age: str
) -> None:
    """pg.archiving's words: a failure with no success ever is not "after the last success",
    and an age never measured is "no WAL archived yet", never "= None s"."""
    found = {
        f.name: f
        for f in rules.evaluate_archiving(monitor(archiver=archiver), PostgresConfig(dsn=DSN))
    }
    assert failures in found["failures"].message, found["failures"].message
    assert age in found["last_archived_age_s"].message, found["last_archived_age_s"].message
    assert found["last_archived_age_s"].ok is (archiver.last_archived_age_s is not None)
    assert all("None" not in f.message for f in found.values())


def test_archiving_failure_of_an_unnamed_wal_says_so() -> None:
    """A failure whose WAL name is unknown reads "a WAL segment", never "WAL None"."""
    never = arch(last_archived_age_s=None, failed_count=3, last_failed_wal=None, last_failed_age_s=40.0)
    found = {f.name: f.message for f in rules.evaluate_archiving(monitor(archiver=never), PostgresConfig(dsn=DSN))}
    assert found["failures"].startswith("archiver failing: a WAL segment failed 40 s ago"), found
