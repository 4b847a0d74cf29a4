"""PostgreSQL rules: facts from :func:`gonogo.probes.postgres.collect` (the application DSN) and
:func:`gonogo.probes.pgmonitor.collect` (the monitoring DSN) + ``[postgres]`` thresholds.

Every check records which ``[postgres]`` DSN (and role) it read over (finding ``via``).

Check ids served:

- ``pg.connect``         connected, SELECT 1 round trip, TLS on the connection when required
- ``pg.version``         server major version >= ``min_version`` (plans: 13+)
- ``pg.schema``          ``required_tables`` and ``required_indexes`` exist
- ``pg.migrations``      the migrations query returns ``expected_migration`` (a privilege
                         missing to run it is an error, ``auth``, naming the grant)
- ``pg.replication``     streaming standbys >= ``min_standbys``, replay lag, slots active
- ``pg.capacity``        connections vs max_connections, oldest transaction and lock wait, size
- ``pg.archiving``       archive_mode on, archiver not failing, last archived WAL recent
- ``pg.slow-query-log``  log_min_duration_statement >= 0
- ``pg.app-role``        the application role is not a superuser
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from gonogo.model import Comparison, ErrorReason, Finding, compare, expect, info
from gonogo.schema.data import PostgresConfig

if TYPE_CHECKING:
    from gonogo.facts.postgres import ArchiverFacts, ConnectionFacts, MonitorFacts, PostgresFacts

_MONITOR_HINT = "grant pg_monitor to the gate's role to see them"
LE, GE, EQ = Comparison.LE, Comparison.GE, Comparison.EQ


def _at_most(name: str, value: Any, limit: Any, unit: str, what: str) -> Finding:
    return compare(name, value, LE, limit, unit=unit, what=what)


def _via(c: ConnectionFacts) -> Finding:
    """Which ``[postgres]`` DSN, role and database the check read over."""
    return info("via", f"read over [postgres] {c.via} as role {c.user} at {c.target}", c.via)


def evaluate_connect(facts: PostgresFacts, t: PostgresConfig) -> list[Finding]:
    c = facts.connection
    tls = f"TLS in use ({c.ssl_protocol})" if c.ssl_in_use else "TLS not in use"
    return [
        info(
            "connected",
            f"connected to {c.target} as {c.user} in {c.connect_ms:.0f} ms ([postgres] {c.via})",
            c.connect_ms,
            "ms",
        ),
        _at_most("rtt_ms", c.rtt_ms, t.max_rtt_ms, "ms", "SELECT 1 round trip"),
        expect("tls", c.ssl_in_use, f"{tls} (require_tls = true)", c.ssl_in_use, True)
        if t.require_tls
        else info("tls", f"{tls} (not required)", c.ssl_in_use),
    ]


def evaluate_version(facts: PostgresFacts, t: PostgresConfig) -> list[Finding]:
    num = facts.connection.server_version_num
    major = num // 10000  # 150004 -> 15; 9.6.24 is 90624 -> 9 (min_version is a major)
    return [
        compare("major_version", major, GE, t.min_version, what="server major version"),
        info(
            "version",
            facts.connection.server_version.split(" on ")[0],
            facts.connection.server_version,
        ),
        _via(facts.connection),
    ]


def _presence(kind: str, required: list[str], present: tuple[str, ...]) -> Finding:
    wanted = [n if "." in n else f"public.{n}" for n in required]  # bare names live in public
    if not wanted:
        return info(kind, f"no required {kind} configured ({len(present)} present)", len(present))
    missing = [n for n in wanted if n not in set(present)]
    if missing:
        return expect(
            kind,
            False,
            f"{len(missing)} of {len(wanted)} required {kind} missing: {', '.join(missing)}",
            missing,
            [],
        )
    return expect(kind, True, f"all {len(wanted)} required {kind} present", [], [])


def evaluate_schema(facts: PostgresFacts, t: PostgresConfig) -> list[Finding]:
    return [
        _presence("tables", t.required_tables, facts.tables),
        _presence("indexes", t.required_indexes, facts.indexes),
        _via(facts.connection),
    ]


def evaluate_migrations(facts: PostgresFacts, t: PostgresConfig) -> list[Finding]:
    expected, head, via = t.expected_migration, facts.migration_head, _via(facts.connection)
    if facts.migration_sqlstate == INSUFFICIENT_PRIVILEGE:
        # the schema may well be migrated: the role cannot tell, which proves nothing
        why = f"migrations query refused ({facts.migration_error}); {_grant(facts)}"
        return [Finding("head", False, why, None, expected, unverified=ErrorReason.AUTH), via]
    if facts.migration_error is not None:
        why = f"migrations query failed ({facts.migration_error}); is the schema migrated?"
        return [expect("head", False, why, None, expected), via]
    if expected is None:
        shown = "absent (no migration recorded)" if head is None else head
        return [info("head", f"schema head is {shown} (no expected_migration set)", head), via]
    return [compare("head", head, EQ, expected, what="schema migration head"), via]


INSUFFICIENT_PRIVILEGE = "42501"
# "permission denied for table schema_migrations" -> what to grant on it
_DENIED = re.compile(r"permission denied for (table|view|sequence|schema|function) (\S+)")
_GRANTS = {"schema": "USAGE ON SCHEMA", "function": "EXECUTE ON FUNCTION"}


def _grant(facts: PostgresFacts) -> str:
    """What to grant the DSN's role so that it can read the migrations."""
    user = facts.connection.user
    hit = _DENIED.search(facts.migration_error or "")
    what = f"{_GRANTS.get(hit[1], 'SELECT ON')} {hit[2]}" if hit else "SELECT ON <the table>"
    return (
        f"GRANT {what} TO {user} (or point [postgres] dsn at the application role; "
        "pg_monitor views go over monitor_dsn)"
    )


