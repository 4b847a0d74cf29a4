"""The data-store probes against real PostgreSQL 15, Redis and gpg on loopback.

Until the demo stack serves these faults, this module starts its own small stack (a primary
with WAL archiving and a streaming standby on a slot, a separate scratch server, a Redis
master with AOF/requirepass/maxmemory and a replica, an unprotected Redis, and a backups
directory made with pg_dump) as direct children, and stops every process by its PID.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis as redis_client

from gonogo.errors import ProbeAuthError, ProbeRefused, ProbeTimeout
from gonogo.model import Finding
from gonogo.probes import backup, postgres, redis, restore, scratch
from gonogo.rules import backup as backup_rules
from gonogo.rules import postgres as pg_rules
from gonogo.rules import redis as redis_rules
from gonogo.schema.data import BackupConfig, PostgresConfig, RedisConfig

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "pw-Xq7!data"  # planted: must never appear in a message
PASSPHRASE = "backup-pass-9z"
pytestmark = pytest.mark.skipif(
    not PG_BIN.is_dir() or shutil.which("redis-server") is None or shutil.which("gpg") is None,
    reason="needs PostgreSQL 15 binaries, redis-server and gpg",
)


# --- the stack ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, ready: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.1)
    raise AssertionError(f"{what} not ready after {timeout:.0f} s")


def as_postgres(*cmd: str | Path) -> None:
    subprocess.run(
        [str(c) for c in cmd], user="postgres", check=True, capture_output=True, timeout=120
    )


@dataclass
class Stack:
    root: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def dsn(self, server: str = "primary", user: str = "gonogo", db: str = "app") -> str:
        secret = "" if user == "postgres" else f":{PASSWORD}"
        return f"postgresql://{user}{secret}@127.0.0.1:{self.ports[server]}/{db}"

    def redis_url(self, server: str = "redis", password: str | None = PASSWORD) -> str:
        auth = f":{password}@" if password else ""
        return f"redis://{auth}127.0.0.1:{self.ports[server]}/0"

    def sql(self, statement: str, server: str = "primary", db: str = "app") -> list[tuple]:
        with psycopg.connect(self.dsn(server, "postgres", db), autocommit=True) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def start_pg(self, name: str, data: Path, *options: str) -> None:
        port = self.ports.setdefault(name, free_port())
        log = (self.root / f"{name}.log").open("ab")
        cmd = [
            PG_BIN / "postgres",
            "-D",
            data,
            "-c",
            f"port={port}",
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.root}",
            "-c",
            "fsync=off",
            *options,
        ]
        self.procs[name] = subprocess.Popen(
            [str(c) for c in cmd], user="postgres", stdout=log, stderr=log
        )
        wait_for(
            name,
            lambda: (
                psycopg.connect(self.dsn(name, "postgres", "postgres"), connect_timeout=2).close()
                is None
            ),
        )

    def start_redis(self, name: str, *options: str) -> None:
        port = self.ports.setdefault(name, free_port())
        log = (self.root / f"{name}.log").open("ab")
        workdir = self.root / name
        workdir.mkdir(exist_ok=True)
        cmd = [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(workdir),
            "--save",
            "",
            "--daemonize",
            "no",
            *options,
        ]
        self.procs[name] = subprocess.Popen(cmd, stdout=log, stderr=log)
        password = PASSWORD if "--requirepass" in options else None
        wait_for(name, lambda: redis_client.Redis.from_url(self.redis_url(name, password)).ping())

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        # SIGINT is PostgreSQL's fast shutdown; Redis treats it like SIGTERM
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def build_primary(stack: Stack) -> None:
    data, archive = stack.root / "primary", stack.root / "archive"
    archive.mkdir()
    shutil.chown(archive, "postgres")
    as_postgres(
        PG_BIN / "initdb",
        "-D",
        data,
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    )
    (data / "pg_hba.conf").write_text(
        "local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
        "host replication postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
    )
    # in postgresql.conf, not on the command line, so that ALTER SYSTEM can break it in a test
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"wal_level = replica\narchive_mode = on\narchive_command = 'cp %p {archive}/%f'\n"
        )
        conf.write("log_min_duration_statement = 500\nssl = on\n")
    # a throwaway self-signed certificate: enough to prove TLS is (or is not) in use
    subj = [
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        str(data / "server.key"),
        "-out",
        str(data / "server.crt"),
    ]
    openssl = [
        "openssl",
        "req",
        "-new",
        "-x509",
        "-days",
        "2",
        "-nodes",
        "-newkey",
        "rsa:2048",
        *subj,
    ]
    subprocess.run(openssl, check=True, capture_output=True, timeout=60)
    for name in ("server.key", "server.crt"):
        shutil.chown(data / name, "postgres")
        (data / name).chmod(0o600)
    stack.start_pg("primary", data)
    for statement in (
        f"CREATE ROLE app LOGIN PASSWORD '{PASSWORD}'",
        f"CREATE ROLE gonogo LOGIN PASSWORD '{PASSWORD}' IN ROLE pg_monitor, pg_read_all_data",
        "CREATE DATABASE app OWNER app",
        "SELECT pg_create_physical_replication_slot('standby1')",
    ):
        stack.sql(statement, db="postgres")
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    pgbench = [
        str(PG_BIN / "pgbench"),
        "-i",
        "-s",
        "5",
        "-q",
        "-h",
        "127.0.0.1",
        "-p",
        str(stack.ports["primary"]),
        "-U",
        "app",
        "app",
    ]
    subprocess.run(pgbench, env=env, check=True, capture_output=True, timeout=120)
    stack.sql(
        "CREATE TABLE schema_migrations (version text PRIMARY KEY);"
        " INSERT INTO schema_migrations VALUES ('20240101'), ('20240315');"
        " ALTER TABLE schema_migrations OWNER TO app"
    )
    stack.sql("SELECT pg_switch_wal()")  # something for the archiver to do


def build_standby_and_scratch(stack: Stack) -> None:
    standby = stack.root / "standby"
    as_postgres(
        PG_BIN / "pg_basebackup",
        "-D",
        standby,
        "-R",
        "-S",
        "standby1",
        "-h",
        "127.0.0.1",
        "-p",
        stack.ports["primary"],
        "-U",
        "postgres",
        "-c",
        "fast",
        "-X",
        "stream",
    )
    stack.start_pg("standby", standby, "-c", "cluster_name=standby1", "-c", "archive_mode=off")
    wait_for(
        "streaming",
        lambda: (
            stack.sql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")[0][0]
            == 1
        ),
    )
    scratch = stack.root / "scratch"
    as_postgres(
        PG_BIN / "initdb",
        "-D",
        scratch,
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    )
    stack.start_pg("scratch", scratch)
    # as in the demo and prod.example.toml: a restore role with CREATEDB, amcheck in template1
    # and EXECUTE on the functions pg_amcheck calls; a second role without those grants
    for statement in (
        f"CREATE ROLE restorer LOGIN CREATEDB PASSWORD '{PASSWORD}'",
        f"CREATE ROLE restorer_noamcheck LOGIN CREATEDB PASSWORD '{PASSWORD}'",
        "CREATE EXTENSION amcheck",
        "GRANT EXECUTE ON FUNCTION bt_index_check(regclass, boolean),"
        " verify_heapam(regclass, boolean, boolean, text, bigint, bigint) TO restorer",
    ):
        stack.sql(statement, "scratch", "template1")


def build_redis(stack: Stack) -> None:
    stack.start_redis(
        "redis",
        "--appendonly",
        "yes",
        "--requirepass",
        PASSWORD,
        "--maxmemory",
        "64mb",
        "--maxmemory-policy",
        "allkeys-lru",
    )
    stack.start_redis(
        "replica",
        "--replicaof",
        "127.0.0.1",
        str(stack.ports["redis"]),
        "--masterauth",
        PASSWORD,
        "--requirepass",
        PASSWORD,
    )
    master = redis_client.Redis.from_url(stack.redis_url())
    wait_for("redis replica", lambda: master.info("replication")["slave0"]["state"] == "online")
    stack.start_redis("bare")  # no password, no AOF, no maxmemory: the misconfigured one


def build_backups(stack: Stack) -> None:
    good = stack.root / "backups" / "good"
    good.mkdir(parents=True)
    dump = good / "app-20260101.dump"
    subprocess.run(
        [str(PG_BIN / "pg_dump"), "-Fc", "-f", str(dump), stack.dsn("primary", "postgres")],
        check=True,
        timeout=120,
    )
    (good / f"{dump.name}.sha256").write_text(
        f"{hashlib.sha256(dump.read_bytes()).hexdigest()}  {dump.name}\n"
    )
    bad = stack.root / "backups" / "bad"
    bad.mkdir()
    (bad / "app-truncated.dump").write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    shutil.copy(dump, bad / "app-wrongsum.dump")
    (bad / "app-wrongsum.dump.sha256").write_text("0" * 64 + "  app-wrongsum.dump\n")
    # the plans' own style: pg_dump > backup.sql (here without owners, so any server can load it)
    plain = stack.root / "backups" / "plain"
    plain.mkdir()
    sql = plain / "app.sql"
    pg_dump = [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", "-f", str(sql)]
    subprocess.run([*pg_dump, stack.dsn("primary", "postgres")], check=True, timeout=120)
    whole = sql.read_bytes()
    (plain / "app.sql.gz").write_bytes(gzip.compress(whole))
    (plain / "cut.sql").write_bytes(whole[: len(whole) // 2])
    (plain / "cut.sql.gz").write_bytes(gzip.compress(whole)[:-4096])
    enc = stack.root / "backups" / "encrypted"
    enc.mkdir()
    with tempfile.TemporaryDirectory() as home:
        cmd = [
            "gpg",
            "--homedir",
            home,
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            "0",
            "--symmetric",
            "--cipher-algo",
            "AES256",
            "-o",
            str(enc / f"{dump.name}.gpg"),
            str(dump),
        ]
        subprocess.run(cmd, input=PASSPHRASE.encode(), check=True, capture_output=True, timeout=60)
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], check=False, timeout=30)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="gonogo-data-", dir="/var/tmp"))
    root.chmod(0o755)  # the postgres user must traverse it (pytest's tmp dirs are 0700)
    shutil.chown(root, "postgres")
    stack = Stack(root)
    try:
        build_primary(stack)
        build_standby_and_scratch(stack)
        build_redis(stack)
        build_backups(stack)
        yield stack
    finally:
        for name in list(stack.procs):
            stack.stop(name)
        shutil.rmtree(root, ignore_errors=True)


def pg_config(stack: Stack, **overrides: Any) -> PostgresConfig:
    return PostgresConfig(dsn=stack.dsn(), **overrides)


def backup_config(
    stack: Stack, where: str = "good", pattern: str = "*.dump", **overrides: Any
) -> BackupConfig:
    return BackupConfig(
        directory=stack.root / "backups" / where, pattern=pattern, pg_bin_dir=PG_BIN, **overrides
    )


def failing(findings: list[Finding]) -> set[str]:
    return {f.name for f in findings if not f.ok}


def gpg_leftovers(work_dir: Path) -> list[str]:
    """gpg-agents and temp dirs left under work_dir (one test's own, so safe under xdist)."""
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    agents = [line for line in out.splitlines() if "gpg-agent" in line and str(work_dir) in line]
    return agents + [str(p) for p in work_dir.glob("gonogo-gpg-*")]


# --- PostgreSQL ---------------------------------------------------------------------------------


def test_healthy_primary_passes_every_pg_rule(stack: Stack) -> None:
    """A primary with a streaming standby, archiving and a migrated schema passes all pg.* rules."""
    cfg = pg_config(
        stack,
        required_tables=["pgbench_accounts", "schema_migrations"],
        required_indexes=["pgbench_accounts_pkey"],
        expected_migration="20240315",
        min_standbys=1,
        app_role="app",
    )
    facts = postgres.collect(cfg)
    assert facts.connection.server_version_num // 10000 == 15 and facts.stats_visible
    assert [s.state for s in facts.standbys] == ["streaming"] and facts.slots[0].active
    assert facts.capacity.database_size_bytes > 50_000_000  # pgbench -s 5
    for evaluate in (
        pg_rules.evaluate_connect,
        pg_rules.evaluate_version,
        pg_rules.evaluate_schema,
        pg_rules.evaluate_migrations,
        pg_rules.evaluate_replication,
        pg_rules.evaluate_capacity,
        pg_rules.evaluate_archiving,
        pg_rules.evaluate_slow_query_log,
        pg_rules.evaluate_app_role,
    ):
        assert failing(evaluate(facts, cfg)) == set(), evaluate.__name__


@pytest.mark.parametrize(
    ("sslmode", "expected"),
    [pytest.param("require", set(), id="tls"), pytest.param("disable", {"tls"}, id="plaintext")],
)
def test_require_tls(stack: Stack, sslmode: str, expected: set[str]) -> None:
    """pg.connect with require_tls passes over TLS (protocol recorded) and fails in plaintext."""
    cfg = PostgresConfig(dsn=f"{stack.dsn()}?sslmode={sslmode}", require_tls=True)
    facts = postgres.collect(cfg)
    assert facts.connection.ssl_in_use is (sslmode == "require")
    assert (facts.connection.ssl_protocol or "").startswith("TLS") is (sslmode == "require")
    assert failing(pg_rules.evaluate_connect(facts, cfg)) == expected


def test_missing_table_index_and_migration_lag_fail(stack: Stack) -> None:
    """pg.schema and pg.migrations fail on the real catalog when the schema is not as expected."""
    cfg = pg_config(
        stack,
        required_tables=["payments"],
        required_indexes=["payments_pkey"],
        expected_migration="20250101",
    )
    facts = postgres.collect(cfg)
    assert failing(pg_rules.evaluate_schema(facts, cfg)) == {"tables", "indexes"}
    assert failing(pg_rules.evaluate_migrations(facts, cfg)) == {"head"}


def test_migrations_query_runs_read_only(stack: Stack) -> None:
    """A configured query that writes is refused by the read-only transaction; nothing changes."""
    cfg = pg_config(stack, migrations_query="DELETE FROM schema_migrations RETURNING version")
    facts = postgres.collect(cfg)
    assert facts.migration_head is None and "read-only" in (facts.migration_error or "")
    assert stack.sql("SELECT count(*) FROM schema_migrations") == [(2,)]


def test_statement_timeout_is_a_probe_timeout(stack: Stack) -> None:
    """Every connection carries statement_timeout: a slow query ends as ProbeTimeout, not a hang."""
    cfg = pg_config(stack, migrations_query="SELECT pg_sleep(10)", statement_timeout_ms=300)
    started = time.monotonic()
    with pytest.raises(ProbeTimeout, match="statement_timeout_ms"):
        postgres.collect(cfg)
    assert time.monotonic() - started < 5


def test_role_without_pg_monitor_fails_closed(stack: Stack) -> None:
    """The app role cannot see other sessions or standby state: capacity and replication say so."""
    cfg = PostgresConfig(dsn=stack.dsn(user="app"), min_standbys=1)
    facts = postgres.collect(cfg)
    assert not facts.stats_visible
    assert "visibility" in failing(pg_rules.evaluate_capacity(facts, cfg))
    assert failing(pg_rules.evaluate_app_role(facts, cfg)) == set()  # app is not a superuser


def test_superuser_as_app_role_fails(stack: Stack) -> None:
    """pg.app-role fails when the application role is a superuser."""
    cfg = pg_config(stack, app_role="postgres")
    assert failing(pg_rules.evaluate_app_role(postgres.collect(cfg), cfg)) == {"superuser"}


@pytest.mark.parametrize(
    ("server", "user", "password", "error", "words"),
    [
        pytest.param("closed", "gonogo", PASSWORD, ProbeRefused, "cannot connect", id="refused"),
        pytest.param(
            "primary",
            "gonogo",
            "wrong-pass",
            ProbeAuthError,
            "credentials refused",
            id="wrong-password",
        ),
        pytest.param(
            "silent", "gonogo", PASSWORD, ProbeTimeout, "connect_timeout_s", id="no-answer"
        ),
    ],
)
def test_pg_connection_errors(
    stack: Stack, server: str, user: str, password: str, error: type, words: str
) -> None:
    """Driver errors become one-line ProbeErrors naming host:port/db, never the password."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the TCP handshake, never speaks
        port = {"closed": free_port(), "silent": silent.getsockname()[1]}.get(
            server, stack.ports["primary"]
        )
        dsn = f"postgresql://{user}:{password}@127.0.0.1:{port}/app"
        with pytest.raises(error) as caught:
            postgres.collect(PostgresConfig(dsn=dsn, connect_timeout_s=1))
    message = str(caught.value)
    assert f"127.0.0.1:{port}/app" in message and words in message and "\n" not in message
    assert password not in message and isinstance(caught.value.__cause__, psycopg.Error)


def test_archiving_failure_is_seen(stack: Stack) -> None:
    """A failing archive_command (failures after the last success) fails pg.archiving."""
    cfg = pg_config(stack)
    stack.sql("ALTER SYSTEM SET archive_command = 'false'")
    stack.sql("SELECT pg_reload_conf()")
    try:
        stack.sql("SELECT pg_switch_wal()")
        stack.sql("CREATE TABLE IF NOT EXISTS wal_filler AS SELECT 1 AS x")
        stack.sql("SELECT pg_switch_wal()")
        wait_for("archive failure", lambda: postgres.collect(cfg).archiver.failed_count > 0)
        assert "failures" in failing(pg_rules.evaluate_archiving(postgres.collect(cfg), cfg))
    finally:
        stack.sql("ALTER SYSTEM RESET archive_command")
        stack.sql("SELECT pg_reload_conf()")
        stack.sql("DROP TABLE IF EXISTS wal_filler")
    wait_for(
        "archiver recovered",
        lambda: not failing(pg_rules.evaluate_archiving(postgres.collect(cfg), cfg)),
    )


# --- Redis --------------------------------------------------------------------------------------


def test_healthy_redis_passes_every_redis_rule(stack: Stack) -> None:
    """Master with AOF, requirepass, maxmemory and an online replica passes all redis.* rules."""
    cfg = RedisConfig(url=stack.redis_url(), min_replicas=1, maxmemory_policy="allkeys-lru")
    facts = redis.collect(cfg)
    assert facts.auth_required and facts.aof_enabled and facts.replicas[0].state == "online"
    for evaluate in (
        redis_rules.evaluate_ping,
        redis_rules.evaluate_version,
        redis_rules.evaluate_auth,
        redis_rules.evaluate_persistence,
        redis_rules.evaluate_replication,
        redis_rules.evaluate_memory,
    ):
        assert failing(evaluate(facts, cfg)) == set(), evaluate.__name__


def test_replica_sees_its_master(stack: Stack) -> None:
    """Probing the replica reports role replica with the link up."""
    cfg = RedisConfig(url=stack.redis_url("replica"), role="replica")
    assert failing(redis_rules.evaluate_replication(redis.collect(cfg), cfg)) == set()


def test_unprotected_redis_fails_auth_persistence_memory_replication(stack: Stack) -> None:
    """A Redis without password, AOF, maxmemory and replicas fails those four checks."""
    cfg = RedisConfig(url=stack.redis_url("bare", None), min_replicas=1)
    facts = redis.collect(cfg)
    assert failing(redis_rules.evaluate_auth(facts, cfg)) == {"auth_required"}
    assert failing(redis_rules.evaluate_persistence(facts, cfg)) == {"aof_enabled"}
    assert failing(redis_rules.evaluate_memory(facts, cfg)) == {"maxmemory"}
    assert failing(redis_rules.evaluate_replication(facts, cfg)) == {"replicas"}


@pytest.mark.parametrize(
    ("server", "password", "error"),
    [
        pytest.param("closed", PASSWORD, ProbeRefused, id="refused"),
        pytest.param("redis", "wrong-pass", ProbeAuthError, id="wrong-password"),
        pytest.param("redis", None, ProbeAuthError, id="no-password"),
        pytest.param("silent", PASSWORD, ProbeTimeout, id="no-answer"),
    ],
)
def test_redis_connection_errors(
    stack: Stack, server: str, password: str | None, error: type
) -> None:
    """Redis errors become one-line ProbeErrors naming host:port/db, never the password."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = {"closed": free_port(), "silent": silent.getsockname()[1]}.get(
            server, stack.ports.get(server)
        )
        auth = f":{password}@" if password else ""
        with pytest.raises(error) as caught:
            redis.collect(RedisConfig(url=f"redis://{auth}127.0.0.1:{port}/0", timeout_s=1))
    assert f"127.0.0.1:{port}/0" in str(caught.value) and PASSWORD not in str(caught.value)
    assert "wrong-pass" not in str(caught.value)


