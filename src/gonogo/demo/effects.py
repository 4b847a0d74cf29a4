"""Apply and revert the data-store faults (PostgreSQL, Redis). Web faults: see ``stack.py``;
backup faults: ``backup_faults.py``.

Every revert waits until the component is back to the clean state the next test expects
(e.g. the standby streaming again, the AOF rewritten), each wait with a timeout.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from gonogo.demo import app_process, host_faults
from gonogo.demo.components import Components, RunState
from gonogo.demo.postgres import HEAD_MIGRATION
from gonogo.demo.procs import wait_until
from gonogo.demo.redis import MAXMEMORY
from gonogo.errors import DemoError

if TYPE_CHECKING:
    import psycopg

Effect = Callable[[Components, RunState], None]


def _stop(component: str) -> Effect:
    def effect(c: Components, state: RunState) -> None:
        pid = state.pids.get(component, 0)
        if component.startswith("postgres"):
            c.pg.stop(pid)
        else:
            c.redis.stop(pid)
        state.pids[component] = 0

    return effect


def _start(component: str) -> Effect:
    def effect(c: Components, state: RunState) -> None:
        kind, role = component.split("-", 1)
        pids = state.pids
        # wait for replication only where another active fault does not prevent it
        if kind == "postgres":
            pids[component] = c.pg.start(role)
            if pids.get("postgres-primary") and pids.get("postgres-standby"):
                c.pg.wait_streaming(timeout=30.0, caught_up=True)
        else:
            pids[component] = c.redis.start(role)
            if pids.get("redis-replica") and "no-replica" not in state.faults:
                c.redis.wait_linked()
        # the app must see the dependency again before the next test (health-degraded
        # reports the cache down on purpose, so there is nothing to wait for then)
        check = {"primary": "database", "master": "cache"}.get(role)
        if (
            check
            and state.pids.get("app")
            and not (check == "cache" and "health-degraded" in state.faults)
        ):
            app_process.wait_dependency(c.layout, c.ports, check)

    return effect


def _sql(statement: str) -> Effect:
    def effect(c: Components, state: RunState) -> None:
        with c.pg.connect(c.pg.primary) as conn:
            conn.execute(statement)

    return effect


def _delete_head_migration(c: Components, state: RunState) -> None:
    with c.pg.connect(c.pg.primary) as conn:
        row = conn.execute(
            "DELETE FROM schema_migrations WHERE version = %s RETURNING applied_at::text",
            (HEAD_MIGRATION,),
        ).fetchone()
    state.data["migrations-behind"] = row[0] if row else None


def _restore_head_migration(c: Components, state: RunState) -> None:
    applied_at = state.data.pop("migrations-behind", None)
    with c.pg.connect(c.pg.primary) as conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at)"
            " VALUES (%s, coalesce(%s::timestamptz, now())) ON CONFLICT (version) DO NOTHING",
            (HEAD_MIGRATION, applied_at),
        )


def _archiver(conn: psycopg.Connection) -> tuple[int, float, float]:
    row = conn.execute(
        "SELECT failed_count, coalesce(extract(epoch FROM last_archived_time), 0),"
        " coalesce(extract(epoch FROM last_failed_time), 0) FROM pg_stat_archiver"
    ).fetchone()
    assert row is not None  # pg_stat_archiver always has exactly one row
    return int(row[0]), float(row[1]), float(row[2])


def _switch_wal(conn: psycopg.Connection) -> None:
    # pg_switch_wal() is a no-op on an empty segment: write something first
    conn.execute("SELECT txid_current()")
    conn.execute("SELECT pg_switch_wal()")


def _break_archiving(c: Components, state: RunState) -> None:
    with c.pg.connect(c.pg.primary, "postgres") as conn:
        failed_before = _archiver(conn)[0]
        conn.execute("ALTER SYSTEM SET archive_command = 'false'")
        conn.execute("SELECT pg_reload_conf()")
        # the archiver rereads its config asynchronously: keep switching until one fails
        _switch_until(
            conn, lambda: _archiver(conn)[0] > failed_before, "a failed WAL archive attempt"
        )


def _repair_archiving(c: Components, state: RunState) -> None:
    with c.pg.connect(c.pg.primary, "postgres") as conn:
        conn.execute("ALTER SYSTEM RESET archive_command")
        conn.execute("SELECT pg_reload_conf()")

        def healthy() -> bool:
            _, archived, failed = _archiver(conn)
            return archived > failed

        _switch_until(conn, healthy, "a successful WAL archive after the failure")


def _switch_until(conn: psycopg.Connection, done: Callable[[], bool], what: str) -> None:
    last_switch = 0.0

    def ready() -> bool:
        nonlocal last_switch
        if done():
            return True
        if time.monotonic() - last_switch > 2.0:
            _switch_wal(conn)
            last_switch = time.monotonic()
        return False

    wait_until("postgres-primary", what, ready, timeout=30.0, interval=0.1)


def _redis_config(name: str, value: str, role: str = "master") -> Effect:
    def effect(c: Components, state: RunState) -> None:
        with c.redis.client(role) as client:
            client.config_set(name, value)

    return effect


def _aof_on(c: Components, state: RunState) -> None:
    _redis_config("appendonly", "yes")(c, state)
    c.redis.wait_aof_ready()


def _detach_replica(c: Components, state: RunState) -> None:
    with c.redis.client("replica") as client:
        client.replicaof("NO", "ONE")


def _attach_replica(c: Components, state: RunState) -> None:
    with c.redis.client("replica") as client:
        client.replicaof("127.0.0.1", str(c.ports.redis))
    if state.pids.get("redis-master"):  # redis-down may be active too
        c.redis.wait_linked()


def _require_password(c: Components, state: RunState) -> None:
    # while requirepass is empty the named user still authenticates (any password matches)
    _redis_config("requirepass", c.secrets.redis_password)(c, state)


# A child that holds idle sessions open (a leaky connection pool), stopped by PID on revert.
_HOG = """
import sys, time, psycopg
conns = [psycopg.connect(sys.argv[1], autocommit=True, connect_timeout=5) for _ in range(int(sys.argv[2]))]
print(f"holding {len(conns)} sessions", flush=True)
while True:
    time.sleep(60)