def evaluate_replication(facts: MonitorFacts, t: PostgresConfig) -> list[Finding]:
    found: list[Finding] = [_via(facts.connection)]
    if facts.connection.in_recovery:
        found.append(info("in_recovery", "the target is itself a standby (in recovery)", True))
    hidden = [s for s in facts.standbys if s.state is None]
    if hidden and not facts.stats_visible:
        who = facts.connection.user
        why = f"{len(hidden)} standby connection(s) hidden from {who}; {_MONITOR_HINT}"
        found.append(expect("visibility", False, why, False, True))
    streaming = [s for s in facts.standbys if s.state == "streaming"]
    found.append(compare("standbys", len(streaming), GE, t.min_standbys, what="streaming standbys"))
    for s in facts.standbys:
        name = s.name or s.client or "standby"
        if s.state not in ("streaming", None):
            why = f"standby {name} is {s.state}, not streaming"
            found.append(expect(f"state:{name}", False, why, s.state, "streaming"))
        if s.replay_lag_s is not None:
            lag = round(s.replay_lag_s, 2)
            found.append(
                _at_most(f"lag:{name}", lag, t.max_replay_lag_s, "s", f"{name} replay lag")
            )
        elif s.replay_lag_bytes is not None:
            lag_b, limit = s.replay_lag_bytes, t.max_replay_lag_bytes
            found.append(_at_most(f"lag:{name}", lag_b, limit, "bytes", f"{name} replay lag"))
    for slot in facts.slots:
        healthy = slot.active and slot.wal_status not in ("lost", "unreserved")
        state = "active" if slot.active else "INACTIVE (its consumer is gone; WAL piles up)"
        why = f"{slot.slot_type} slot {slot.name} is {state}"
        why += f", wal_status {slot.wal_status}" if slot.wal_status else ""
        found.append(expect(f"slot:{slot.name}", healthy, why, slot.active, True))
        if slot.retained_bytes is not None:
            held, limit = slot.retained_bytes, t.max_slot_retained_bytes
            found.append(
                _at_most(f"retained:{slot.name}", held, limit, "bytes", f"WAL held by {slot.name}")
            )
    return found


def evaluate_capacity(facts: MonitorFacts, t: PostgresConfig) -> list[Finding]:
    cap = facts.capacity
    ratio = round(cap.connections / cap.max_connections, 3) if cap.max_connections else None
    in_use = f"connections in use ({cap.connections} of {cap.max_connections})"
    xact, lock, prepared = (
        round(v or 0.0, 1)
        for v in (cap.oldest_xact_s, cap.oldest_lock_wait_s, cap.oldest_prepared_s)
    )
    found = [
        _at_most("connections_ratio", ratio, t.max_connections_ratio, "", in_use),
        _at_most("oldest_transaction_s", xact, t.max_xact_age_s, "s", "oldest open transaction"),
        _at_most("oldest_lock_wait_s", lock, t.max_lock_wait_s, "s", "oldest lock wait"),
        _at_most(
            "oldest_prepared_s", prepared, t.max_xact_age_s, "s", "oldest prepared transaction"
        ),
        _via(facts.connection),
    ]
    if not facts.stats_visible:
        # other roles' xact_start reads as NULL for us: an old transaction could hide there
        why = f"other roles' transactions are hidden from {facts.connection.user}; {_MONITOR_HINT}"
        found.append(expect("visibility", False, why, False, True))
    if cap.database_size_bytes is not None:
        mb = cap.database_size_bytes / 1024 / 1024
        why = f"database {facts.connection.database} is {mb:,.1f} MB"
        found.append(info("database_size", why, cap.database_size_bytes, "bytes"))
    return found