# --- backups ------------------------------------------------------------------------------------


def test_good_dump_passes_integrity(stack: Stack) -> None:
    """A complete pg_dump -Fc with a matching .sha256 passes backup.integrity."""
    cfg = backup_config(stack)
    listing = backup.discover(cfg)
    assert listing.count == 1 and listing.newest is not None  # the .sha256 sidecar is not a backup
    archive = backup.inspect(cfg, listing.newest)
    assert archive.format == "custom" and archive.sha256 == archive.expected_sha256
    assert failing(backup_rules.evaluate_integrity(listing, archive, cfg)) == set()


def test_truncated_dump_fails_integrity_although_its_toc_lists(stack: Stack) -> None:
    """pg_restore -l passes a truncated dump; reading it to the end (-f /dev/null) does not."""
    cfg = backup_config(stack, "bad", "app-truncated.dump")
    truncated = stack.root / "backups" / "bad" / "app-truncated.dump"
    toc = subprocess.run(
        [str(PG_BIN / "pg_restore"), "-l", str(truncated)], capture_output=True, timeout=60
    )
    assert toc.returncode == 0  # the trap: the table of contents is at the front
    archive = backup.inspect(cfg, backup.discover(cfg).newest)
    assert archive.readable is False and "pg_restore exit 1" in archive.read_detail
    assert "readable" in failing(
        backup_rules.evaluate_integrity(backup.discover(cfg), archive, cfg)
    )


