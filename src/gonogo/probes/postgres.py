"""Read-only facts about a PostgreSQL server over the application DSN (``[postgres] dsn``).

Two probes read a server, each on its own connection, so that a deployment can give each the
role it needs: this one (the application DSN: connection, version, schema, migrations, roles)
and :mod:`gonogo.probes.pgmonitor` (``monitor_dsn``, else ``dsn``: replication, activity,
archiver and settings, which need ``pg_monitor``). The connections (:mod:`gonogo.probes.pgconn`)
are read-only with timeouts on both sides: the gate never writes to the database it checks,
and a server that stops answering fails the probe at a client-side deadline instead of hanging
it.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import psycopg
from psycopg import errors

from gonogo.facts.postgres import ConnectionFacts, PostgresFacts, RoleFacts
from gonogo.probes.pgconn import connect, connect_to, probe_error, target_of
from gonogo.schema.data import PostgresConfig

__all__ = ["PostgresFacts", "collect", "connect", "probe_error", "target_of"]


def collect(cfg: PostgresConfig) -> PostgresFacts:
    """Connect once over ``[postgres] dsn`` (read-only) and read the application-side facts."""
    target = target_of(cfg.dsn)
    started = time.monotonic()
    with connect_to(cfg) as conn:
        connect_ms = (time.monotonic() - started) * 1000
        try:
            connection = read_connection(conn, target, connect_ms, "dsn")
            head, head_error, sqlstate = _migration_head(conn, cfg.migrations_query)
            return PostgresFacts(
                connection=connection,
                tables=tuple(r[0] for r in conn.execute(_TABLES)),
                indexes=tuple(r[0] for r in conn.execute(_INDEXES)),
                migration_head=head,
                migration_error=head_error,
                role=_role(conn, cfg.app_role or connection.user),
                migration_sqlstate=sqlstate,
            )
        except psycopg.Error as err:
            raise probe_error(err, target) from err


def read_connection(
    conn: psycopg.Connection[Any], target: str, connect_ms: float, via: str
) -> ConnectionFacts:
    """What a connection reached, as whom, and its round trip (median of 3 ``SELECT 1``)."""
    rtts = []
    for _ in range(3):
        t = time.monotonic()
        conn.execute("SELECT 1").fetchone()
        rtts.append((time.monotonic() - t) * 1000)
    row = conn.execute(_IDENTITY).fetchone()
    assert row is not None  # one row of scalars
    version, in_recovery, user, database, ssl_protocol = row
    return ConnectionFacts(
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
        via=via,
    )


def _role(conn: psycopg.Connection[Any], name: str) -> RoleFacts:
    row = conn.execute(_ROLE, (name,)).fetchone()
    if row is None:
        return RoleFacts(name=name, exists=False)
    return RoleFacts(name, True, *(bool(v) for v in row))


# -- SQL: catalog views and functions readable by an unprivileged role -------------------------

_IDENTITY = """SELECT version(), pg_is_in_recovery(), current_user, current_database(),
    (SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid())"""
_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"
_TABLES = f"""SELECT schemaname || '.' || tablename FROM pg_tables
    WHERE schemaname NOT IN {_SYSTEM_SCHEMAS} ORDER BY 1"""
_INDEXES = f"""SELECT schemaname || '.' || indexname FROM pg_indexes
    WHERE schemaname NOT IN {_SYSTEM_SCHEMAS} ORDER BY 1"""
_ROLE = """SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
    FROM pg_roles WHERE rolname = %s"""


def _migration_head(
    conn: psycopg.Connection[Any], query: str
) -> tuple[str | None, str | None, str | None]:
    """Run the configured query in an explicit read-only transaction that is rolled back:
    ``(head, error, sqlstate)``."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("SET TRANSACTION READ ONLY")
            row = conn.execute(query).fetchone()
    except errors.QueryCanceled:
        raise
    except psycopg.DatabaseError as err:
        # a missing migrations table is a finding about the target, not a probe failure
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return None, f"{err.sqlstate or type(err).__name__}: {first}", err.sqlstate
    if row is None or row[0] is None:
        return None, None, None
    return str(row[0]), None, None
