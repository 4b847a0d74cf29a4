"""Fault cases of the data stores and backups: pg.*, redis.*, backup.* (see cases.py)."""

from __future__ import annotations

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
    case("standby-stopped", "pg.replication", "checks/test_postgres.py", verdict="CONDITIONAL"),
    case("archiving-broken", "pg.archiving", "checks/test_postgres.py", verdict="CONDITIONAL"),
    case("app-superuser", "pg.app-role", "checks/test_postgres.py", verdict="CONDITIONAL"),
    case("slow-query-log-off", "pg.slow-query-log", "checks/test_postgres.py", verdict="GO"),
    case("connections-exhausted", "pg.capacity", "checks/test_postgres.py", verdict="CONDITIONAL"),
    case("redis-down", ("redis.ping", "redis.version"), "checks/test_redis.py", outcome="error"),
    case("aof-off", "redis.persistence", "checks/test_redis.py", verdict="CONDITIONAL"),
    case("no-replica", "redis.replication", "checks/test_redis.py", verdict="CONDITIONAL"),
    case("no-maxmemory", "redis.memory", "checks/test_redis.py", verdict="CONDITIONAL"),
    case("redis-no-auth", "redis.auth", "checks/test_redis.py"),
]

BACKUP = [
    case("stale-backup", "backup.freshness", "checks/test_backup.py"),
    case("truncated-backup", ("backup.integrity", "backup.restore"), "checks/test_backup.py"),
    case("wrong-checksum", "backup.integrity", "checks/test_backup.py"),
    case("backup-unencrypted", "backup.encryption", "checks/test_backup.py", verdict="CONDITIONAL"),
    # a backup nobody can decrypt is not readable either: backup.integrity (blocker) fails too
    # nobody can decrypt it, so nobody can read it: backup.integrity (a blocker) fails too
    case(
        "backup-undecryptable", ("backup.encryption", "backup.integrity"), "checks/test_backup.py"
    ),
    case("no-backup", ("backup.freshness", "backup.predeploy"), "checks/test_backup.py"),
]