def test_wrong_checksum_fails_integrity(stack: Stack) -> None:
    """A sidecar that does not match the file fails backup.integrity."""
    cfg = backup_config(stack, "bad", "app-wrongsum.dump")
    listing = backup.discover(cfg)
    archive = backup.inspect(cfg, listing.newest)
    assert failing(backup_rules.evaluate_integrity(listing, archive, cfg)) == {"checksum"}


@pytest.mark.parametrize(
    ("name", "fmt", "readable"),
    [
        pytest.param("app.sql", "plain", True, id="plain"),
        pytest.param("cut.sql", "plain", False, id="plain-truncated"),
        pytest.param("app.sql.gz", "gzip", True, id="gzip"),
        pytest.param("cut.sql.gz", "gzip", False, id="gzip-truncated"),
    ],
)
def test_plain_sql_dumps(stack: Stack, name: str, fmt: str, readable: bool) -> None:
    """Plain SQL dumps (gzipped or not) are complete only with pg_dump's trailer at the end."""
    cfg = backup_config(stack, "plain", name)
    archive = backup.inspect(cfg, backup.discover(cfg).newest)
    assert (archive.format, archive.readable) == (fmt, readable), archive.read_detail


def test_restore_drill_of_a_plain_dump(stack: Stack) -> None:
    """A plain SQL dump restores through psql in one transaction and matches the source."""
    scratch = stack.dsn("scratch", "postgres", "postgres")
    cfg = backup_config(stack, "plain", "app.sql", scratch_dsn=scratch)
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.restored and drill.tables == drill.source_tables, drill.detail
    assert failing(backup_rules.evaluate_restore(listing, drill, cfg, drill.modified)) == set()
    assert scratch_databases(stack) == []


