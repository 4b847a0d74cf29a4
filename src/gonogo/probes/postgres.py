"""Read-only facts about a PostgreSQL server: one connection feeds every ``pg.*`` check.

The connection (:mod:`gonogo.probes.pgconn`) is read-only with timeouts on both sides: the gate
never writes to the database it checks, and a server that stops answering fails the probe at a
client-side deadline instead of hanging it. Ages are computed by the server (``now() - ...``)
so the gate's clock does not matter.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors

from gonogo.probes.pgconn import connect, connect_to, probe_error, target_of
from gonogo.schema.data import PostgresConfig

__all__ = ["PostgresFacts", "collect", "connect", "probe_error", "target_of"]


@dataclass(frozen=True, slots=True)
class ConnectionFacts:
    """Attributes: target (host:port/db), server version, timings, TLS, role of the server."""

    target: str
    server_version_num: int
    server_version: str
    connect_ms: float
    rtt_ms: float
    ssl_in_use: bool
    ssl_protocol: str | None
    in_recovery: bool
    user: str
    database: str


@dataclass(frozen=True, slots=True)
class StandbyFacts:
    """One row of ``pg_stat_replication`` (``state`` is None when hidden from our role)."""

    name: str
    client: str | None
    state: str | None
    sync_state: str | None
    replay_lag_s: float | None
    replay_lag_bytes: int | None


@dataclass(frozen=True, slots=True)
class SlotFacts:
    """One replication slot and how much WAL it holds back."""

    name: str
    slot_type: str
    active: bool
    wal_status: str | None
    retained_bytes: int | None


@dataclass(frozen=True, slots=True)
class CapacityFacts:
    """Connections, oldest transaction/lock/prepared transaction (seconds), database size."""

    connections: int
    max_connections: int
    reserved_connections: int
    oldest_xact_s: float | None
    oldest_lock_wait_s: float | None
    oldest_prepared_s: float | None
    database_size_bytes: int | None


@dataclass(frozen=True, slots=True)
class ArchiverFacts:
    """Archive settings and ``pg_stat_archiver`` (``ready_count`` None: needs pg_monitor)."""

    archive_mode: str
    archive_command: str | None
    archive_library: str | None
    archived_count: int
    last_archived_wal: str | None
    last_archived_age_s: float | None
    failed_count: int
    last_failed_wal: str | None
    last_failed_age_s: float | None
    ready_count: int | None


@dataclass(frozen=True, slots=True)
class RoleFacts:
    """Attributes of the application role (``exists`` False when there is no such role)."""

    name: str
    exists: bool
    superuser: bool = False
    createrole: bool = False
    createdb: bool = False
    replication: bool = False
    bypassrls: bool = False


@dataclass(frozen=True, slots=True)
class PostgresFacts:
    """Everything the ``pg.*`` rules judge.

    Attributes:
        connection: how the connection went and what the server is.
        stats_visible: our role sees other sessions' details (``pg_read_all_stats``).
        tables / indexes: ``schema.name`` of every user table / index.
        migration_head: first column of the migrations query, as text.
        migration_error: why the migrations query failed (e.g. no such table), else None.
        standbys / slots: ``pg_stat_replication`` and ``pg_replication_slots``.
        capacity / archiver / role: see their classes.
        log_min_duration_statement_ms: -1 when slow-query logging is off.
    """

    connection: ConnectionFacts
    stats_visible: bool
    tables: tuple[str, ...]
    indexes: tuple[str, ...]
    migration_head: str | None
    migration_error: str | None
    standbys: tuple[StandbyFacts, ...]
    slots: tuple[SlotFacts, ...]
    capacity: CapacityFacts
    archiver: ArchiverFacts
    log_min_duration_statement_ms: int
    role: RoleFacts


def collect(cfg: PostgresConfig) -> PostgresFacts:
    """Connect once (read-only) and read every fact the ``pg.*`` checks need."""
    target = target_of(cfg.dsn)
    started = time.monotonic()
    with connect_to(cfg) as conn:
        connect_ms = (time.monotonic() - started) * 1000
        try:
            return _read(conn, cfg, target, connect_ms)
        except psycopg.Error as err:
            raise probe_error(err, target) from err


def _read(
    conn: psycopg.Connection[Any], cfg: PostgresConfig, target: str, connect_ms: float
) -> PostgresFacts:
    rtts = []
    for _ in range(3):
        t = time.monotonic()
        conn.execute("SELECT 1").fetchone()
        rtts.append((time.monotonic() - t) * 1000)
    version, in_recovery, user, database, stats_visible, ssl_protocol = _one(conn, _IDENTITY)
    connection = ConnectionFacts(
        target=target,
        server_version_num=conn.info.server_version,
        server_version=version,
        connect_ms=round(connect_ms, 1),
        rtt_ms=round(statistics.median(rtts), 2),
        ssl_in_use=bool(conn.pgconn.ssl_in_use),
        ssl_protocol=ssl_protocol,
        in_recovery=bool(in_recovery),
        user=user,
        database=database,
    )
    head, head_error = _migration_head(conn, cfg.migrations_query)
    lsn = "pg_last_wal_receive_lsn()" if in_recovery else "pg_current_wal_lsn()"
    return PostgresFacts(
        connection=connection,
        stats_visible=bool(stats_visible),
        tables=tuple(r[0] for r in conn.execute(_TABLES)),
        indexes=tuple(r[0] for r in conn.execute(_INDEXES)),
        migration_head=head,
        migration_error=head_error,
        standbys=tuple(StandbyFacts(*r) for r in conn.execute(_STANDBYS.format(lsn=lsn))),
        slots=tuple(SlotFacts(*r) for r in conn.execute(_SLOTS.format(lsn=lsn))),
        capacity=CapacityFacts(*_capacity(conn)),
        archiver=ArchiverFacts(*_archiver(conn)),
        log_min_duration_statement_ms=int(_one(conn, _SLOW_QUERY_LOG)[0]),
        role=_role(conn, cfg.app_role or user),
    )


def _role(conn: psycopg.Connection[Any], name: str) -> RoleFacts:
    row = conn.execute(_ROLE, (name,)).fetchone()
    if row is None:
        return RoleFacts(name=name, exists=False)
    return RoleFacts(name, True, *(bool(v) for v in row))


# -- SQL ---------------------------------------------------------------------------------------
# Only catalog views and functions readable by an unprivileged role, except the archive status
# directory (pg_monitor), which is optional.

_IDENTITY = """SELECT version(), pg_is_in_recovery(), current_user, current_database(),
    pg_has_role('pg_read_all_stats', 'USAGE'),
    (SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid())"""
_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"
_TABLES = f"""SELECT schemaname || '.' || tablename FROM pg_tables
    WHERE schemaname NOT IN {_SYSTEM_SCHEMAS} ORDER BY 1"""
_INDEXES = f"""SELECT schemaname || '.' || indexname FROM pg_indexes
    WHERE schemaname NOT IN {_SYSTEM_SCHEMAS} ORDER BY 1"""
_STANDBYS = """SELECT application_name, host(client_addr), state, sync_state,
    extract(epoch FROM replay_lag)::float8, pg_wal_lsn_diff({lsn}, replay_lsn)::bigint
    FROM pg_stat_replication ORDER BY application_name"""
_SLOTS = """SELECT slot_name, slot_type, active, wal_status,
    pg_wal_lsn_diff({lsn}, restart_lsn)::bigint FROM pg_replication_slots ORDER BY slot_name"""
_CONNECTIONS = """SELECT count(*) FILTER (WHERE backend_type = 'client backend'),
    current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int,
    extract(epoch FROM now() - min(xact_start) FILTER (
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()))::float8,
    pg_database_size(current_database())
    FROM pg_stat_activity"""
# pg_locks.waitstart exists from PostgreSQL 14; before, the waiter's state change is the best clue
_LOCK_WAIT_14 = """SELECT extract(epoch FROM now() - min(waitstart))::float8
    FROM pg_locks WHERE NOT granted"""
_LOCK_WAIT_13 = """SELECT extract(epoch FROM now() - min(a.state_change))::float8
    FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE NOT l.granted"""
_PREPARED = "SELECT extract(epoch FROM now() - min(prepared))::float8 FROM pg_prepared_xacts"
_ARCHIVER = """SELECT current_setting('archive_mode'), current_setting('archive_command', true),
    current_setting('archive_library', true), archived_count, last_archived_wal,
    extract(epoch FROM now() - last_archived_time)::float8, failed_count, last_failed_wal,
    extract(epoch FROM now() - last_failed_time)::float8 FROM pg_stat_archiver"""
_READY = "SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'"
_SLOW_QUERY_LOG = "SELECT setting FROM pg_settings WHERE name = 'log_min_duration_statement'"
_ROLE = """SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
    FROM pg_roles WHERE rolname = %s"""


def _one(conn: psycopg.Connection[Any], sql: str) -> tuple[Any, ...]:
    row = conn.execute(sql).fetchone()
    assert row is not None, sql  # aggregate queries always return one row
    return tuple(row)


def _migration_head(conn: psycopg.Connection[Any], query: str) -> tuple[str | None, str | None]:
    """Run the configured query in an explicit read-only transaction that is rolled back."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("SET TRANSACTION READ ONLY")
            row = conn.execute(query).fetchone()
    except errors.QueryCanceled:
        raise
    except psycopg.DatabaseError as err:
        # a missing migrations table is a finding about the target, not a probe failure
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return None, f"{err.sqlstate or type(err).__name__}: {first}"
    if row is None or row[0] is None:
        return None, None
    return str(row[0]), None


def _capacity(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    connections, max_conn, reserved, oldest_xact, size = _one(conn, _CONNECTIONS)
    lock_sql = _LOCK_WAIT_14 if conn.info.server_version >= 140000 else _LOCK_WAIT_13
    (lock_wait,) = _one(conn, lock_sql)
    (prepared,) = _one(conn, _PREPARED)
    return connections, max_conn, reserved, oldest_xact, lock_wait, prepared, size


def _archiver(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    row = _one(conn, _ARCHIVER)
    try:
        (ready,) = _one(conn, _READY)
    except errors.InsufficientPrivilege:
        ready = None  # needs pg_monitor; the rule then falls back to the archive age alone
    return (*row, ready)
