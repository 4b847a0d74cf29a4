"""Whether two PostgreSQL connections reach the same running server, or a clone of it.

``system_identifier`` is fixed at ``initdb`` and copied by every physical copy of a cluster:
the source reached by another address, one of its standbys, its primary, and also a server
built from a snapshot or a base backup of it (a common restore-drill server) share it. So a
shared identifier alone cannot tell the source from a clone; two facts of the running server
can:

- the postmaster's start time (``pg_postmaster_start_time()``, to the microsecond): one
  running server has one, a clone started on its own has another;
- a live lock: a session on one server holds an advisory lock under a random key, and a
  session on the other looks for it in ``pg_locks`` (readable by every role). Only the same
  running server shows it; nothing is written anywhere.

A source that is itself a standby shares its identifier with its primary, which the lock
cannot tell from a clone (locks are not replicated): such a pair is refused. The timeline, the
WAL position and the data directory (readable with ``pg_monitor``) are recorded as evidence.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Any

import psycopg

from gonogo.facts.restore import ServerFacts
from gonogo.probes import pgconn

# advisory-lock namespace of the marker lock (first key of the two-int form): "gonp" as an int4
MARKER_CLASS = 0x676F6E70
_READ = """SELECT s.system_identifier,
    (extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint,
    pg_is_in_recovery(),
    CASE WHEN pg_is_in_recovery() THEN c.timeline_id
        ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
    (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
        ELSE pg_current_wal_lsn() END)::text,
    CASE WHEN pg_has_role('pg_read_all_settings', 'USAGE')
        THEN current_setting('data_directory') END
    FROM pg_control_system() s, pg_control_checkpoint() c"""
_SEEN = """SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
    AND classid = %s::oid AND objid = %s::oid AND objsubid = 2 AND pid = %s"""


def read(conn: psycopg.Connection[Any], target: str) -> ServerFacts:
    """The facts of the server behind ``conn`` (any role may read them)."""
    try:
        row = conn.execute(_READ).fetchone()
    except psycopg.Error as err:
        raise pgconn.probe_error(err, target) from err
    assert row is not None  # one row of scalars
    sysid, started, recovery, timeline, lsn, data_directory = row
    return ServerFacts(int(sysid), int(started), bool(recovery), int(timeline), lsn, data_directory)


def hold_marker(conn: psycopg.Connection[Any], target: str) -> int:
    """Take an advisory lock under a fresh random key on ``conn``'s session; the key."""
    key = secrets.randbelow(2**31)
    try:
        conn.execute("SELECT pg_advisory_lock(%s::int4, %s::int4)", (MARKER_CLASS, key))
    except psycopg.Error as err:
        raise pgconn.probe_error(err, target) from err
    return key


def release_marker(conn: psycopg.Connection[Any], key: int) -> None:
    """Give up the lock :func:`hold_marker` took (ending the session would too)."""
    with contextlib.suppress(psycopg.Error):  # a lost session has released it already
        conn.execute("SELECT pg_advisory_unlock(%s::int4, %s::int4)", (MARKER_CLASS, key))


def marker_seen(conn: psycopg.Connection[Any], key: int, pid: int, target: str) -> bool:
    """Whether the marker lock of backend ``pid`` is visible from ``conn``: the same server."""
    try:
        row = conn.execute(_SEEN, (MARKER_CLASS, key, pid)).fetchone()
    except psycopg.Error as err:
        raise pgconn.probe_error(err, target) from err
    return bool(row and row[0])


def refusal(scratch: ServerFacts, source: ServerFacts, seen: bool, name: str) -> str | None:
    """Why the server ``name`` (``scratch``) may be the source, else None (another server)."""
    if seen:
        return (
            f"scratch {name} is the source server reached by another name: a lock the drill "
            "holds there is visible from the source's connection"
        )
    if scratch.key == source.key:
        return (
            f"scratch {name} is the source server (same system_identifier and postmaster start "
            "time)"
        )
    if scratch.system_identifier == source.system_identifier and source.in_recovery:
        return (
            f"scratch {name} shares the system_identifier {source.system_identifier} of the "
            "source, which is a standby: it may be the source's primary; point [postgres] "
            "monitor_dsn (or dsn) at the primary so that a clone can be told from it"
        )
    return None