def test_encrypted_backup_decrypts_and_reads(stack: Stack, tmp_path: Path) -> None:
    """The gpg copy is an OpenPGP message that decrypts with the passphrase and reads end to end."""
    cfg = backup_config(
        stack, "encrypted", "*.gpg", encrypted=True, passphrase=PASSPHRASE, work_dir=tmp_path
    )
    listing = backup.discover(cfg)
    archive = backup.inspect(cfg, listing.newest)
    assert (archive.format, archive.decrypt_exit, archive.inner_format, archive.readable) == (
        "openpgp",
        0,
        "custom",
        True,
    )
    assert failing(backup_rules.evaluate_encryption(listing, archive, cfg)) == set()
    assert gpg_leftovers(tmp_path) == []


def test_wrong_passphrase_fails_encryption(stack: Stack, tmp_path: Path) -> None:
    """gpg exits 2 on a wrong passphrase: backup.encryption and backup.integrity both fail."""
    cfg = backup_config(
        stack,
        "encrypted",
        "*.gpg",
        encrypted=True,
        passphrase="not-the-passphrase",
        work_dir=tmp_path,
    )
    listing = backup.discover(cfg)
    archive = backup.inspect(cfg, listing.newest)
    assert archive.decrypt_exit == 2 and archive.readable is None
    assert failing(backup_rules.evaluate_encryption(listing, archive, cfg)) == {"decrypts"}
    assert "readable" in failing(backup_rules.evaluate_integrity(listing, archive, cfg))
    assert "not-the-passphrase" not in repr(archive) and gpg_leftovers(tmp_path) == []


