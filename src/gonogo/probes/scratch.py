"""The scratch server of the restore drill: prove it is not the source, clear leftovers, create
and drop the drill's own databases.

Refusals (the drill then restores nothing):

- by address, before connecting: the scratch DSN reaches the source's address and port,
  whatever database it names (a drill always creates its own database, so comparing database
  names protects nothing);
- by identity, once connected: the scratch server is a standby (``pg_is_in_recovery()``), or
  is the running source server under another name (a lock the drill holds on it is visible
  from the source's connection, or it has the source's ``system_identifier`` and postmaster
  start time), or shares the ``system_identifier`` of a source that is a standby (it may be
  its primary), or the source's identity cannot be read (nothing proves the scratch server is
  not the source). A server that shares the source's ``system_identifier`` but is another
  running server, a clone built from a snapshot or base backup of the source, is a valid
  target (see :mod:`gonogo.probes.sameserver`);
- by landing, after the drill database is created: a connection made with exactly the
  parameters the restore tools get (the scratch DSN naming the new database) must reach that
  database on the scratch server (its ``system_identifier`` and postmaster start time), empty,
  never on the source. A pooler that maps database
  names to servers (PgBouncer ``* = host=source``) would otherwise send pg_restore to the
  source while the admin connection saw the scratch server. The tools are then pointed at the
  address that session reached.

Each live drill holds a session advisory lock named after its database, so a later drill tells
the databases of a killed run (no lock holder) from those of a drill running right now.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import conninfo, sql

from gonogo.errors import ProbeAuthError, ProbeError
from gonogo.probes import pgconn, sameserver
from gonogo.schema.data import PostgresConfig

PREFIX = "gonogo_restore_"
# advisory-lock namespace of live drills (first key of the two-int form): "gono" as an int4
LOCK_CLASS = 0x676F6E6F
_LIKE = PREFIX.replace("_", r"\_") + "%"
# how long a drill keeps trying to drop its database when sessions it may not end are in it
DROP_WITHIN_S = 12.0
_END_OWN_SESSIONS = """SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()"""
_STALE = """SELECT d.datname FROM pg_database d WHERE d.datname LIKE %s AND NOT EXISTS (
    SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
    AND l.classid = %s::oid AND l.objid = hashtext(d.datname)::oid AND l.objsubid = 2)
    ORDER BY 1"""


def server_of(dsn: str) -> str:
    """``host:port`` of a DSN (no database, no password)."""
    return pgconn.target_of(dsn).rsplit("/", 1)[0]


def landed(conn: psycopg.Connection[Any]) -> str:
    """``host:port`` a connection actually reached (``[::1]:5432`` for IPv6)."""
    return pgconn.host_port(conn.info.host, conn.info.port)


def refusal_by_address(source_dsn: str, scratch_dsn: str) -> str | None:
    """Why the scratch DSN is the source server by address and port, else None."""
    (hosts_a, port_a), (hosts_b, port_b) = _endpoint(source_dsn), _endpoint(scratch_dsn)
    if hosts_a & hosts_b and port_a == port_b:
        return (
            f"scratch {server_of(scratch_dsn)} is the source server {server_of(source_dsn)} "
            "(same address and port): point scratch_dsn at a separate server"
        )
    return None


def same_endpoint(a: str, b: str) -> bool:
    """Whether two DSNs reach the same server (address set and port), whatever the database."""
    return refusal_by_address(a, b) is not None


def _endpoint(dsn: str) -> tuple[frozenset[str], int]:
    params = conninfo.conninfo_to_dict(dsn)
    hosts = str(params.get("hostaddr") or params.get("host") or os.environ.get("PGHOST") or "")
    port = int(str(params.get("port") or os.environ.get("PGPORT") or 5432).split(",")[0])
    addresses: set[str] = set()
    for host in hosts.split(",") if hosts else ["/socket"]:
        addresses |= _addresses(host.strip(), port)
    return frozenset(addresses), port


def _addresses(host: str, port: int) -> set[str]:
    # a Unix socket is on this machine, as is any loopback address: treat them as one place
    if not host or host.startswith(("/", "@")):
        return {"local"}
    try:
        found = {
            str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        }
    except OSError:
        return {host.lower()}
    return {"local" if ipaddress.ip_address(a.split("%")[0]).is_loopback else a for a in found}


class Unsafe(Exception):
    """The scratch server, or where a drill connection landed, is not a safe restore target."""


@dataclass(frozen=True, slots=True)
class Identity:
    """The scratch server (seen by the admin connection) and the source: every later drill
    connection must reach the first and never the second."""

    scratch: sameserver.ServerFacts
    source: sameserver.ServerFacts


def guard(admin: psycopg.Connection[Any], scratch: str, pg: PostgresConfig) -> Identity:
    """The identities of the connected scratch server and the source (read over the monitoring
    DSN); raises Unsafe when the scratch server must not be restored into."""
    mine = sameserver.read(admin, scratch)
    if mine.in_recovery:
        raise Unsafe(
            f"scratch {scratch} is a standby (pg_is_in_recovery() is true): "
            "point scratch_dsn at a separate primary server"
        )
    source = pgconn.target_of(pg.monitoring[1])
    key = sameserver.hold_marker(admin, scratch)
    try:
        with pgconn.connect_monitor(pg) as conn:
            theirs = sameserver.read(conn, source)
            seen = sameserver.marker_seen(conn, key, admin.info.backend_pid, source)
    except ProbeError as err:
        raise Unsafe(
            f"cannot read the source's identity ({err}): nothing proves {scratch} is not the source"
        ) from err
    finally:
        sameserver.release_marker(admin, key)
    why = sameserver.refusal(mine, theirs, seen, scratch)
    if why is not None:
        raise Unsafe(why)
    return Identity(scratch=mine, source=theirs)


def session(
    dsn: str, name: str, ident: Identity, *, empty: bool, statement_timeout_ms: int
) -> pgconn.WatchedConnection:
    """A connection to the drill database ``name`` made with exactly the parameters the restore
    tools get (the scratch DSN with ``dbname=name``), proven to have landed there: raises
    Unsafe when a pooler or proxy routed it to another database or server.

    ``empty``: the database must not hold a single table yet (before the restore).
    """
    target = f"{server_of(dsn)}/{name}"
    conn = pgconn.connect(
        conninfo.make_conninfo(dsn, dbname=name),
        connect_timeout_s=10,
        statement_timeout_ms=statement_timeout_ms,
    )
    try:
        row = conn.execute(_LANDED).fetchone()
        assert row is not None  # one row of scalars
        _landed(name, ident, target, *row, empty=empty)
    except psycopg.Error as err:
        conn.close()
        raise pgconn.probe_error(err, target) from err
    except Unsafe:
        conn.close()
        raise
    return conn


_LANDED = r"""SELECT current_database(), system_identifier,
    (extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint, pg_is_in_recovery(),
    (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'f', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%')
    FROM pg_control_system()"""


def _landed(
    name: str,
    ident: Identity,
    target: str,
    db: str,
    sysid: int,
    started_us: int,
    standby: bool,
    tables: int,
    *,
    empty: bool,
) -> None:
    where = f"the drill's connection to {target} reached"
    fix = "point scratch_dsn at the scratch server itself, not a pooler or proxy that routes it"
    reached = (int(sysid), int(started_us))
    if reached == ident.source.key:
        raise Unsafe(f"{where} the SOURCE server (system_identifier {sysid}): {fix}")
    if reached != ident.scratch.key:
        raise Unsafe(
            f"{where} another server (system_identifier {sysid}, postmaster started at "
            f"{started_us} us; the scratch server's: {ident.scratch.system_identifier}, "
            f"{ident.scratch.started_us} us): {fix}"
        )
    if db != name:
        raise Unsafe(f"{where} database {db!r}, not {name}: {fix}")
    if standby:
        raise Unsafe(f"{where} a standby: {fix}")
    if empty and tables:
        raise Unsafe(
            f"{where} {name} already holding {tables} table(s) before the restore "
            "(template1 of the scratch server has tables?): refusing to mix them with the backup"
        )


def stale(admin: psycopg.Connection[Any], target: str) -> list[str]:
    """Databases of earlier drills that no live drill holds (a killed run left them)."""
    try:
        return [r[0] for r in admin.execute(_STALE, (_LIKE, LOCK_CLASS)).fetchall()]
    except psycopg.Error as err:
        raise pgconn.probe_error(err, target) from err


def create(admin: psycopg.Connection[Any], target: str) -> str:
    """Create a fresh ``gonogo_restore_<random>`` database, locked as live for this session.

    Only its owner (the drill's role) and superusers may connect to it: a session of another
    role in it could not be ended by the drill's role, and would keep it from being dropped.
    """
    name = PREFIX + secrets.token_hex(6)
    ident = sql.Identifier(name)
    try:
        admin.execute("SELECT pg_advisory_lock(%s::int4, hashtext(%s))", (LOCK_CLASS, name))
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template1").format(ident))
        admin.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(ident))
    except psycopg.errors.InsufficientPrivilege as err:
        raise ProbeAuthError(
            f"postgres {target}: cannot create the scratch database ({str(err).strip()[:150]}); "
            "give the scratch_dsn role CREATEDB"
        ) from err
    except psycopg.Error as err:  # a timeout or a lost connection is not a missing privilege
        raise pgconn.probe_error(err, target) from err
    return name


def drop(admin: psycopg.Connection[Any], name: str, within_s: float = DROP_WITHIN_S) -> bool:
    """Drop a drill database (sessions in it are ended); whether it is gone afterwards.

    ``WITH (FORCE)`` ends the sessions in it, but refuses outright when one of them belongs to
    a role the drill's role may not signal: an autovacuum worker (no role; it vacuums the
    restored tables) needs ``pg_signal_backend``. A plain ``DROP DATABASE`` stops autovacuum
    workers itself and waits up to 5 s for them, so after such a refusal the drill ends its own
    role's sessions in the database and drops it plainly, retrying until ``within_s``.
    """
    assert name.startswith(PREFIX)  # never drop anything a drill did not create
    ident = sql.Identifier(name)
    try:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
    except psycopg.errors.InsufficientPrivilege:
        _drop_plainly(admin, name, time.monotonic() + within_s)
    except psycopg.Error:
        pass  # a lost connection: whether it is gone is checked below (a later drill drops it)
    with contextlib.suppress(psycopg.Error):
        row = admin.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        return row is not None and row[0] == 0
    return False


def _drop_plainly(admin: psycopg.Connection[Any], name: str, deadline: float) -> None:
    drop = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
    while True:
        with contextlib.suppress(psycopg.Error):
            admin.execute(_END_OWN_SESSIONS, (name,))
        try:
            admin.execute(drop)
            return
        except psycopg.errors.ObjectInUse:  # "being accessed by other users" after 5 s
            if time.monotonic() >= deadline:
                return
        except psycopg.Error:
            return


def release(admin: psycopg.Connection[Any], name: str) -> None:
    """Give up the live-drill lock ``create`` took (ending the session would too)."""
    with contextlib.suppress(psycopg.Error):
        admin.execute("SELECT pg_advisory_unlock(%s::int4, hashtext(%s))", (LOCK_CLASS, name))
