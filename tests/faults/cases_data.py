"""Fault cases of the data stores and backups: pg.*, redis.*, backup.* (see cases.py).

Verdicts follow severity: a failed major alone is CONDITIONAL, but some findings escalate their
check to blocker (redis.persistence with AOF off; backup.restore when the backup does not
restore, leaves a source table out or its rows differ), which makes the verdict NO-GO. Schema
changes on the source (missing-table, migrations-behind) fail pg.schema / pg.migrations only:
the drill matches a renamed table by OID and allows row_slack rows of drift.
"""

from __future__ import annotations

from typing import Any

import psycopg

from faults.cases import case

DATA = [
    case(
        "postgres-down",
        ("pg.connect", "pg.version", "pg.schema"),
        "checks/test_postgres.py",
        outcome="error",
    ),
    case("missing-table", "pg.schema", "checks/test_postgres.py"),
    case("missing-index", "pg.schema", "checks/test_postgres.py"),
    case("migrations-behind", "pg.migrations", "checks/test_postgres.py"),
    case("standby-stopped", "pg.replication", "checks/test_postgres.py"),
    case("archiving-broken", "pg.archiving", "checks/test_postgres.py"),
    case("app-superuser", "pg.app-role", "checks/test_postgres.py"),
    case("slow-query-log-off", "pg.slow-query-log", "checks/test_postgres.py"),
    case("connections-exhausted", "pg.capacity", "checks/test_postgres.py"),
    case("redis-down", ("redis.ping", "redis.version"), "checks/test_redis.py", outcome="error"),
    # AOF off escalates redis.persistence (major) to blocker: a restart loses data
    case("aof-off", "redis.persistence", "checks/test_redis.py"),
    case("no-replica", "redis.replication", "checks/test_redis.py"),
    case("no-maxmemory", "redis.memory", "checks/test_redis.py"),
    # a limit is set, but below [redis] min_maxmemory: the size is judged, not only its presence
    case("small-maxmemory", "redis.memory", "checks/test_redis.py"),
    case("redis-no-auth", "redis.auth", "checks/test_redis.py"),
]

BACKUP = [
    case("stale-backup", "backup.freshness", "checks/test_backup.py"),
    # the drill of a truncated dump does not restore: backup.restore escalates to blocker too
    case("truncated-backup", ("backup.integrity", "backup.restore"), "checks/test_backup.py"),
    case("wrong-checksum", "backup.integrity", "checks/test_backup.py"),
    case("backup-unencrypted", "backup.encryption", "checks/test_backup.py"),
    # CAST5 instead of the plans' AES-256: decrypts and reads fine, only the cipher gives it away
    case("backup-weak-cipher", "backup.encryption", "checks/test_backup.py"),
    # the configured key cannot decrypt it: backup.encryption fails; what the archive holds is
    # then not verified (integrity, a blocker, and the drill end as errors): NO-GO
    case("backup-undecryptable", "backup.encryption", "checks/test_backup.py"),
    case(
        "backup-undecryptable",
        ("backup.integrity", "backup.restore"),
        "checks/test_backup.py",
        outcome="error",
    ),
    case("no-backup", ("backup.freshness", "backup.predeploy"), "checks/test_backup.py"),
    # checksums and encryption right: only the size ratio gives it away, and the drill's rows
    case("backup-shrunk", ("backup.integrity", "backup.restore"), "checks/test_backup.py"),
    # refused before connecting: the drill verified nothing, an error (config) of a major
    # (CONDITIONAL), not a pass and not a failed backup
    case(
        "restore-target-is-source",
        "backup.restore",
        "checks/test_backup.py",
        outcome="error",
    ),
]

_DRILL_DATABASES = r"SELECT datname FROM pg_database WHERE datname LIKE 'gonogo\_restore\_%'"


def drill_leftovers(stack: Any) -> list[str]:
    """``gonogo_restore_*`` databases on the demo's scratch server and on the primary."""
    v = stack.variables()
    found: list[str] = []
    for port in (v["GONOGO_DEMO_PG_SCRATCH_PORT"], v["GONOGO_DEMO_PG_PORT"]):
        with psycopg.connect(
            host=v["GONOGO_DEMO_PG_SOCKET_DIR"],
            port=port,
            user="postgres",
            dbname="postgres",
            connect_timeout=5,
        ) as conn:
            found += [f"{port}/{row[0]}" for row in conn.execute(_DRILL_DATABASES)]
    return found
