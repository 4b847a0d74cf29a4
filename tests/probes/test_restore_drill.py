"""The restore drill against real servers: it restores, verifies, refuses and cleans up."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from gonogo.probes import backup, pgtools, postgres, restore, scratch
from gonogo.rules import restore as restore_rules
from probes.datastack import (
    PASSPHRASE,
    PG_BIN,
    Stack,
    backup_config,
    encrypted_drill_config,
    failing,
    gpg_leftovers,
    needs_servers,
    pg_config,
    scratch_databases,
    tcp_forwarder,
    wait_for,
)

pytestmark = needs_servers


def test_restore_drill_of_a_plain_dump(stack: Stack) -> None:
    """A plain SQL dump restores through psql in one transaction and matches the source."""
    scratch = stack.dsn("scratch", "postgres", "postgres")
    cfg = backup_config(stack, "plain", "app.sql", scratch_dsn=scratch)
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.restored and drill.tables == drill.source_tables, drill.detail
    assert failing(restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)) == set()
    assert scratch_databases(stack) == []


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
    findings = restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)
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
    assert failing(restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)) == {
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
        restore_rules.evaluate_restore(backup.discover(cfg), drill, cfg, drill.modified)
    ) == {"target"}
    assert stack.sql("SELECT count(*) FROM pg_database", db="postgres") == before


def test_restore_into_the_source_behind_another_port_is_refused(stack: Stack) -> None:
    """When addresses differ but system_identifier and database match, the drill still refuses."""
    with tcp_forwarder(stack.ports["primary"]) as port:
        cfg = backup_config(stack, scratch_dsn=f"postgresql://postgres@127.0.0.1:{port}/app")
        assert not restore.same_endpoint(
            cfg.scratch_dsn, stack.dsn()
        )  # the address check alone misses it
        drill = restore.drill(cfg, pg_config(stack), backup.discover(cfg).newest)
    assert drill.refused and "system_identifier" in drill.refused and scratch_databases(stack) == []


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
    findings = restore_rules.evaluate_restore(backup.discover(cfg), drill, cfg, drill.modified)
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
    findings = restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)
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
    findings = restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)
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
    found = {f.name: f for f in restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)}
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
    found = {f.name: f for f in restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)}
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
    findings = restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)
    assert failing(findings) == {"source"}


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
        env = amcheck_env(stack.dsn("scratch", "postgres", "postgres"), "amcheck_corrupt")
        corrupt = backup.run(amcheck, timeout_s=60, what="pg_amcheck", env=env)
        ok, detail = pgtools.judge_amcheck(corrupt)
        assert (corrupt.returncode, ok) == (2, False), detail
        assert 'btree index "amcheck_corrupt.public.t_pkey"' in detail
        env = amcheck_env(stack.dsn("scratch", "restorer_noamcheck", "postgres"), "amcheck_corrupt")
        denied = backup.run(amcheck, timeout_s=60, what="pg_amcheck", env=env)
        ok, detail = pgtools.judge_amcheck(denied)
        assert (denied.returncode, ok) == (2, None) and "permission denied" in detail
    finally:
        stack.sql("DROP DATABASE IF EXISTS amcheck_corrupt", "scratch", "postgres")


def amcheck_env(dsn: str, dbname: str) -> dict[str, str]:
    """The tools' environment as a drill builds it, from a real session on ``dsn``."""
    with postgres.connect(dsn, connect_timeout_s=5, statement_timeout_ms=5000) as conn:
        return pgtools.child_env(conn, dbname, dsn)