def test_unencrypted_backup_fails_encryption(stack: Stack) -> None:
    """A plain pg_dump where encryption is required fails backup.encryption."""
    cfg = backup_config(stack, encrypted=True, passphrase=PASSPHRASE)
    listing = backup.discover(cfg)
    assert failing(
        backup_rules.evaluate_encryption(listing, backup.inspect(cfg, listing.newest), cfg)
    ) == {"openpgp"}


def test_stale_backup_fails_freshness_and_predeploy(stack: Stack) -> None:
    """A backup two days old fails the 24 h RPO and the pre-deploy window; a fresh one passes."""
    cfg = backup_config(stack)
    now = backup.discover(cfg).newest.modified + dt.timedelta(minutes=5)
    assert failing(backup_rules.evaluate_freshness(backup.discover(cfg), cfg, now)) == set()
    assert failing(backup_rules.evaluate_predeploy(backup.discover(cfg), cfg, now)) == set()
    later = now + dt.timedelta(days=2)
    assert failing(backup_rules.evaluate_freshness(backup.discover(cfg), cfg, later)) == {
        "age_hours"
    }
    assert failing(backup_rules.evaluate_predeploy(backup.discover(cfg), cfg, later)) == {
        "age_minutes"
    }


def test_no_backup_fails(stack: Stack) -> None:
    """An empty backup location fails freshness and predeploy with 'no backup'."""
    cfg = backup_config(stack, pattern="*.nothing")
    listing = backup.discover(cfg)
    now = dt.datetime.now(dt.UTC)
    assert listing.newest is None and failing(
        backup_rules.evaluate_predeploy(listing, cfg, now)
    ) == {"backup"}


# --- the restore drill (intrusive) -------------------------------------------------------------


def scratch_databases(stack: Stack) -> list[str]:
    rows = stack.sql(
        "SELECT datname FROM pg_database WHERE datname LIKE 'gonogo_restore_%'",
        "scratch",
        "postgres",
    )
    rows += stack.sql(
        "SELECT datname FROM pg_database WHERE datname LIKE 'gonogo_restore_%'",
        "primary",
        "postgres",
    )
    return [r[0] for r in rows]


def test_restore_drill_restores_pgbench_and_cleans_up(stack: Stack) -> None:
    """The drill restores ~500,000 rows, matches the source, times it and drops the scratch db."""
    cfg = backup_config(
        stack,
        "encrypted",
        "*.gpg",
        encrypted=True,
        passphrase=PASSPHRASE,
        scratch_dsn=stack.dsn("scratch", "postgres", "postgres"),
    )
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    findings = backup_rules.evaluate_restore(listing, drill, cfg, drill.modified)
    by_name = {f.name: f for f in findings}
    print(f"\nrestore drill: {by_name['rows'].message}, {by_name['seconds'].message}")
    assert drill.restored and drill.tables["public.pgbench_accounts"] == 500_000
    assert drill.tables == drill.source_tables and drill.amcheck_ok is True
    assert failing(findings) == set() and by_name["seconds"].measured < cfg.rto_s
    assert drill.scratch_dropped and scratch_databases(stack) == []


def test_restore_of_truncated_dump_fails_and_leaves_nothing(stack: Stack) -> None:
    """A truncated dump fails the drill in its single transaction; the scratch db is dropped."""
    cfg = backup_config(
        stack, "bad", "app-truncated.dump", scratch_dsn=stack.dsn("scratch", "postgres", "postgres")
    )
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert not drill.restored and "exit" in drill.detail
    assert failing(backup_rules.evaluate_restore(listing, drill, cfg, drill.modified)) == {
        "restored"
    }
    assert drill.scratch_dropped and scratch_databases(stack) == []


