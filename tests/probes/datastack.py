"""The data-store test stack: real PostgreSQL 15, Redis and gpg on loopback, and its helpers.

A primary with WAL archiving and a streaming standby on a slot, a separate scratch server, a
Redis master with AOF/requirepass/maxmemory and a replica, an unprotected Redis, and a backups
directory made with pg_dump, all direct children of the test process, stopped by their PIDs
(see ``conftest.py`` for the fixtures). Helpers: free ports, waits, a TCP forwarder (the same
server under another address) and a stalling proxy (a server that goes silent after the
handshake).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import signal
import socket
import subprocess
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

from gonogo.model import Finding
from gonogo.schema.data import BackupConfig, PostgresConfig

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "pw-Xq7!data"  # planted: must never appear in a message
PASSPHRASE = "backup-pass-9z"
needs_servers = pytest.mark.skipif(
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


def initdb(data: Path) -> None:
    """A new cluster owned by the postgres user (initdb refuses root), trusting local logins."""
    flags = "-U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync"
    as_postgres(PG_BIN / "initdb", "-D", data, *flags.split())


def redis_ping(url: str) -> bool:
    """PING over a client that is closed afterwards (no socket left for the GC to warn about)."""
    with redis_client.Redis.from_url(url) as client:
        return bool(client.ping())


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
        with log:  # the child keeps its own copy of the descriptor
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
        with log:  # the child keeps its own copy of the descriptor
            self.procs[name] = subprocess.Popen(cmd, stdout=log, stderr=log)
        password = PASSWORD if "--requirepass" in options else None
        wait_for(name, lambda: redis_ping(self.redis_url(name, password)))

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
    initdb(data)
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
        # a monitoring role as deployments that separate roles have: statistics, no table
        f"CREATE ROLE monitor LOGIN PASSWORD '{PASSWORD}' IN ROLE pg_monitor",
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
    initdb(scratch)
    stack.start_pg("scratch", scratch)
    # as in the demo and prod.example.toml: a restore role with CREATEDB, amcheck in template1
    # and EXECUTE on the functions pg_amcheck calls; a role without those grants, and one
    # without CREATEDB
    for statement in (
        f"CREATE ROLE restorer LOGIN CREATEDB PASSWORD '{PASSWORD}'",
        f"CREATE ROLE restorer_noamcheck LOGIN CREATEDB PASSWORD '{PASSWORD}'",
        f"CREATE ROLE restorer_nocreatedb LOGIN PASSWORD '{PASSWORD}'",
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

    def online() -> bool:
        with redis_client.Redis.from_url(stack.redis_url()) as master:
            return bool(master.info("replication")["slave0"]["state"] == "online")

    wait_for("redis replica", online)
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
    # the plans' cipher, and CAST5 (gpg 1.x's old default) that backup.encryption must refuse
    for where, cipher in (("encrypted", "AES256"), ("encrypted-cast5", "CAST5")):
        enc = stack.root / "backups" / where
        enc.mkdir()
        encrypt(dump, enc / f"{dump.name}.gpg", cipher)


def encrypt(source: Path, target: Path, cipher: str) -> None:
    """``gpg -c --cipher-algo CIPHER`` with the test passphrase, in a throwaway home."""
    with tempfile.TemporaryDirectory() as home:
        cmd = ["gpg", "--homedir", home, "--batch", "--pinentry-mode", "loopback"]
        cmd += ["--passphrase-fd", "0", "--symmetric", "--cipher-algo", cipher]
        cmd += ["-o", str(target), str(source)]
        subprocess.run(cmd, input=PASSPHRASE.encode(), check=True, capture_output=True, timeout=60)
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], check=False, timeout=30)


def make_stack() -> Iterator[Stack]:
    """Build the whole stack in a traversable directory; stop every process and remove it."""
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


def scratch_databases(stack: Stack) -> list[str]:
    """Drill databases left on the scratch server, or on the source (where none may ever be)."""
    query = "SELECT datname FROM pg_database WHERE datname LIKE 'gonogo_restore_%'"
    return [
        row[0] for server in ("scratch", "primary") for row in stack.sql(query, server, "postgres")
    ]


@contextlib.contextmanager
def loopback_server(
    handle: Callable[[socket.socket], None], stop: threading.Event
) -> Iterator[int]:
    """A free loopback port (yielded) whose every connection ``handle`` serves in a thread of
    its own; when the block ends, ``stop`` is set (handlers may wait on it) and it stops
    accepting."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(client,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@contextlib.contextmanager
