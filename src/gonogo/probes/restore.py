"""The restore drill (intrusive): restore the newest backup into a scratch database and verify it.

Safety first: the drill never touches the source database. It refuses (facts with ``refused``
set, judged as a failed finding) when the scratch DSN and the source DSN resolve to the same
server and database, by address/port/dbname before connecting and by ``system_identifier`` +
``current_database()`` after. It restores only into a database it created under a random name,
and drops that database in a ``finally`` block whatever happened.

Archives (custom, tar, directory) restore with ``--no-owner --no-privileges``. Plain SQL dumps go
through ``psql -v ON_ERROR_STOP=1 --single-transaction`` and keep their ``OWNER TO`` statements:
take them with ``--no-owner --no-privileges`` or create the roles on the scratch server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import secrets
import socket
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo, sql

from gonogo.errors import ProbeAuthError, ProbeError, ProbeTimeout
from gonogo.model import ErrorReason
from gonogo.probes import backup, postgres
from gonogo.schema.data import BackupConfig, PostgresConfig

SCRATCH_PREFIX = "gonogo_restore_"
# libpq parameters handed to pg_restore as PG<NAME> variables, so no password sits in argv
_LIBPQ_ENV = frozenset(
    {"host", "hostaddr", "port", "user", "password", "passfile", "sslmode", "sslrootcert"}
    | {"sslcert", "sslkey", "sslcrl", "gssencmode", "channel_binding"}
)
_USER_TABLES = """SELECT schemaname, tablename FROM pg_tables
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"""


@dataclass(frozen=True, slots=True)
class RestoreFacts:
    """What the drill did and measured.

    Attributes:
        backup / size / sha256 / modified: the backup that was restored.
        source / scratch: ``host:port/db`` of the source and of the scratch database.
        refused: why the drill did not run (scratch resolves to the source), else None.
        restored: pg_restore (or psql) finished with exit 0; ``detail`` says what happened.
        decrypt_s / restore_s / total_s: wall-clock seconds (total = fetch to drop).
        tables: rows per restored table; source_tables: rows per table in the source now
            (None when the source could not be read: ``source_error``).
        amcheck_ok: pg_amcheck found no corruption (None: not run; ``amcheck_detail`` why).
        scratch_dropped: the scratch database no longer exists after the drill.
    """

    backup: str
    size: int
    sha256: str | None
    modified: dt.datetime
    source: str
    scratch: str
    refused: str | None = None
    restored: bool = False
    detail: str = ""
    decrypt_s: float = 0.0
    restore_s: float = 0.0
    total_s: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)
    source_tables: dict[str, int] | None = None
    source_error: str | None = None
    amcheck_ok: bool | None = None
    amcheck_detail: str = "not run"
    scratch_dropped: bool = True


def drill(cfg: BackupConfig, pg: PostgresConfig, obj: backup.BackupObject) -> RestoreFacts:
    """Restore ``obj`` into a fresh scratch database, count rows, amcheck it, drop it."""
    if cfg.scratch_dsn is None:
        raise ProbeError("restore drill: set [backup].scratch_dsn", reason=ErrorReason.CONFIG)
    name = SCRATCH_PREFIX + secrets.token_hex(6)
    base = postgres.target_of(cfg.scratch_dsn)
    facts = RestoreFacts(obj.name, obj.size, None, obj.modified, postgres.target_of(pg.dsn), base)
    if same_endpoint(pg.dsn, cfg.scratch_dsn):
        return replace(facts, refused=f"scratch {base} resolves to the source server and database")
    timeout_ms = int(cfg.command_timeout_s * 1000)
    with postgres.connect(
        cfg.scratch_dsn,
        connect_timeout_s=pg.connect_timeout_s,
        statement_timeout_ms=timeout_ms,
        read_only=False,
    ) as admin:
        ident = _identity(admin, base)
        if ident is not None and ident == _source_identity(pg):
            return replace(
                facts, refused=f"scratch {base} is the source (same system_identifier and database)"
            )
        facts = replace(facts, scratch=f"{base.rsplit('/', 1)[0]}/{name}")
        started = time.monotonic()
        with backup.source_for(cfg).local(obj) as path, contextlib.ExitStack() as stack:
            facts = replace(facts, sha256=None if path.is_dir() else backup.sha256_of(path))
            plain, why, decrypt_s = _plaintext(path, cfg, stack)
            facts = replace(facts, decrypt_s=round(decrypt_s, 2))
            if plain is None:
                return replace(facts, detail=why, total_s=round(time.monotonic() - started, 2))
            _create(admin, name, base)
            try:
                facts = _restore_and_verify(facts, plain, name, cfg, timeout_ms)
            finally:
                dropped = _drop(admin, name)
        facts = replace(
            facts, scratch_dropped=dropped, total_s=round(time.monotonic() - started, 2)
        )
    if facts.restored:
        facts = _compare_with_source(facts, pg, timeout_ms)
    return facts


def same_endpoint(a: str, b: str) -> bool:
    """Whether two DSNs name the same server (address set and port) and database."""
    (hosts_a, port_a, db_a), (hosts_b, port_b, db_b) = _endpoint(a), _endpoint(b)
    return bool(hosts_a & hosts_b) and port_a == port_b and db_a == db_b


def _endpoint(dsn: str) -> tuple[frozenset[str], int, str]:
    params = conninfo.conninfo_to_dict(dsn)
    hosts = str(params.get("hostaddr") or params.get("host") or os.environ.get("PGHOST") or "")
    port = int(str(params.get("port") or os.environ.get("PGPORT") or 5432).split(",")[0])
    user = params.get("user") or os.environ.get("PGUSER") or ""
    db = str(params.get("dbname") or os.environ.get("PGDATABASE") or user)
    addresses: set[str] = set()
    for host in hosts.split(",") if hosts else ["/socket"]:
        addresses |= _addresses(host.strip(), port)
    return frozenset(addresses), port, db


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


def _identity(conn: psycopg.Connection[Any], target: str) -> tuple[int, str] | None:
    try:
        row = conn.execute("SELECT system_identifier, current_database() FROM pg_control_system()")
        got = row.fetchone()
    except psycopg.Error as err:
        raise postgres.probe_error(err, target) from err
    return (int(got[0]), str(got[1])) if got else None


def _source_identity(pg: PostgresConfig) -> tuple[int, str] | None:
    try:
        with postgres.connect(
            pg.dsn,
            connect_timeout_s=pg.connect_timeout_s,
            statement_timeout_ms=pg.statement_timeout_ms,
        ) as conn:
            return _identity(conn, postgres.target_of(pg.dsn))
    except ProbeError:
        return None  # an unreachable source cannot be the restore target; the address check ran


def _plaintext(
    path: Path, cfg: BackupConfig, stack: contextlib.ExitStack
) -> tuple[Path | None, str, float]:
    if backup.sniff(path) != "openpgp":
        return path, "", 0.0
    started = time.monotonic()
    plain, code, detail = stack.enter_context(backup.decrypted(path, cfg))
    return plain, f"not restored: gpg exit {code}: {detail}", time.monotonic() - started


def _restore_and_verify(
    facts: RestoreFacts, path: Path, name: str, cfg: BackupConfig, timeout_ms: int
) -> RestoreFacts:
    assert cfg.scratch_dsn is not None
    env = libpq_env(cfg.scratch_dsn)
    fmt = backup.sniff(path)
    if fmt in ("custom", "tar", "directory"):
        # one transaction: a dump that breaks half-way leaves nothing behind, not empty tables
        cmd = [
            backup.tool("pg_restore", cfg),
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            "-d",
            name,
            str(path),
        ]
    elif fmt == "plain":
        cmd = [
            backup.tool("psql", cfg),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-d",
            name,
            "-f",
            str(path),
        ]
    else:
        return replace(facts, detail=f"cannot restore a {fmt} file")
    started = time.monotonic()
    try:
        done = backup.run(cmd, timeout_s=cfg.rto_s, what="restore", env=env)
    except ProbeTimeout:
        return replace(
            facts, restore_s=cfg.rto_s, detail=f"restore killed after rto_s={cfg.rto_s:.0f} s"
        )
    took = round(time.monotonic() - started, 2)
    if done.returncode != 0:
        return replace(
            facts,
            restore_s=took,
            detail=f"{Path(cmd[0]).name} exit {done.returncode}: {backup.last_line(done.stderr)}",
        )
    dsn = conninfo.make_conninfo(cfg.scratch_dsn, dbname=name)
    facts = replace(
        facts,
        restored=True,
        restore_s=took,
        tables=count_rows(dsn, timeout_ms),
        detail=f"{Path(cmd[0]).name} restored the {fmt} archive",
    )
    return _amcheck(facts, name, cfg, env) if cfg.amcheck else facts


def count_rows(dsn: str, timeout_ms: int) -> dict[str, int]:
    """Exact ``count(*)`` of every user table, read-only."""
    with postgres.connect(dsn, connect_timeout_s=10, statement_timeout_ms=timeout_ms) as conn:
        try:
            counts = {}
            for schema, table in conn.execute(_USER_TABLES).fetchall():
                query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
                row = conn.execute(query).fetchone()
                counts[f"{schema}.{table}"] = int(row[0]) if row else 0
            return counts
        except psycopg.Error as err:
            raise postgres.probe_error(err, postgres.target_of(dsn)) from err


def _create(admin: psycopg.Connection[Any], name: str, target: str) -> None:
    try:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as err:
        raise ProbeAuthError(
            f"postgres {target}: cannot create the scratch database ({str(err).strip()[:150]}); "
            "give the scratch_dsn role CREATEDB"
        ) from err


def _amcheck(
    facts: RestoreFacts, name: str, cfg: BackupConfig, env: dict[str, str]
) -> RestoreFacts:
    try:
        exe = backup.tool("pg_amcheck", cfg)
    except ProbeError:
        return replace(facts, amcheck_detail="pg_amcheck not installed")
    cmd = [exe, "--install-missing", "--heapallindexed", name]
    done = backup.run(cmd, timeout_s=cfg.command_timeout_s, what="pg_amcheck", env=env)
    line = backup.last_line(done.stderr) or backup.last_line(done.stdout)
    if done.returncode == 0:
        return replace(
            facts, amcheck_ok=True, amcheck_detail="pg_amcheck --heapallindexed: no corruption"
        )
    if done.returncode == 2:  # pg_amcheck's "corruption found"; 1 means it could not run
        return replace(
            facts, amcheck_ok=False, amcheck_detail=f"pg_amcheck found corruption: {line}"
        )
    return replace(
        facts, amcheck_detail=f"pg_amcheck could not run (exit {done.returncode}): {line}"
    )


def _drop(admin: psycopg.Connection[Any], name: str) -> bool:
    assert name.startswith(SCRATCH_PREFIX)  # never drop anything the drill did not create
    with contextlib.suppress(psycopg.Error):
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    with contextlib.suppress(psycopg.Error):
        row = admin.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        return row is not None and row[0] == 0
    return False


def _compare_with_source(facts: RestoreFacts, pg: PostgresConfig, timeout_ms: int) -> RestoreFacts:
    try:
        source = count_rows(pg.dsn, timeout_ms)
    except ProbeError as err:
        return replace(facts, source_error=str(err))
    return replace(facts, source_tables=source)


def libpq_env(dsn: str) -> dict[str, str]:
    """Connection settings as PG* variables: a password never appears on a command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    params = conninfo.conninfo_to_dict(dsn)
    for key, value in params.items():
        if key in _LIBPQ_ENV and value is not None:
            env["PG" + key.upper().replace("_", "")] = str(value)
    env.update(PGAPPNAME="gonogo-restore", PGCONNECT_TIMEOUT="10")
    return env