def test_restore_with_wrong_passphrase_fails(stack: Stack) -> None:
    """gpg's exit 2 stops the drill before anything is created."""
    cfg = backup_config(
        stack,
        "encrypted",
        "*.gpg",
        encrypted=True,
        passphrase="wrong",
        scratch_dsn=stack.dsn("scratch", "postgres", "postgres"),
    )
    drill = restore.drill(cfg, pg_config(stack), backup.discover(cfg).newest)
    assert not drill.restored and "gpg exit 2" in drill.detail and scratch_databases(stack) == []


def test_restore_into_the_source_is_refused(stack: Stack) -> None:
    """A scratch_dsn naming the source server and database ('localhost') is refused; none made."""
    cfg = backup_config(
        stack, scratch_dsn=f"postgresql://postgres@localhost:{stack.ports['primary']}/app"
    )
    before = stack.sql("SELECT count(*) FROM pg_database", db="postgres")
    drill = restore.drill(cfg, pg_config(stack), backup.discover(cfg).newest)
    assert drill.refused and not drill.restored
    assert failing(
        backup_rules.evaluate_restore(backup.discover(cfg), drill, cfg, drill.modified)
    ) == {"target"}
    assert stack.sql("SELECT count(*) FROM pg_database", db="postgres") == before


@contextlib.contextmanager
def tcp_forwarder(target_port: int) -> Iterator[int]:
    """A loopback port that relays to ``target_port``: the same server under another address."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            upstream = socket.create_connection(("127.0.0.1", target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_restore_into_the_source_behind_another_port_is_refused(stack: Stack) -> None:
    """When addresses differ but system_identifier and database match, the drill still refuses."""
    with tcp_forwarder(stack.ports["primary"]) as port:
        cfg = backup_config(stack, scratch_dsn=f"postgresql://postgres@127.0.0.1:{port}/app")
        assert not restore.same_endpoint(
            cfg.scratch_dsn, stack.dsn()
        )  # the address check alone misses it
        drill = restore.drill(cfg, pg_config(stack), backup.discover(cfg).newest)
    assert drill.refused and "system_identifier" in drill.refused and scratch_databases(stack) == []


def test_standby_stopped_fails_replication(stack: Stack) -> None:
    """With the standby stopped, pg.replication fails: no streaming standby and an inactive slot."""
    cfg = pg_config(stack, min_standbys=1)
    stack.stop("standby")
    try:
        wait_for("standby gone", lambda: not postgres.collect(cfg).standbys)
        assert failing(pg_rules.evaluate_replication(postgres.collect(cfg), cfg)) == {
            "standbys",
            "slot:standby1",
        }
    finally:
        stack.start_pg(
            "standby",
            stack.root / "standby",
            "-c",
            "cluster_name=standby1",
            "-c",
            "archive_mode=off",
        )
    wait_for(
        "streaming again",
        lambda: not failing(pg_rules.evaluate_replication(postgres.collect(cfg), cfg)),
    )


# --- the restore drill's target: only a separate primary server ----------------------------------


def encrypted_drill_config(stack: Stack, scratch_dsn: str, **overrides: Any) -> BackupConfig:
    return backup_config(
        stack,
        "encrypted",
        "*.gpg",
        encrypted=True,
        passphrase=PASSPHRASE,
        scratch_dsn=scratch_dsn,
        **overrides,
    )


@pytest.mark.parametrize(
    ("server", "db", "words"),
    [
        pytest.param("primary", "postgres", "same address and port", id="source-server-other-db"),
        pytest.param("standby", "postgres", "is a standby", id="standby-of-the-source"),
    ],
)
def test_restore_onto_the_source_or_its_standby_is_refused(
    stack: Stack, server: str, db: str, words: str
) -> None:
    """A scratch DSN naming the source server (any database) or its standby is refused; no
    database is created anywhere."""
    cfg = backup_config(stack, scratch_dsn=stack.dsn(server, "postgres", db))
    drill = restore.drill(cfg, pg_config(stack), backup.discover(cfg).newest)
    assert drill.refused is not None and words in drill.refused and drill.scratch is None
    findings = backup_rules.evaluate_restore(backup.discover(cfg), drill, cfg, drill.modified)
    assert failing(findings) == {"target"}
    assert "CREATEDB" not in drill.refused and scratch_databases(stack) == []


def test_same_endpoint_ignores_the_database_name(stack: Stack) -> None:
    """Two DSNs reaching the same address and port are the same server whatever the database."""
    port = stack.ports["primary"]
    assert restore.same_endpoint(stack.dsn(), f"postgresql://x@127.0.0.1:{port}/postgres")
    assert restore.same_endpoint(stack.dsn(), f"postgresql://x@localhost:{port}/other")
    assert not restore.same_endpoint(stack.dsn(), stack.dsn("scratch", "postgres", "postgres"))


def test_drill_as_a_non_superuser_restore_role_with_amcheck(stack: Stack, tmp_path: Path) -> None:
    """The documented restore role (CREATEDB + amcheck grants) restores, amchecks and cleans up;
    the plaintext and gpg's home are gone afterwards."""
    cfg = encrypted_drill_config(
        stack, stack.dsn("scratch", "restorer", "postgres"), work_dir=tmp_path
    )
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.restored and drill.amcheck_ok is True, (drill.detail, drill.amcheck_detail)
    findings = backup_rules.evaluate_restore(listing, drill, cfg, drill.modified)
    assert failing(findings) == set()
    assert drill.scratch and drill.scratch.startswith(f"127.0.0.1:{stack.ports['scratch']}/")
    assert scratch_databases(stack) == [] and gpg_leftovers(tmp_path) == []