def tcp_forwarder(target_port: int) -> Iterator[int]:
    """A loopback port that relays to ``target_port``: the same server under another address."""

    def pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def relay(client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", target_port))
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
        pump(client, upstream)

    with loopback_server(relay, threading.Event()) as port:
        yield port


def encrypted_config(stack: Stack, where: str = "encrypted", **overrides: Any) -> BackupConfig:
    """The gpg-encrypted copies of the good dump (``where``: ``encrypted`` is AES256,
    ``encrypted-cast5`` CAST5), with the test passphrase unless ``overrides`` name another."""
    settings: dict[str, Any] = {"encrypted": True, "passphrase": PASSPHRASE, **overrides}
    return backup_config(stack, where, "*.gpg", **settings)


def encrypted_drill_config(stack: Stack, scratch_dsn: str, **overrides: Any) -> BackupConfig:
    return encrypted_config(stack, scratch_dsn=scratch_dsn, **overrides)


def start_pgbouncer(stack: Stack, name: str, databases: str) -> int:
    """A real PgBouncer (session pooling, trusts ``postgres``) with this ``[databases]`` section;
    it runs as the postgres user (it refuses root) and is stopped with the stack."""
    exe = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(exe).is_file():
        pytest.skip("pgbouncer not installed (apt-get install pgbouncer)")
    port = free_port()
    ini = stack.root / f"{name}.ini"
    (stack.root / "pgbouncer-users.txt").write_text('"postgres" ""\n')
    ini.write_text(
        f"[databases]\n{databases}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nauth_type = trust\n"
        f"auth_file = {stack.root}/pgbouncer-users.txt\npool_mode = session\n"
        f"unix_socket_dir =\nlogfile = {stack.root}/{name}.log\n"
    )
    stack.procs[name] = subprocess.Popen(
        [exe, str(ini)], user="postgres", stderr=subprocess.DEVNULL
    )
    dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    wait_for(name, lambda: psycopg.connect(dsn, connect_timeout=2).close() is None)
    return port


def _pg_messages(buf: bytes) -> tuple[list[bytes], bytes]:
    """Whole PostgreSQL backend messages (type byte, int32 length) at the front of ``buf``."""
    found = []
    while len(buf) >= 5:
        size = 1 + int.from_bytes(buf[1:5], "big")
        if len(buf) < size:
            break
        found.append(buf[:size])
        buf = buf[size:]
    return found, buf


def _lines(buf: bytes) -> tuple[list[bytes], bytes]:
    """Whole CRLF-terminated lines (Redis simple replies) at the front of ``buf``."""
    *whole, rest = buf.split(b"\r\n")
    return [line + b"\r\n" for line in whole], rest


def _trickle(
    server: socket.socket, client: socket.socket, held: bytes, every_s: float, stop: threading.Event
) -> None:
    """Relay what the server sends, one byte every ``every_s``, until ``stop``."""
    server.setblocking(False)
    while not stop.wait(every_s):
        with contextlib.suppress(BlockingIOError):
            held += server.recv(65536)
        if held:
            client.sendall(held[:1])
            held = held[1:]


# protocol -> (split server bytes into messages, does this message count as an answer)
_PROTOCOLS: dict[
    str, tuple[Callable[[bytes], tuple[list[bytes], bytes]], Callable[[bytes], bool]]
] = {
    "postgres": (_pg_messages, lambda message: message[:1] == b"Z"),  # ReadyForQuery
    "redis": (_lines, lambda message: True),
}


@contextlib.contextmanager
def stalling_proxy(
    target_port: int,
    protocol: str,
    answers: int,
    trickle_s: float | None = None,
    only: bytes | None = None,
) -> Iterator[int]:
    """A loopback port relaying to ``target_port`` until the server has given ``answers``
    answers on a connection (PostgreSQL ReadyForQuery, Redis reply lines); then it goes silent
    and keeps the connection open, as a frozen server behind a live TCP stack would. With
    ``trickle_s`` it relays the rest one byte every ``trickle_s`` instead: every read gets
    something in time, yet no answer ever completes in time (a per-read timeout never fires).
    With ``only``, just the connections whose first packet from the client holds those bytes
    stall (a PostgreSQL startup packet's ``application_name``, readable with
    ``sslmode=disable``); the others are relayed whole. A client that goes away closes its
    connection to the server too."""
    split, counts = _PROTOCOLS[protocol]
    stop = threading.Event()
    sockets: list[socket.socket] = []

    def upstream_to_client(server: socket.socket, client: socket.socket, stalls: bool) -> None:
        buf, seen, held = b"", 0, b""
        with contextlib.suppress(OSError):
            while (not stalls or seen < answers) and (data := server.recv(65536)):
                if not stalls:
                    client.sendall(data)
                    continue
                messages, buf = split(buf + data)
                out = b""
                for i, message in enumerate(messages):
                    out += message
                    seen += counts(message)
                    if seen >= answers:
                        held = b"".join(messages[i + 1 :]) + buf
                        break
                client.sendall(out)
            if not stalls:
                client.shutdown(socket.SHUT_RDWR)  # the server ended it
            elif trickle_s is None:
                stop.wait()  # silent from here on, connection open
            else:
                _trickle(server, client, held, trickle_s, stop)

    def client_to_upstream(client: socket.socket, server: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                server.sendall(data)
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_RDWR)  # the client went away: its session ends too

    def relay(client: socket.socket) -> None:
        sockets.append(client)
        with contextlib.suppress(OSError):
            server = socket.create_connection(("127.0.0.1", target_port))
            sockets.append(server)
            first = client.recv(65536)  # both protocols: the client speaks first
            server.sendall(first)
            threading.Thread(target=client_to_upstream, args=(client, server), daemon=True).start()
            upstream_to_client(server, client, only is None or only in first)

    try:
        with loopback_server(relay, stop) as port:
            yield port
    finally:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()
