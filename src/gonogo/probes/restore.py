"""The restore drill (intrusive): restore the newest backup into a scratch database and verify it.

Safety first: the drill never touches the source. It refuses (facts with ``refused`` set) when
the scratch server is the source server, a standby, or shares the source's
``system_identifier`` (see :mod:`gonogo.probes.scratch`). It restores only into a database it
created under a random name, and drops that database in a ``finally`` block whatever happened
(also on an interrupt); databases a killed run left behind are dropped by the next drill.

Archives (custom, tar, directory) restore with ``--no-owner --no-privileges --no-comments``
(a comment on an extension the scratch server already has, such as amcheck in template1,
would fail a non-owner's restore). Plain SQL dumps go through ``psql -v ON_ERROR_STOP=1
--single-transaction`` and keep their ``OWNER TO`` and ``COMMENT`` statements: take them with
``--no-owner --no-privileges --no-comments`` or create the roles on the scratch server.

Row counts: every restored table is counted exactly; source tables too, each ``count(*)``
bounded by ``[postgres] statement_timeout_ms`` on the gate's read-only connection, except tables
the statistics estimate above ``exact_count_max_rows``, whose estimate is used instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg
from psycopg import conninfo, sql

from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.model import ErrorReason
from gonogo.probes import backup, postgres, scratch
from gonogo.schema.data import BackupConfig, PostgresConfig

SCRATCH_PREFIX = scratch.PREFIX
same_endpoint = scratch.same_endpoint
# libpq parameters handed to pg_restore as PG<NAME> variables, so no password sits in argv
_LIBPQ_ENV = frozenset(
    {"host", "hostaddr", "port", "user", "password", "passfile", "sslmode", "sslrootcert"}
    | {"sslcert", "sslkey", "sslcrl", "gssencmode", "channel_binding"}
)
# user tables with the statistics' row estimate (n_live_tup, else reltuples; 0 if never counted)
_USER_TABLES = r"""SELECT t.schemaname, t.tablename,
    greatest(coalesce(nullif(s.n_live_tup, 0), c.reltuples::bigint), 0)::bigint
    FROM pg_tables t
    JOIN pg_class c ON c.oid = format('%I.%I', t.schemaname, t.tablename)::regclass
    LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE t.schemaname NOT IN ('pg_catalog', 'information_schema')
    AND t.schemaname NOT LIKE 'pg\_temp\_%' AND t.schemaname NOT LIKE 'pg\_toast\_temp\_%'
    ORDER BY 1, 2"""


@dataclass(frozen=True, slots=True)
class RestoreFacts:
    """What the drill did and measured.

    Attributes:
        backup / size / sha256 / modified: the backup that was restored.
        source: ``host:port/db`` of the source; scratch_server: ``host:port`` of the scratch
            server; scratch: ``host:port/db`` of the database created (None: none was).
        refused: why the drill did not run (the scratch server is not a safe target), else None.
        stale / stale_left: databases of killed drills found at the start / not droppable.
        restored: pg_restore (or psql) finished with exit 0; ``detail`` says what happened.
        decrypt_s / restore_s / total_s: wall-clock seconds (total = fetch to drop).
        tables: rows per restored table; source_tables: rows per table in the source now
            (None when the source could not be read: ``source_error``); source_estimated: the
            source tables whose rows are the statistics' estimate, not ``count(*)``.
        amcheck_ok: pg_amcheck found no corruption (None: not run; ``amcheck_detail`` why).
        scratch_dropped: the scratch database no longer exists after the drill.
    """

    backup: str
    size: int
    sha256: str | None
    modified: dt.datetime
    source: str
    scratch_server: str
    scratch: str | None = None
    refused: str | None = None
    stale: tuple[str, ...] = ()
    stale_left: tuple[str, ...] = ()
    restored: bool = False
    detail: str = ""
    decrypt_s: float = 0.0
    restore_s: float = 0.0
    total_s: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)
    source_tables: dict[str, int] | None = None
    source_estimated: tuple[str, ...] = ()
    source_error: str | None = None
    amcheck_ok: bool | None = None
    amcheck_detail: str = "not run"
    scratch_dropped: bool = True


def drill(cfg: BackupConfig, pg: PostgresConfig, obj: backup.BackupObject) -> RestoreFacts:
    """Restore ``obj`` into a fresh scratch database, count rows, amcheck it, drop it."""
    if cfg.scratch_dsn is None:
        raise ProbeError("restore drill: set [backup].scratch_dsn", reason=ErrorReason.CONFIG)
    server = scratch.server_of(cfg.scratch_dsn)
    facts = RestoreFacts(obj.name, obj.size, None, obj.modified, postgres.target_of(pg.dsn), server)
    refused = scratch.refusal_by_address(pg.dsn, cfg.scratch_dsn)
    if refused is not None:
        return replace(facts, refused=refused)
    timeout_ms = int(cfg.command_timeout_s * 1000)
    with postgres.connect(
        cfg.scratch_dsn,
        connect_timeout_s=pg.connect_timeout_s,
        statement_timeout_ms=timeout_ms,
        read_only=False,
    ) as admin:
        refused = scratch.refusal_by_identity(admin, server, pg)
        if refused is not None:
            return replace(facts, refused=refused)
        found = scratch.stale(admin, server)
        left = tuple(name for name in found if not scratch.drop(admin, name))
        facts = replace(facts, stale=tuple(found), stale_left=left)
        started = time.monotonic()
        with backup.source_for(cfg).local(obj) as path, contextlib.ExitStack() as stack:
            facts = replace(facts, sha256=None if path.is_dir() else backup.sha256_of(path))
            plain, why, decrypt_s = _plaintext(path, cfg, stack)
            facts = replace(facts, decrypt_s=round(decrypt_s, 2))
            if plain is None:
                return replace(facts, detail=why, total_s=round(time.monotonic() - started, 2))
            name = scratch.create(admin, server)
            facts = replace(facts, scratch=f"{server}/{name}")
            try:
                facts = _restore_and_verify(facts, plain, name, cfg, timeout_ms)
            finally:
                dropped = scratch.drop(admin, name)
                scratch.release(admin, name)
        facts = replace(
            facts, scratch_dropped=dropped, total_s=round(time.monotonic() - started, 2)
        )
    if facts.restored:
        facts = _compare_with_source(facts, pg, cfg)
    return facts


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
        flags = "--exit-on-error --single-transaction --no-owner --no-privileges --no-comments"
        cmd = [backup.tool("pg_restore", cfg), *flags.split(), "-d", name, str(path)]
    elif fmt == "plain":
        flags = "-X -q -v ON_ERROR_STOP=1 --single-transaction"
        cmd = [backup.tool("psql", cfg), *flags.split(), "-d", name, "-f", str(path)]
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
    tool = Path(cmd[0]).name
    if done.returncode != 0:
        why = f"{tool} exit {done.returncode}: {backup.last_line(done.stderr)}"
        return replace(facts, restore_s=took, detail=why)
    dsn = conninfo.make_conninfo(cfg.scratch_dsn, dbname=name)
    counts, _ = count_rows(dsn, connect_timeout_s=10, statement_timeout_ms=timeout_ms)
    facts = replace(
        facts,
        restored=True,
        restore_s=took,
        tables=counts,
        detail=f"{tool} restored the {fmt} archive",
    )
    return _amcheck(facts, name, cfg, env) if cfg.amcheck else facts


def count_rows(
    dsn: str,
    *,
    connect_timeout_s: float,
    statement_timeout_ms: int,
    max_exact: int | None = None,
) -> tuple[dict[str, int], tuple[str, ...]]:
    """Rows per user table, read-only: ``count(*)``, or the estimate above ``max_exact`` rows.

    Returns the counts and the names of the tables whose count is an estimate.
    """
    with postgres.connect(
        dsn, connect_timeout_s=connect_timeout_s, statement_timeout_ms=statement_timeout_ms
    ) as conn:
        try:
            counts: dict[str, int] = {}
            estimated: list[str] = []
            for schema, table, estimate in conn.execute(_USER_TABLES).fetchall():
                name = f"{schema}.{table}"
                if max_exact is not None and estimate > max_exact:
                    counts[name] = int(estimate)
                    estimated.append(name)
                    continue
                query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
                row = conn.execute(query).fetchone()
                counts[name] = int(row[0]) if row else 0
            return counts, tuple(estimated)
        except psycopg.Error as err:
            raise postgres.probe_error(err, postgres.target_of(dsn)) from err


def _amcheck(
    facts: RestoreFacts, name: str, cfg: BackupConfig, env: dict[str, str]
) -> RestoreFacts:
    try:
        exe = backup.tool("pg_amcheck", cfg)
    except ProbeError:
        return replace(facts, amcheck_detail="pg_amcheck not installed (postgresql-client)")
    cmd = [exe, "--install-missing", "--heapallindexed", name]
    try:
        done = backup.run(cmd, timeout_s=cfg.command_timeout_s, what="pg_amcheck", env=env)
    except ProbeTimeout as err:
        return replace(facts, amcheck_detail=f"pg_amcheck could not finish: {err}")
    ok, detail = judge_amcheck(done)
    return replace(facts, amcheck_ok=ok, amcheck_detail=detail)


def judge_amcheck(done: subprocess.CompletedProcess[bytes]) -> tuple[bool | None, str]:
    """pg_amcheck's verdict: True clean, False corrupt, None not verified (with why).

    Exit 2 means "problems reported per relation", which includes relations it could not
    check (e.g. no EXECUTE on amcheck's functions): those are not evidence of corruption.
    """
    line = backup.last_line(done.stderr) or backup.last_line(done.stdout)
    if done.returncode == 0:
        return True, "pg_amcheck --heapallindexed: no corruption"
    if done.returncode != 2:  # 1: it could not run at all
        return None, f"pg_amcheck could not run (exit {done.returncode}): {line}"
    problems = amcheck_problems(done.stdout.decode(errors="replace"))
    corrupt = [(rel, msg) for rel, msg in problems if not _UNCHECKED.search(msg)]
    if corrupt or not problems:
        rel, msg = corrupt[0] if corrupt else ("", line)
        why = f"pg_amcheck found corruption in {len(corrupt)} relation(s): {rel} {msg}"
        return False, why.strip()[:400]
    rel, msg = problems[0]
    return None, f"pg_amcheck could not check {len(problems)} relation(s): {rel} {msg}"[:400]


# errors that mean "not checked" rather than "corrupt" (amcheck reports corruption as ERRORs too)
_UNCHECKED = re.compile(
    r"^ERROR:\s+(permission denied|must be |canceling statement|function .* does not exist)"
)


def amcheck_problems(stdout: str) -> list[tuple[str, str]]:
    """``(relation header, first message)`` of each problem pg_amcheck printed."""
    problems: list[tuple[str, str]] = []
    header = None
    for raw in stdout.splitlines():
        if raw and not raw[0].isspace():
            header = raw.rstrip(":")
        elif raw.strip() and header is not None:
            problems.append((header, raw.strip()))
            header = None  # the first indented line says what is wrong
    return problems


def _compare_with_source(
    facts: RestoreFacts, pg: PostgresConfig, cfg: BackupConfig
) -> RestoreFacts:
    try:
        source, estimated = count_rows(
            pg.dsn,
            connect_timeout_s=pg.connect_timeout_s,
            statement_timeout_ms=pg.statement_timeout_ms,
            max_exact=cfg.exact_count_max_rows,
        )
    except ProbeError as err:
        return replace(facts, source_error=str(err))
    return replace(facts, source_tables=source, source_estimated=estimated)


def libpq_env(dsn: str) -> dict[str, str]:
    """Connection settings as PG* variables: a password never appears on a command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    params = conninfo.conninfo_to_dict(dsn)
    for key, value in params.items():
        if key in _LIBPQ_ENV and value is not None:
            env["PG" + key.upper().replace("_", "")] = str(value)
    env.update(PGAPPNAME="gonogo-restore", PGCONNECT_TIMEOUT="10")
    return env