"""
_CLIENTS = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
HOG_SHARE = 0.85  # above pg.capacity's default 0.8, below the non-superuser limit


def _hold_connections(c: Components, state: RunState) -> None:
    with c.pg.connect(c.pg.primary) as conn:
        limit = int(_scalar(conn, "SHOW max_connections"))
        before = int(_scalar(conn, _CLIENTS))
    count = max(int(limit * HOG_SHARE) - before, 1)
    dsn = f"host={c.layout.pg_socket_dir} port={c.pg.primary.port} user=postgres dbname=app"
    pid = c.procs.spawn(
        "pg-hog", [sys.executable, "-c", _HOG, dsn, str(count)], c.layout.log("pg-hog")
    )
    state.data["hog_pid"] = pid

    def held() -> bool:
        with c.pg.connect(c.pg.primary) as conn:
            return int(_scalar(conn, _CLIENTS)) >= before + count

    wait_until("postgres", f"{count} idle sessions held", held, timeout=30.0, interval=0.2)


def _release_connections(c: Components, state: RunState) -> None:
    c.procs.stop(int(state.data.pop("hog_pid", 0)), timeout=10.0)


def _scalar(conn: psycopg.Connection, sql: str) -> str:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return str(row[0])


def _reload_with(setting: str, value: str | None) -> Effect:
    def effect(c: Components, state: RunState) -> None:
        with c.pg.connect(c.pg.primary) as conn:
            if value is None:
                conn.execute(f"ALTER SYSTEM RESET {setting}")
            else:
                conn.execute(f"ALTER SYSTEM SET {setting} = '{value}'")
            conn.execute("SELECT pg_reload_conf()")

    return effect


# name -> (apply, revert)
EFFECTS: dict[str, tuple[Effect, Effect]] = {
    "postgres-down": (_stop("postgres-primary"), _start("postgres-primary")),
    "standby-stopped": (_stop("postgres-standby"), _start("postgres-standby")),
    "missing-table": (
        _sql("ALTER TABLE orders RENAME TO orders_renamed"),
        _sql("ALTER TABLE orders_renamed RENAME TO orders"),
    ),
    "missing-index": (
        _sql("DROP INDEX orders_created_at_idx"),
        _sql("CREATE INDEX orders_created_at_idx ON orders (created_at)"),
    ),
    "migrations-behind": (_delete_head_migration, _restore_head_migration),
    "archiving-broken": (_break_archiving, _repair_archiving),
    "app-superuser": (_sql("ALTER ROLE app SUPERUSER"), _sql("ALTER ROLE app NOSUPERUSER")),
    "slow-query-log-off": (
        _reload_with("log_min_duration_statement", "-1"),
        _reload_with("log_min_duration_statement", None),
    ),
    "connections-exhausted": (_hold_connections, _release_connections),
    "redis-down": (_stop("redis-master"), _start("redis-master")),
    "aof-off": (_redis_config("appendonly", "no"), _aof_on),
    "no-replica": (_detach_replica, _attach_replica),
    "no-maxmemory": (_redis_config("maxmemory", "0"), _redis_config("maxmemory", MAXMEMORY)),
    "small-maxmemory": (_redis_config("maxmemory", "8mb"), _redis_config("maxmemory", MAXMEMORY)),
    "redis-no-auth": (_redis_config("requirepass", ""), _require_password),
}

EFFECTS |= host_faults.EFFECTS  # host.* and config.* faults (demo/host_faults.py)


# faults that talk to a running server: refused while a "-down" fault has stopped it
NEEDS_RUNNING = {
    "postgres-primary": (
        "missing-table",
        "missing-index",
        "migrations-behind",
        "archiving-broken",
        "app-superuser",
        "slow-query-log-off",
        "connections-exhausted",
    ),
    "redis-master": ("aof-off", "no-maxmemory", "small-maxmemory", "redis-no-auth"),
}


def require_running(name: str, state: RunState) -> None:
    for component, names in NEEDS_RUNNING.items():
        if name in names and not state.pids.get(component):
            raise DemoError(f"{component}: stopped by another fault; cannot apply/revert {name}")