def test_amcheck_that_cannot_run_fails_the_drill(stack: Stack) -> None:
    """A restore role without EXECUTE on amcheck: pg_amcheck checks nothing and the drill
    fails as not verified (a major finding), never passes silently."""
    cfg = backup_config(stack, scratch_dsn=stack.dsn("scratch", "restorer_noamcheck", "postgres"))
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.restored and drill.amcheck_ok is None
    assert "could not check" in drill.amcheck_detail, drill.amcheck_detail
    assert "permission denied for function" in drill.amcheck_detail
    findings = backup_rules.evaluate_restore(listing, drill, cfg, drill.modified)
    assert {f.name: f.severity for f in findings if not f.ok} == {"amcheck": None}
    assert scratch_databases(stack) == []


def test_leftovers_of_a_killed_drill_are_dropped_and_reported(stack: Stack) -> None:
    """A gonogo_restore_* database nobody holds (a killed run's) is dropped at the next drill
    and named in the evidence; one a live drill holds is left alone."""
    stack.sql("CREATE DATABASE gonogo_restore_dead00000000 OWNER restorer", "scratch", "postgres")
    stack.sql("CREATE DATABASE gonogo_restore_live00000000 OWNER restorer", "scratch", "postgres")
    live = psycopg.connect(stack.dsn("scratch", "postgres", "postgres"), autocommit=True)
    try:
        live.execute(
            "SELECT pg_advisory_lock(%s::int4, hashtext('gonogo_restore_live00000000'))",
            (scratch.LOCK_CLASS,),
        )
        cfg = backup_config(stack, scratch_dsn=stack.dsn("scratch", "restorer", "postgres"))
        listing = backup.discover(cfg)
        drill = restore.drill(cfg, pg_config(stack), listing.newest)
        assert scratch_databases(stack) == ["gonogo_restore_live00000000"]
    finally:
        live.close()
        stack.sql("DROP DATABASE IF EXISTS gonogo_restore_live00000000", "scratch", "postgres")
    assert drill.stale == ("gonogo_restore_dead00000000",) and drill.stale_left == ()
    found = {f.name: f for f in backup_rules.evaluate_restore(listing, drill, cfg, drill.modified)}
    assert (
        found["stale_dropped"].ok
        and "gonogo_restore_dead00000000" in found["stale_dropped"].message
    )
    assert failing(list(found.values())) == set()


_DRILL_SCRIPT = """
import sys
from pathlib import Path
from gonogo.probes import backup, restore
from gonogo.schema.data import BackupConfig, PostgresConfig
cfg = BackupConfig(directory=sys.argv[1], pattern="*.gpg", encrypted=True, passphrase=sys.argv[2],
                   scratch_dsn=sys.argv[3], work_dir=Path(sys.argv[4]), pg_bin_dir=sys.argv[6])
restore.drill(cfg, PostgresConfig(dsn=sys.argv[5]), backup.discover(cfg).newest)
"""