def evaluate_archiving(facts: MonitorFacts, t: PostgresConfig) -> list[Finding]:
    a = facts.archiver
    if not t.require_archiving:
        return [
            info("archive_mode", f"archive_mode = {a.archive_mode} (not required)", a.archive_mode),
            _via(facts.connection),
        ]
    command = (a.archive_command or "").strip()
    configured = bool(a.archive_library) or command not in ("", "(disabled)")
    where = "archive_command/archive_library " + (
        "set" if configured else "empty: nothing archived"
    )
    found = [
        compare(
            "archive_mode", a.archive_mode, Comparison.IN, ["on", "always"], what="archive_mode"
        ),
        expect("archive_command", configured, where, configured, True),
        _via(facts.connection),
    ]
    last_ok, last_bad = a.last_archived_age_s, a.last_failed_age_s
    failing = (
        a.failed_count > 0 and last_bad is not None and (last_ok is None or last_bad < last_ok)
    )
    found.append(_archive_failures(a, failing))
    if a.ready_count == 0:
        age = "never" if last_ok is None else f"{last_ok:.0f} s ago"
        why = f"no WAL waiting to be archived (last archived {age})"
        found.append(info("last_archived_age_s", why, last_ok, "s"))
        return found
    # WAL is waiting (or pg_wal/archive_status is hidden from us): the last success must be recent
    pending = (
        f"{a.ready_count} segment(s) waiting"
        if a.ready_count
        else f"pending WAL unknown, {_MONITOR_HINT}"
    )
    if last_ok is None:
        limit = t.max_archive_age_s
        why = f"no WAL archived yet ({pending}; required: the last within {limit:,.0f} s)"
        found.append(Finding("last_archived_age_s", False, why, None, limit, "s", LE))
        return found
    found.append(
        _at_most(
            "last_archived_age_s",
            round(last_ok),
            t.max_archive_age_s,
            "s",
            f"age of last archived WAL ({pending})",
        )
    )
    return found


def _archive_failures(a: ArchiverFacts, failing: bool) -> Finding:
    wal = f"WAL {a.last_failed_wal}" if a.last_failed_wal else "a WAL segment"
    if not failing:
        why = f"no archive failure since the last success ({a.archived_count} archived)"
    elif a.last_archived_age_s is None:
        why = (
            f"archiver failing: {wal} failed {a.last_failed_age_s:.0f} s ago "
            f"and no WAL was ever archived ({a.failed_count} failures in total)"
        )
    else:
        why = (
            f"archiver failing: {wal} failed {a.last_failed_age_s:.0f} s ago, "
            f"after the last success {a.last_archived_age_s:.0f} s ago "
            f"({a.failed_count} failures in total)"
        )
    return Finding("failures", not failing, why, a.failed_count, 0)


def evaluate_slow_query_log(facts: MonitorFacts, t: PostgresConfig) -> list[Finding]:
    ms = facts.log_min_duration_statement_ms
    state = "off" if ms < 0 else f"statements slower than {ms} ms are logged"
    why = f"slow-query log {state} (log_min_duration_statement = {ms})"
    found = [
        Finding("log_min_duration_statement", ms >= 0, why, ms, 0, "ms", GE),
        _via(facts.connection),
    ]
    if t.max_slow_query_ms is not None and ms >= 0:
        found.append(
            _at_most("slow_query_ms", ms, t.max_slow_query_ms, "ms", "log_min_duration_statement")
        )
    return found


def evaluate_app_role(facts: PostgresFacts, t: PostgresConfig) -> list[Finding]:
    r = facts.role
    if not r.exists:
        return [
            expect(
                "exists",
                False,
                f"application role {r.name} does not exist; set app_role",
                False,
                True,
            ),
            _via(facts.connection),
        ]
    flags = (
        ("CREATEROLE", r.createrole),
        ("CREATEDB", r.createdb),
        ("REPLICATION", r.replication),
        ("BYPASSRLS", r.bypassrls),
    )
    powers = [name for name, on in flags if on]
    what = "a SUPERUSER" if r.superuser else "not a superuser"
    return [
        expect(
            "superuser", not r.superuser, f"application role {r.name} is {what}", r.superuser, False
        ),
        info(
            "attributes", f"role {r.name} attributes: {', '.join(powers) or 'LOGIN only'}", powers
        ),
        _via(facts.connection),
    ]
