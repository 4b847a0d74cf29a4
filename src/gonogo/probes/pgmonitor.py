"""Read-only monitoring facts about a PostgreSQL server: replication, activity, archiver, settings.

Read over ``[postgres] monitor_dsn`` (else ``dsn``): the statistics views show other sessions'
details, standby state and the archive status directory only to a role with ``pg_monitor``,
which deployments that separate roles give to a monitoring role, not to the application's.
Ages are computed by the server (``now() - ...``) so the gate's clock does not matter.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
from psycopg import errors

from gonogo.facts.postgres import (
    ArchiverFacts,
    CapacityFacts,
    MonitorFacts,
    SlotFacts,
    StandbyFacts,
)
from gonogo.probes.pgconn import connect_monitor, probe_error, target_of
from gonogo.probes.postgres import ConnectionFacts, read_connection
from gonogo.schema.data import PostgresConfig


def collect(cfg: PostgresConfig) -> MonitorFacts:
    """Connect once over the monitoring DSN (read-only) and read every monitoring fact."""
    via, dsn = cfg.monitoring
    target = target_of(dsn)
    started = time.monotonic()
    with connect_monitor(cfg) as conn:
        connect_ms = (time.monotonic() - started) * 1000
        try:
            return _read(conn, read_connection(conn, target, connect_ms, via))
        except psycopg.Error as err:
            raise probe_error(err, target) from err


def _read(conn: psycopg.Connection[Any], connection: ConnectionFacts) -> MonitorFacts:
    lsn = "pg_last_wal_receive_lsn()" if connection.in_recovery else "pg_current_wal_lsn()"
    (stats_visible,) = _one(conn, _STATS_VISIBLE)
    return MonitorFacts(
        connection=connection,
        stats_visible=bool(stats_visible),
        standbys=tuple(StandbyFacts(*r) for r in conn.execute(_STANDBYS.format(lsn=lsn))),
        slots=tuple(SlotFacts(*r) for r in conn.execute(_SLOTS.format(lsn=lsn))),
        capacity=CapacityFacts(*_capacity(conn)),
        archiver=ArchiverFacts(*_archiver(conn)),
        log_min_duration_statement_ms=int(_one(conn, _SLOW_QUERY_LOG)[0]),
    )


# -- SQL ---------------------------------------------------------------------------------------
# Views readable by any role, with other sessions' details and the archive status directory
# shown only to pg_monitor (both optional: the rules then say what is hidden).

_STATS_VISIBLE = "SELECT pg_has_role('pg_read_all_stats', 'USAGE')"
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


def _one(conn: psycopg.Connection[Any], sql: str) -> tuple[Any, ...]:
    row = conn.execute(sql).fetchone()
    assert row is not None, sql  # aggregate queries always return one row
    return tuple(row)


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