def test_interrupted_drill_leaves_nothing_behind(stack: Stack, tmp_path: Path) -> None:
    """A drill interrupted mid-restore (SIGINT) drops its scratch database and its plaintext."""
    argv = [
        str(stack.root / "backups" / "encrypted"),
        PASSPHRASE,
        stack.dsn("scratch", "restorer", "postgres"),
        str(tmp_path),
        stack.dsn(),
        str(PG_BIN),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-c", _DRILL_SCRIPT, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        wait_for("a drill database", lambda: scratch_databases(stack), timeout=60)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert b"KeyboardInterrupt" in err, err.decode()[-2000:]
    assert scratch_databases(stack) == [] and gpg_leftovers(tmp_path) == []


def test_decrypted_copy_is_private_and_removed(stack: Stack, tmp_path: Path) -> None:
    """The plaintext of an encrypted backup is 0600 in a 0700 directory, gone after the block."""
    cfg = backup_config(
        stack, "encrypted", "*.gpg", encrypted=True, passphrase=PASSPHRASE, work_dir=tmp_path
    )
    newest = backup.discover(cfg).newest
    with backup.decrypted(Path(newest.location), cfg) as (plain, code, _):
        assert code == 0 and plain is not None and backup.sniff(plain) == "custom"
        assert stat.S_IMODE(plain.stat().st_mode) == 0o600
        assert stat.S_IMODE(plain.parent.stat().st_mode) == 0o700
    assert not plain.exists() and gpg_leftovers(tmp_path) == []


def test_large_source_tables_use_the_estimate(stack: Stack) -> None:
    """Above exact_count_max_rows the source's row count is the statistics' estimate (no
    count(*)), recorded as such, and compared with the estimate tolerance."""
    stack.sql("ANALYZE pgbench_accounts")
    cfg = backup_config(
        stack,
        scratch_dsn=stack.dsn("scratch", "restorer", "postgres"),
        exact_count_max_rows=100_000,
    )
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.source_estimated == ("public.pgbench_accounts",)
    assert drill.source_tables is not None
    assert abs(drill.source_tables["public.pgbench_accounts"] - 500_000) <= 50_000
    found = {f.name: f for f in backup_rules.evaluate_restore(listing, drill, cfg, drill.modified)}
    assert failing(list(found.values())) == set()
    assert found["table_rows"].measured["public.pgbench_accounts"]["source_estimated"] is True


def test_source_counts_are_bounded_by_statement_timeout(stack: Stack) -> None:
    """Source row counts run under [postgres] statement_timeout_ms: a count stuck behind a lock
    ends as 'cannot compare with the source', not a hang."""
    cfg = backup_config(stack, scratch_dsn=stack.dsn("scratch", "restorer", "postgres"))
    listing = backup.discover(cfg)
    with psycopg.connect(stack.dsn("primary", "postgres")) as locker:
        locker.execute("LOCK TABLE pgbench_branches IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        drill = restore.drill(cfg, pg_config(stack, statement_timeout_ms=500), listing.newest)
        assert time.monotonic() - started < 30
    assert drill.restored and drill.source_tables is None
    assert "statement_timeout_ms" in (drill.source_error or "")
    findings = backup_rules.evaluate_restore(listing, drill, cfg, drill.modified)
    assert failing(findings) == {"source"}


# --- versions below the configured minimum --------------------------------------------------------


def test_versions_below_minimum_fail(stack: Stack) -> None:
    """PostgreSQL 15 against min_version 16, Redis 7.0 against 7.2: pg.version and
    redis.version fail with the measured version."""
    pg_cfg = pg_config(stack, min_version=16)
    found = pg_rules.evaluate_version(postgres.collect(pg_cfg), pg_cfg)
    assert failing(found) == {"major_version"}
    redis_cfg = RedisConfig(url=stack.redis_url(), min_version="7.2")
    facts = redis.collect(redis_cfg)
    assert facts.version.startswith("7.0")
    assert failing(redis_rules.evaluate_version(facts, redis_cfg)) == {"version"}


# --- connection hardening -------------------------------------------------------------------------


def test_connections_carry_keepalives(stack: Stack) -> None:
    """Every probe connection sets TCP keepalives and tcp_user_timeout (unless the DSN does)."""
    with postgres.connect(stack.dsn(), connect_timeout_s=2, statement_timeout_ms=1000) as conn:
        params = {p.keyword.decode(): p.val for p in conn.pgconn.info if p.val is not None}
    assert params["keepalives_idle"] == b"10" and params["tcp_user_timeout"] == b"30000"
    dsn = f"{stack.dsn()}?keepalives_idle=42"
    with postgres.connect(dsn, connect_timeout_s=2, statement_timeout_ms=1000) as conn:
        params = {p.keyword.decode(): p.val for p in conn.pgconn.info if p.val is not None}
    assert params["keepalives_idle"] == b"42"


@pytest.fixture(scope="module")
def pgbouncer(stack: Stack) -> Iterator[int]:
    """A real PgBouncer (session pooling) in front of the primary; it refuses startup options."""
    exe = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(exe).is_file():
        pytest.skip("pgbouncer not installed (apt-get install pgbouncer)")
    port = free_port()
    ini = stack.root / "pgbouncer.ini"
    (stack.root / "pgbouncer-users.txt").write_text('"postgres" ""\n')
    ini.write_text(
        f"[databases]\n* = host=127.0.0.1 port={stack.ports['primary']}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nauth_type = trust\n"
        f"auth_file = {stack.root}/pgbouncer-users.txt\npool_mode = session\n"
        f"unix_socket_dir =\nlogfile = {stack.root}/pgbouncer.log\n"
    )
    # PgBouncer refuses to run as root
    proc = subprocess.Popen([exe, str(ini)], user="postgres", stderr=subprocess.DEVNULL)
    stack.procs["pgbouncer"] = proc
    dsn = f"postgresql://postgres@127.0.0.1:{port}/app"
    wait_for("pgbouncer", lambda: psycopg.connect(dsn, connect_timeout=2).close() is None)
    yield port
    stack.stop("pgbouncer")


def test_read_only_behind_a_pooler_that_refuses_startup_options(
    stack: Stack, pgbouncer: int
) -> None:
    """PgBouncer rejects `options`: the probe reconnects without them and SETs read-only and
    statement_timeout on the session; the pg.* facts are gathered and a write is refused."""
    dsn = f"postgresql://postgres@127.0.0.1:{pgbouncer}/app"
    with pytest.raises(psycopg.OperationalError, match="unsupported startup parameter"):
        psycopg.connect(dsn, options="-c statement_timeout=1000", connect_timeout=2).close()
    with postgres.connect(dsn, connect_timeout_s=2, statement_timeout_ms=1234) as conn:
        assert conn.execute("SHOW transaction_read_only").fetchone() == ("on",)
        assert conn.execute("SHOW statement_timeout").fetchone() == ("1234ms",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE gonogo_must_not_exist (x int)")
    facts = postgres.collect(PostgresConfig(dsn=dsn, required_tables=["pgbench_accounts"]))
    assert facts.connection.database == "app" and "public.pgbench_accounts" in facts.tables


def test_amcheck_verdicts_from_real_pg_amcheck_output(stack: Stack) -> None:
    """pg_amcheck exit 2 is corruption when an index is really damaged, and 'not verified'
    when it only lacked permission to check."""
    stack.sql("CREATE DATABASE amcheck_corrupt", "scratch", "postgres")
    try:
        for statement in (
            "CREATE TABLE t (x int PRIMARY KEY, y text)",
            "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 5000) g",
            "CHECKPOINT",
        ):
            stack.sql(statement, "scratch", "amcheck_corrupt")
        (path,) = stack.sql("SELECT pg_relation_filepath('t_pkey')", "scratch", "amcheck_corrupt")[
            0
        ]
        stack.stop("scratch")  # so that no clean copy of the page stays in shared buffers
        with (stack.root / "scratch" / path).open("r+b") as index:
            index.seek(8192 * 2 + 3000)  # inside a leaf page's tuples
            index.write(b"\x11" * 64)
        stack.start_pg("scratch", stack.root / "scratch")
        amcheck = [str(PG_BIN / "pg_amcheck"), "--heapallindexed", "amcheck_corrupt"]
        env = restore.libpq_env(stack.dsn("scratch", "postgres", "postgres"))
        corrupt = backup.run(amcheck, timeout_s=60, what="pg_amcheck", env=env)
        ok, detail = restore.judge_amcheck(corrupt)
        assert (corrupt.returncode, ok) == (2, False), detail
        assert 'btree index "amcheck_corrupt.public.t_pkey"' in detail
        env = restore.libpq_env(stack.dsn("scratch", "restorer_noamcheck", "postgres"))
        denied = backup.run(amcheck, timeout_s=60, what="pg_amcheck", env=env)
        ok, detail = restore.judge_amcheck(denied)
        assert (denied.returncode, ok) == (2, None) and "permission denied" in detail
    finally:
        stack.sql("DROP DATABASE IF EXISTS amcheck_corrupt", "scratch", "postgres")
