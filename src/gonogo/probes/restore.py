"""The restore drill (intrusive): restore the newest backup into a scratch database and verify it.

Safety first: the drill never touches the source. It refuses (facts with ``refused`` set) when
the scratch server is the source server under any name, a standby, or may be the primary of a
source that is a standby, and when a connection to the drill database made with the tools' own
parameters lands anywhere else (see :mod:`gonogo.probes.scratch`). A clone of the source
(same ``system_identifier``, another running server) is a valid scratch server. It restores only into a
database it created under a random name, and drops that database in a ``finally`` block
whatever happened (also on an interrupt); databases a killed run left behind are dropped by the
next drill, and so are decrypted copies a killed run left in the work directory.

Archives (custom, tar, directory) restore with ``--no-owner --no-privileges --no-comments``
(a comment on an extension the scratch server already has, such as amcheck in template1,
would fail a non-owner's restore). Plain SQL dumps go through ``psql -v ON_ERROR_STOP=1
--single-transaction`` (gzipped ones streamed through ``gzip -dc``) and keep their ``OWNER TO``
and ``COMMENT`` statements: take them with ``--no-owner --no-privileges --no-comments`` or
create the roles on the scratch server. A plain dump without pg_dump's completion trailer is
not restored at all (nothing is created for it).

Time: the restore is stopped at ``rto_s`` after the drill started (then it is "slower than the
RTO", not a bad backup), or earlier at ``time_limit_s`` (the check's own time limit minus a
margin to clean up; then the drill is not verified: the limit is too tight for the RTO).

Row counts: every restored table is counted exactly; source tables too, each ``count(*)``
bounded by ``[postgres] statement_timeout_ms`` on the gate's read-only connection, except tables
the statistics estimate above ``exact_count_max_rows``, whose estimate is used instead. Table
OIDs (the archive's table of contents vs the source now) tell a table renamed, dropped or
created since the dump from one the backup left out.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.facts.restore import RestoreFacts, TableCounts
from gonogo.model import ErrorReason
from gonogo.probes import backup, gpg, pgconn, pgtools, scratch, workspace
from gonogo.schema.data import BackupConfig, PostgresConfig

# user tables with their OID and the statistics' row estimate (n_live_tup, else reltuples)
_USER_TABLES = r"""SELECT t.schemaname, t.tablename, c.oid::bigint,
    greatest(coalesce(nullif(s.n_live_tup, 0), c.reltuples::bigint), 0)::bigint
    FROM pg_tables t
    JOIN pg_class c ON c.oid = format('%I.%I', t.schemaname, t.tablename)::regclass
    LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE t.schemaname NOT IN ('pg_catalog', 'information_schema')
    AND t.schemaname NOT LIKE 'pg\_temp\_%' AND t.schemaname NOT LIKE 'pg\_toast\_temp\_%'
    ORDER BY 1, 2"""


@dataclass(frozen=True, slots=True)
class _Clock:
    """The drill's time budget: the RTO, and the check's time limit when it is the tighter."""

    started: float
    rto_s: float
    time_limit_s: float | None

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float:
        """Seconds left before the time limit (the RTO does not bound verification steps)."""
        if self.time_limit_s is None:
            return float("inf")
        return self.time_limit_s - self.elapsed()

    def restore_limit(self) -> tuple[float, str]:
        """Seconds the restore may run, and what stops it then (``rto`` or ``time_limit``)."""
        rto_left = self.rto_s - self.elapsed()
        if self.left() < rto_left:
            return max(self.left(), 0.01), "time_limit"
        return max(rto_left, 0.01), "rto"


def drill(
    cfg: BackupConfig,
    pg: PostgresConfig,
    obj: backup.BackupObject,
    *,
    time_limit_s: float | None = None,
) -> RestoreFacts:
    """Restore ``obj`` into a fresh scratch database, count rows, amcheck it, drop it.

    ``time_limit_s``: how long the whole drill may take (the check's time limit minus a margin).
    """
    if cfg.scratch_dsn is None:
        raise ProbeError(
            "restore drill: [backup] scratch_dsn is not set; no server to restore into",
            reason=ErrorReason.CONFIG,
        )
    clock = _Clock(time.monotonic(), cfg.rto_s, time_limit_s)
    server = scratch.server_of(cfg.scratch_dsn)
    source = pgconn.target_of(pg.dsn)
    facts = RestoreFacts(
        obj.name, obj.size, None, obj.modified, source, server, time_limit_s=time_limit_s
    )
    refused = scratch.refusal_by_address(pg.dsn, cfg.scratch_dsn)
    if refused is not None:
        return replace(facts, refused=refused)
    with pgconn.connect(
        cfg.scratch_dsn,
        connect_timeout_s=pg.connect_timeout_s,
        statement_timeout_ms=int(cfg.command_timeout_s * 1000),
        read_only=False,
    ) as admin:
        # name the server by where the connection landed (a service file may have chosen it)
        server = scratch.landed(admin)
        facts = replace(facts, scratch_server=server)
        try:
            ident = scratch.guard(admin, server, pg)
        except scratch.Unsafe as unsafe:
            return replace(facts, refused=str(unsafe))
        facts = replace(facts, scratch_identity=ident.scratch, source_identity=ident.source)
        found = scratch.stale(admin, server)
        left = tuple(name for name in found if not scratch.drop(admin, name))
        swept = workspace.sweep(cfg.work_dir)
        facts = replace(facts, stale=tuple(found), stale_left=left, swept=swept)
        facts = _fetch_and_restore(facts, admin, ident, cfg, obj, clock)
    facts = replace(facts, total_s=round(clock.elapsed(), 2))
    if facts.restored:
        facts = _compare_with_source(facts, pg, cfg)
    return facts


def _fetch_and_restore(
    facts: RestoreFacts,
    admin: psycopg.Connection[Any],
    ident: scratch.Identity,
    cfg: BackupConfig,
    obj: backup.BackupObject,
    clock: _Clock,
) -> RestoreFacts:
    with backup.source_for(cfg).local(obj) as path, contextlib.ExitStack() as stack:
        facts = replace(facts, sha256=None if path.is_dir() else backup.sha256_of(path))
        plain = path
        if backup.sniff(path) == "openpgp":
            started = time.monotonic()
            decryption = stack.enter_context(gpg.decrypted(path, cfg))
            facts = replace(facts, decrypt_s=round(time.monotonic() - started, 2))
            if decryption.plain is None:
                why = f"not restored: gpg exit {decryption.exit_code}: {decryption.detail}"
                return replace(facts, restored=None, unverified=ErrorReason.AUTH, detail=why)
            plain = decryption.plain
        fmt, refusal = _restorable(plain)
        if refusal is not None:  # nothing to create a database for
            return replace(facts, restored=False, detail=refusal)
        archive = fmt in pgtools.ARCHIVE_FORMATS  # SQL dumps record no OIDs
        toc = pgtools.toc_tables(plain, cfg, cfg.command_timeout_s) if archive else None
        name = scratch.create(admin, facts.scratch_server)
        facts = replace(facts, scratch=f"{facts.scratch_server}/{name}", backup_oids=toc)
        try:
            facts = _restore_and_verify(facts, plain, fmt, name, ident, cfg, clock)
        except scratch.Unsafe as unsafe:
            facts = replace(facts, refused=str(unsafe), restored=None)
        finally:
            dropped = scratch.drop(admin, name)
            scratch.release(admin, name)
    return replace(facts, scratch_dropped=dropped)


def _restorable(path: Path) -> tuple[str, str | None]:
    """The restore format (``plain`` covers gzipped SQL), or why the file cannot restore."""
    fmt = backup.sniff(path)
    if fmt in pgtools.ARCHIVE_FORMATS:
        return fmt, None
    if fmt in ("plain", "gzip"):
        complete, why = backup.plain_complete(path, gzipped=fmt == "gzip")
        return fmt, (None if complete else f"not restored: {why}")
    return fmt, f"cannot restore a {fmt} file: not a pg_dump archive or SQL dump"


def _restore_and_verify(
    facts: RestoreFacts,
    path: Path,
    fmt: str,
    name: str,
    ident: scratch.Identity,
    cfg: BackupConfig,
    clock: _Clock,
) -> RestoreFacts:
    assert cfg.scratch_dsn is not None
    timeout_ms = int(cfg.command_timeout_s * 1000)
    dsn = cfg.scratch_dsn
    with scratch.session(dsn, name, ident, empty=True, statement_timeout_ms=timeout_ms) as conn:
        env = pgtools.child_env(conn, name, dsn)
    limit, stop = clock.restore_limit()
    started = time.monotonic()
    try:
        restored, reason, detail = pgtools.restore(fmt, path, cfg, env, limit)
    except ProbeTimeout:
        took = round(time.monotonic() - started, 2)
        return replace(facts, restore_s=took, **_stopped(stop, took, facts, cfg))
    facts = replace(
        facts,
        restored=restored,
        unverified=reason,
        restore_s=round(time.monotonic() - started, 2),
        detail=detail,
    )
    if restored is not True:
        return facts
    started = time.monotonic()
    with scratch.session(dsn, name, ident, empty=False, statement_timeout_ms=timeout_ms) as conn:
        counts = count_tables(conn, f"{facts.scratch_server}/{name}")
    facts = replace(facts, tables=counts.rows)
    if cfg.amcheck:
        ok, why, reason = pgtools.amcheck(cfg, env, min(cfg.command_timeout_s, clock.left()))
        facts = replace(facts, amcheck_ok=ok, amcheck_detail=why, amcheck_reason=reason)
    return replace(facts, verify_s=round(time.monotonic() - started, 2))


def _stopped(stop: str, took: float, facts: RestoreFacts, cfg: BackupConfig) -> dict[str, Any]:
    if stop == "rto":
        why = f"restore stopped at rto_s={cfg.rto_s:g} s: slower than the RTO (not proven bad)"
        return {"restored": None, "unverified": ErrorReason.TIMEOUT, "stopped": stop, "detail": why}
    why = (
        f"the check's time limit stopped the restore after {took:.1f} s (the drill may run "
        f"{facts.time_limit_s:g} s: the check's timeout_s less a margin to clean up), before "
        f'rto_s={cfg.rto_s:g} s; raise [checks."backup.restore"] timeout_s above rto_s'
    )
    return {"restored": None, "unverified": ErrorReason.CONFIG, "stopped": stop, "detail": why}


def count_tables(
    conn: psycopg.Connection[Any], target: str, max_exact: int | None = None
) -> TableCounts:
    """Rows per user table: ``count(*)``, or the statistics' estimate above ``max_exact``."""
    try:
        rows: dict[str, int] = {}
        oids: dict[str, int] = {}
        estimated: list[str] = []
        for schema, table, oid, estimate in conn.execute(_USER_TABLES).fetchall():
            name = f"{schema}.{table}"
            oids[name] = int(oid)
            if max_exact is not None and estimate > max_exact:
                rows[name] = int(estimate)
                estimated.append(name)
                continue
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
            row = conn.execute(query).fetchone()
            rows[name] = int(row[0]) if row else 0
        return TableCounts(rows, oids, tuple(estimated))
    except psycopg.Error as err:
        raise pgconn.probe_error(err, target) from err


def _compare_with_source(
    facts: RestoreFacts, pg: PostgresConfig, cfg: BackupConfig
) -> RestoreFacts:
    try:
        with pgconn.connect_to(pg) as conn:
            counts = count_tables(conn, pgconn.target_of(pg.dsn), cfg.exact_count_max_rows)
    except ProbeError as err:
        return replace(facts, source_error=str(err), source_reason=err.reason)
    return replace(
        facts,
        source_tables=counts.rows,
        source_oids=counts.oids,
        source_estimated=counts.estimated,
    )


def scratch_target(cfg: BackupConfig) -> str:
    """``host:port/db`` of the scratch DSN, or what is missing (a sensitive environment's drill
    without one is not verified: the drill says so)."""
    return pgconn.target_of(cfg.scratch_dsn) if cfg.scratch_dsn else "(no [backup] scratch_dsn)"


def time_limit(check_timeout_s: float | None) -> float | None:
    """How long a drill may run inside a check limited to ``check_timeout_s`` (None or 0: no
    limit): the limit less a margin to drop the database and report (5%, 5 to 60 s)."""
    if not check_timeout_s or check_timeout_s <= 0:
        return None
    return check_timeout_s - min(60.0, max(5.0, 0.05 * check_timeout_s))
