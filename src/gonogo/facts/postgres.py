"""What a PostgreSQL connection showed: identity, schema and role (the application DSN), and
replication, capacity and archiving (the monitoring DSN) (:mod:`gonogo.probes.postgres`,
:mod:`gonogo.probes.pgmonitor` → :mod:`gonogo.rules.postgres`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConnectionFacts:
    """Attributes: target (host:port/db), server version, timings, TLS, role of the server,
    the role logged in as, and ``via``: the ``[postgres]`` key whose DSN was used."""

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
    via: str = "dsn"


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
    """What the application-side ``pg.*`` rules judge (connect, version, schema, migrations,
    app-role).

    Attributes:
        connection: how the connection went and what the server is.
        tables / indexes: ``schema.name`` of every user table / index.
        migration_head: first column of the migrations query, as text.
        migration_error: why the migrations query failed (e.g. no such table), else None;
            migration_sqlstate: its SQLSTATE (``42501``: a privilege is missing).
        role: see :class:`RoleFacts`.
    """

    connection: ConnectionFacts
    tables: tuple[str, ...]
    indexes: tuple[str, ...]
    migration_head: str | None
    migration_error: str | None
    role: RoleFacts
    migration_sqlstate: str | None = None


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
class MonitorFacts:
    """What the monitoring ``pg.*`` rules judge (replication, capacity, archiving, slow-query-log).

    Attributes:
        connection: the monitoring connection (``via``: ``monitor_dsn`` or ``dsn``).
        stats_visible: our role sees other sessions' details (``pg_read_all_stats``).
        standbys / slots: ``pg_stat_replication`` and ``pg_replication_slots``.
        capacity / archiver: see their classes.
        log_min_duration_statement_ms: -1 when slow-query logging is off.
    """

    connection: ConnectionFacts
    stats_visible: bool
    standbys: tuple[StandbyFacts, ...]
    slots: tuple[SlotFacts, ...]
    capacity: CapacityFacts
    archiver: ArchiverFacts
    log_min_duration_statement_ms: int
