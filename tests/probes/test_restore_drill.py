"""The restore drill against real servers: it restores, verifies, refuses and cleans up."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from gonogo.errors import ProbeAuthError
from gonogo.model import ErrorReason
from gonogo.probes import (
    backup,
    commands,
    pgconn,
    pgtools,
    postgres,
    restore,
    sameserver,
    scratch,
    workspace,
)
from gonogo.rules import restore as restore_rules
from gonogo.schema.data import PostgresConfig
from loopback import refusing_port
from probes.datastack import (
    PASSPHRASE,
    PASSWORD,
    PG_BIN,
    Stack,
    backup_config,
    encrypted_drill_config,
    failing,
    gpg_leftovers,
    needs_servers,
    pg_config,
    scratch_databases,
    stalling_proxy,
    tcp_forwarder,
    wait_for,
)
from wallclock import ends_within

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
    cfg = encrypted_drill_config(stack, stack.dsn("scratch", "postgres", "postgres"))
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
    scratch_dsn = stack.dsn("scratch", "postgres", "postgres")
    cfg = encrypted_drill_config(stack, scratch_dsn, passphrase="wrong")
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
        assert not scratch.same_endpoint(
            cfg.scratch_dsn, stack.dsn()
        )  # the address check alone misses it
        drill = restore.drill(cfg, pg_config(stack), backup.discover(cfg).newest)
    assert drill.refused and "reached by another name" in drill.refused, drill.refused
    assert scratch_databases(stack) == []


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
    assert scratch.same_endpoint(stack.dsn(), f"postgresql://x@127.0.0.1:{port}/postgres")
    assert scratch.same_endpoint(stack.dsn(), f"postgresql://x@localhost:{port}/other")
    assert not scratch.same_endpoint(stack.dsn(), stack.dsn("scratch", "postgres", "postgres"))


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


def test_role_without_createdb_is_an_auth_error_naming_the_grant(stack: Stack) -> None:
    """A scratch role that may not create databases ends the drill as an auth error saying to
    grant CREATEDB (only that error: a timeout is not reported as a missing privilege)."""
    cfg = backup_config(stack, scratch_dsn=stack.dsn("scratch", "restorer_nocreatedb", "postgres"))
    with pytest.raises(ProbeAuthError, match="give the scratch_dsn role CREATEDB"):
        restore.drill(cfg, pg_config(stack), backup.discover(cfg).newest)
    assert scratch_databases(stack) == []


def test_amcheck_that_cannot_run_fails_the_drill(stack: Stack) -> None:
    """A restore role without EXECUTE on amcheck: pg_amcheck checks nothing and the drill
    fails as not verified (a major finding), never passes silently."""
    cfg = backup_config(stack, scratch_dsn=stack.dsn("scratch", "restorer_noamcheck", "postgres"))
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.restored and drill.amcheck_ok is None
    assert "could not check" in drill.amcheck_detail, drill.amcheck_detail
    assert "permission denied for function" in drill.amcheck_detail
    assert drill.amcheck_reason is ErrorReason.CONFIG
    findings = restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)
    assert {f.name: f.severity for f in findings if not f.ok} == {"amcheck": None}
    assert {f.name: f.unverified for f in findings if not f.ok} == {"amcheck": ErrorReason.CONFIG}
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
import faulthandler, signal, sys
# started from a background job (CI, nohup ... &) Python inherits an ignored SIGINT and never
# raises KeyboardInterrupt: the drill would sit in pg_restore until the test's timeout
signal.signal(signal.SIGINT, signal.default_int_handler)
faulthandler.register(signal.SIGUSR1, all_threads=True)  # where it is, should it hang
from pathlib import Path
from gonogo.probes import backup, restore
from gonogo.schema.data import BackupConfig, PostgresConfig
cfg = BackupConfig(directory=sys.argv[1], pattern="*.gpg", encrypted=True, passphrase=sys.argv[2],
                   scratch_dsn=sys.argv[3], work_dir=Path(sys.argv[4]), pg_bin_dir=sys.argv[6])
restore.drill(cfg, PostgresConfig(dsn=sys.argv[5]), backup.discover(cfg).newest)
"""


# Answers the proxy gives the drill's pg_restore: the login, then every statement's up to the
# end of COPY public.pgbench_accounts (500,000 rows, inside its single transaction). The next
# COPY's go-ahead never comes: the restore waits mid-way for as long as the test likes.
RESTORE_ANSWERS = 27
_HELD = r"""SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gonogo-restore'
    AND datname LIKE 'gonogo\_restore\_%' AND state = 'active'
    AND query LIKE 'COPY public.pgbench\_branches %'"""
_DRILL_SESSIONS = """SELECT count(*) FROM pg_stat_activity
    WHERE application_name IN ('gonogo', 'gonogo-restore')"""


@contextlib.contextmanager
def _held_drill(stack: Stack, work_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A drill in a child process (its own process group) restoring through a proxy that holds
    its pg_restore mid-restore; yields once the scratch server shows that restore past the big
    COPY and waiting in the next, inside its transaction. On exit the drill's group is killed if still running and
    the proxy closed; returns once every session of the drill has ended."""
    options = "sslmode=disable&gssencmode=disable"  # the proxy reads application_name
    scratch_port = stack.ports["scratch"]
    only = b"gonogo-restore"  # the tools' application_name (pgtools.child_env)
    with stalling_proxy(scratch_port, "postgres", RESTORE_ANSWERS, only=only) as port:
        dsn = f"postgresql://restorer:{PASSWORD}@127.0.0.1:{port}/postgres?{options}"
        proc = _drill_process(stack, work_dir, dsn)
        try:
            wait_for("pg_restore held mid-restore", lambda: _restore_held(stack), timeout=60)
            yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate(timeout=10)
    # the proxy has closed every connection it carried: their sessions end on the server
    wait_for(
        "the drill's sessions to end",
        lambda: stack.sql(_DRILL_SESSIONS, "scratch", "postgres") == [(0,)],
    )


def _restore_held(stack: Stack) -> bool:
    return stack.sql(_HELD, "scratch", "postgres") == [(1,)]


def test_interrupted_drill_leaves_nothing_behind(stack: Stack, tmp_path: Path) -> None:
    """A drill interrupted (SIGINT) while pg_restore is mid-restore drops its scratch database
    (ending the restore's session) and removes its plaintext."""
    with _held_drill(stack, tmp_path) as proc:
        proc.send_signal(signal.SIGINT)
        err = _stderr_within(proc, 60)
    assert b"KeyboardInterrupt" in err, err.decode()[-2000:]
    assert scratch_databases(stack) == [] and gpg_leftovers(tmp_path) == []


def _stderr_within(proc: subprocess.Popen[bytes], timeout_s: float) -> bytes:
    """The drill's stderr once it has exited; past ``timeout_s`` its stack (faulthandler on
    SIGUSR1) goes into the failure message instead."""
    try:
        return proc.communicate(timeout=timeout_s)[1]
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)
        time.sleep(2)
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=10)
        pytest.fail(f"the drill still ran {timeout_s:g} s after SIGINT:\n{err.decode()[-4000:]}")


def _drill_process(stack: Stack, work_dir: Path, scratch_dsn: str) -> subprocess.Popen[bytes]:
    argv = [
        str(stack.root / "backups" / "encrypted"),
        PASSPHRASE,
        scratch_dsn,
        str(work_dir),
        stack.dsn(),
        str(PG_BIN),
    ]
    return subprocess.Popen(
        [sys.executable, "-c", _DRILL_SCRIPT, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own group: a kill takes its pg_restore too, not pytest
    )


def test_killed_drill_plaintext_is_swept_by_the_next(stack: Stack, tmp_path: Path) -> None:
    """SIGKILL mid-restore leaves the decrypted dump and its gpg-agent (nothing can run in a
    killed process); the next drill removes that directory, stops the agent, drops the database,
    and says so in its evidence."""
    with _held_drill(stack, tmp_path) as proc:
        os.killpg(proc.pid, signal.SIGKILL)  # the drill and its pg_restore, as a killed job
        proc.communicate(timeout=30)
    [left] = tmp_path.glob(f"{workspace.PREFIX}*")
    assert (left / "plain").is_file()  # documented: SIGKILL leaves it until the next drill
    assert gpg_leftovers(tmp_path), "the killed drill's gpg-agent should still run"
    cfg = encrypted_drill_config(
        stack, stack.dsn("scratch", "restorer", "postgres"), work_dir=tmp_path
    )
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.restored and drill.swept == (str(left),) and len(drill.stale) == 1
    found = {f.name: f for f in restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)}
    assert str(left) in found["stale_plaintext"].message and failing(list(found.values())) == set()
    assert not left.exists() and gpg_leftovers(tmp_path) == [] and scratch_databases(stack) == []


def test_pooler_that_routes_the_drill_database_to_the_source_is_refused(
    stack: Stack, routing_pooler: int
) -> None:
    """Behind a pooler mapping `postgres` to the scratch server and every other name to the
    source, the admin connection sees the scratch server but the drill database's session lands
    on the source: refused before anything is restored, the database dropped, and the source's
    `postgres` database holds no restored table and no amcheck."""
    cfg = backup_config(
        stack, scratch_dsn=f"postgresql://postgres@127.0.0.1:{routing_pooler}/postgres"
    )
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.refused and "reached the SOURCE server" in drill.refused, drill.refused
    assert drill.restored is None and drill.scratch and drill.scratch_dropped
    found = restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)
    assert failing(found) == {"target"}
    tables = "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    assert stack.sql(tables, db="postgres") == [(0,)]
    assert stack.sql("SELECT extname FROM pg_extension", db="postgres") == [("plpgsql",)]
    assert scratch_databases(stack) == []


@pytest.mark.parametrize(
    ("where", "name", "identity", "words"),
    [
        pytest.param(
            "pooler", "gonogo_restore_x", "real", "reached the SOURCE server", id="source"
        ),
        pytest.param("scratch", "postgres", "other", "reached another server", id="other-server"),
        pytest.param(
            "pooler", "gonogo_restore_elsewhere", "real", "database 'postgres'", id="other-db"
        ),
        pytest.param("scratch", "nonempty", "real", "already holding 1 table", id="not-empty"),
    ],
)
def test_a_drill_session_proves_where_it_landed(
    stack: Stack, routing_pooler: int, where: str, name: str, identity: str, words: str
) -> None:
    """The session made with the tools' parameters must reach the named database, empty, on
    the scratch server's system_identifier (never the source's): anything else is Unsafe."""
    stack.sql("CREATE DATABASE nonempty", "scratch", "postgres")
    try:
        stack.sql("CREATE TABLE t (x int)", "scratch", "nonempty")
        servers = {}
        for server in ("scratch", "primary"):
            with postgres.connect(
                stack.dsn(server, "postgres", "postgres"),
                connect_timeout_s=5,
                statement_timeout_ms=5000,
            ) as conn:
                servers[server] = sameserver.read(conn, server)
        mine = servers["scratch"]
        if identity == "other":
            mine = dataclasses.replace(mine, started_us=1)
        ident = scratch.Identity(scratch=mine, source=servers["primary"])
        port = routing_pooler if where == "pooler" else stack.ports["scratch"]
        dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        with pytest.raises(scratch.Unsafe, match=words):
            scratch.session(dsn, name, ident, empty=True, statement_timeout_ms=5000)
    finally:
        stack.sql("DROP DATABASE nonempty", "scratch", "postgres")


def test_tools_connect_as_the_verified_session_did(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scratch DSN that names a service file entry (host, port, user, password in the file):
    the drill's session and pg_restore, psql and pg_amcheck all reach the scratch server."""
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[drill]\nhost=127.0.0.1\nport={stack.ports['scratch']}\nuser=restorer\n"
        f"password={PASSWORD}\n"
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    cfg = backup_config(stack, scratch_dsn="postgresql:///postgres?service=drill")
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.restored and drill.amcheck_ok, (drill.detail, drill.amcheck_detail)
    assert drill.scratch_server == f"127.0.0.1:{stack.ports['scratch']}"  # where it landed
    assert failing(restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)) == set()
    assert scratch_databases(stack) == []


def test_tools_keep_the_session_tls_settings(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """PGSSLMODE=verify-full and its root certificate reach the tools: the child connection
    is TLS-verified like the session, never downgraded to the default sslmode=prefer."""
    monkeypatch.setenv("PGSSLMODE", "verify-full")
    monkeypatch.setenv("PGSSLROOTCERT", str(stack.root / "primary" / "server.crt"))
    dsn = stack.dsn("primary", "gonogo", "app")
    with postgres.connect(dsn, connect_timeout_s=5, statement_timeout_ms=5000) as conn:
        assert conn.pgconn.ssl_in_use
        env = pgtools.child_env(conn, "app", dsn)
    assert env["PGSSLMODE"] == "verify-full" and env["PGSSLROOTCERT"].endswith("server.crt")
    assert env["PGHOSTADDR"] == "127.0.0.1" and "PGSERVICE" not in env
    assert "statement_timeout" not in env.get("PGOPTIONS", "")  # the probe's own setting
    query = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    psql = [str(PG_BIN / "psql"), "-X", "-Atc", query]
    done = subprocess.run(psql, env=env, capture_output=True, timeout=30, check=False)
    assert done.stdout.strip() == b"t", done.stderr


@pytest.mark.parametrize(
    ("port", "password", "reason"),
    [
        pytest.param("closed", PASSWORD, ErrorReason.CONNECTIVITY, id="refused"),
        pytest.param("primary", "wrong-password", ErrorReason.AUTH, id="wrong-password"),
    ],
)
def test_restore_tool_that_cannot_connect_is_not_verified(
    stack: Stack, port: str, password: str, reason: ErrorReason
) -> None:
    """pg_restore that cannot connect says nothing about the backup: not verified (with the
    reason), never "restored False" (a bad backup)."""
    cfg = backup_config(stack)
    dump = Path(backup.discover(cfg).newest.location)
    with refusing_port() as closed:
        env = {
            "PATH": os.environ["PATH"],
            "PGHOST": "127.0.0.1",
            "PGPORT": str(closed if port == "closed" else stack.ports[port]),
            "PGUSER": "gonogo",
            "PGPASSWORD": password,
            "PGDATABASE": "postgres",
            "PGCONNECT_TIMEOUT": "5",
        }
        ok, why, detail = pgtools.restore("custom", dump, cfg, env, timeout_s=60)
    assert (ok, why) == (None, reason) and "could not connect" in detail, detail
    assert password not in detail


@pytest.mark.parametrize(
    ("name", "restored", "words"),
    [
        pytest.param("app.sql.gz", True, "gzip -dc | psql restored", id="gzip"),
        pytest.param("cut.sql.gz", False, "gzip stream is damaged", id="gzip-truncated"),
        pytest.param("cut.sql", False, "lacks pg_dump's completion trailer", id="plain-truncated"),
    ],
)
def test_gzipped_and_plain_sql_drills(stack: Stack, name: str, restored: bool, words: str) -> None:
    """A gzipped SQL dump streams through gzip -dc into psql and matches the source; a cut one
    (gzipped or not) is not restored and no database is created for it."""
    cfg = backup_config(
        stack, "plain", name, scratch_dsn=stack.dsn("scratch", "postgres", "postgres")
    )
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.restored is restored and words in drill.detail, drill.detail
    found = restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)
    assert failing(found) == (set() if restored else {"restored"})
    assert restored or drill.scratch is None
    assert scratch_databases(stack) == []


def test_restore_slower_than_the_rto_is_stopped_not_bad(stack: Stack) -> None:
    """A restore still running at rto_s is killed: the drill is slower than the RTO (the seconds
    finding fails, major), the backup is not called bad, and the database is dropped."""
    cfg = encrypted_drill_config(stack, stack.dsn("scratch", "restorer", "postgres"), rto_s=0.3)
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert (drill.restored, drill.stopped, drill.unverified) == (None, "rto", ErrorReason.TIMEOUT)
    found = {f.name: f for f in restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)}
    assert {n for n, f in found.items() if not f.ok} == {"restored", "seconds"}
    assert found["seconds"].unverified is None and found["seconds"].severity is None
    assert found["restored"].severity is None and scratch_databases(stack) == []


def test_check_time_limit_below_the_rto_is_not_verified(stack: Stack) -> None:
    """When the check's own time limit ends the restore before rto_s, the drill is not
    verified (config) and says to raise timeout_s above rto_s."""
    cfg = encrypted_drill_config(stack, stack.dsn("scratch", "restorer", "postgres"))
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest, time_limit_s=0.3)
    assert (drill.restored, drill.stopped, drill.unverified) == (
        None,
        "time_limit",
        ErrorReason.CONFIG,
    )
    found = {f.name: f for f in restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)}
    assert {n: f.unverified for n, f in found.items() if not f.ok} == {
        "restored": ErrorReason.CONFIG,
        "seconds": ErrorReason.CONFIG,
    }
    assert "timeout_s above rto_s" in found["restored"].message
    assert scratch_databases(stack) == []


def test_amcheck_out_of_time_says_timeout(stack: Stack) -> None:
    """pg_amcheck left no time (the check's limit spent) or stopped by its timeout is not
    verified for lack of time, not for a missing tool or grant."""
    cfg = backup_config(stack)
    env = amcheck_env(stack.dsn("scratch", "postgres", "postgres"), "postgres")
    assert pgtools.amcheck(cfg, env, 0)[::2] == (None, ErrorReason.TIMEOUT)
    ok, why, reason = pgtools.amcheck(cfg, env, 0.001)
    assert (ok, reason) == (None, ErrorReason.TIMEOUT) and "could not finish" in why


def test_time_limit_leaves_room_to_clean_up() -> None:
    """The drill gets the check's timeout less 5% (5 to 60 s), none without a timeout."""
    assert restore.time_limit(15000) == 14940
    assert restore.time_limit(300) == 285
    assert restore.time_limit(20) == 15
    assert restore.time_limit(None) is None and restore.time_limit(0) is None


def test_silent_source_stops_the_drill_fast(stack: Stack) -> None:
    """A source that goes silent after the handshake: its identity cannot be read within the
    client-side deadline, so the drill refuses quickly instead of hanging."""
    options = "sslmode=disable&gssencmode=disable"
    with stalling_proxy(stack.ports["primary"], "postgres", answers=2) as port:
        source = PostgresConfig(
            dsn=f"postgresql://gonogo:{PASSWORD}@127.0.0.1:{port}/app?{options}",
            statement_timeout_ms=500,
        )
        cfg = backup_config(stack, scratch_dsn=stack.dsn("scratch", "restorer", "postgres"))
        started = time.monotonic()
        drill = restore.drill(cfg, source, backup.discover(cfg).newest)
        took = time.monotonic() - started
    assert took < ends_within(2.5) and drill.refused and "stalls" in drill.refused, (
        took,
        drill.refused,
    )
    assert scratch_databases(stack) == []


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
        drill = restore.drill(cfg, pg_config(stack, statement_timeout_ms=500), listing.newest)
        # returning while the lock is still held is the proof; no bound on the drill's speed
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
        corrupt = commands.run(amcheck, timeout_s=60, what="pg_amcheck", env=env)
        ok, detail = pgtools.judge_amcheck(corrupt)
        assert (corrupt.returncode, ok) == (2, False), detail
        assert 'btree index "amcheck_corrupt.public.t_pkey"' in detail
        env = amcheck_env(stack.dsn("scratch", "restorer_noamcheck", "postgres"), "amcheck_corrupt")
        denied = commands.run(amcheck, timeout_s=60, what="pg_amcheck", env=env)
        ok, detail = pgtools.judge_amcheck(denied)
        assert (denied.returncode, ok) == (2, None) and "permission denied" in detail
    finally:
        stack.sql("DROP DATABASE IF EXISTS amcheck_corrupt", "scratch", "postgres")


def amcheck_env(dsn: str, dbname: str) -> dict[str, str]:
    """The tools' environment as a drill builds it, from a real session on ``dsn``."""
    with postgres.connect(dsn, connect_timeout_s=5, statement_timeout_ms=5000) as conn:
        return pgtools.child_env(conn, dbname, dsn)


_AUTOVACUUM_IN = """SELECT count(*) FROM pg_stat_activity
    WHERE backend_type = 'autovacuum worker' AND datname = '{}'"""
# a table whose vacuum crawls (1 page per 100 ms): the worker stays attached for minutes
_SLOW_VACUUM = """CREATE TABLE t (x int, y text) WITH (autovacuum_vacuum_cost_delay = 100,
    autovacuum_vacuum_cost_limit = 1, autovacuum_vacuum_threshold = 0,
    autovacuum_vacuum_scale_factor = 0, autovacuum_analyze_threshold = 2000000000)"""


def _restorer_admin(stack: Stack) -> pgconn.WatchedConnection:
    return pgconn.connect(
        stack.dsn("scratch", "restorer", "postgres"),
        connect_timeout_s=5,
        statement_timeout_ms=60_000,
        read_only=False,
    )


@contextlib.contextmanager
def _autovacuum_every_second(stack: Stack) -> Iterator[None]:
    for statement in ("ALTER SYSTEM SET autovacuum_naptime = 1", "SELECT pg_reload_conf()"):
        stack.sql(statement, "scratch", "postgres")
    try:
        yield
    finally:
        for statement in ("ALTER SYSTEM RESET autovacuum_naptime", "SELECT pg_reload_conf()"):
            stack.sql(statement, "scratch", "postgres")


def test_drill_database_is_dropped_under_an_autovacuum_worker(stack: Stack) -> None:
    """An autovacuum worker in the drill database makes DROP DATABASE ... WITH (FORCE) refuse a
    restore role without pg_signal_backend (the race seen under load); the drill still drops its
    database, within its bound, and leaves nothing behind."""
    server = f"127.0.0.1:{stack.ports['scratch']}"
    with _autovacuum_every_second(stack), _restorer_admin(stack) as admin:
        name = scratch.create(admin, server)
        try:
            with psycopg.connect(stack.dsn("scratch", "restorer", name), autocommit=True) as conn:
                conn.execute(_SLOW_VACUUM)
                conn.execute(
                    "INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(1, 200000) g"
                )
                conn.execute("DELETE FROM t WHERE x % 2 = 0")
            wait_for(
                "an autovacuum worker in the drill database",
                lambda: stack.sql(_AUTOVACUUM_IN.format(name), "scratch", "postgres") == [(1,)],
                timeout=120,
            )
            force = sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="pg_signal_backend"):
                admin.execute(force)  # the refusal the drill used to stop at
            started = time.monotonic()
            assert scratch.drop(admin, name), "the drill database was left behind"
            assert time.monotonic() - started < scratch.DROP_WITHIN_S + 10
        finally:
            scratch.release(admin, name)
            stack.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", "scratch", "postgres")
    assert scratch_databases(stack) == []


def test_no_other_role_can_enter_a_drill_database(stack: Stack) -> None:
    """Only the drill's role (its owner) and superusers may connect to a drill database: a
    session of another non-superuser role, which the drill's role could not end, cannot
    hold it and keep it from being dropped."""
    server = f"127.0.0.1:{stack.ports['scratch']}"
    with _restorer_admin(stack) as admin:
        name = scratch.create(admin, server)
        try:
            with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
                psycopg.connect(stack.dsn("scratch", "restorer_noamcheck", name)).close()
            psycopg.connect(stack.dsn("scratch", "restorer", name)).close()  # its owner may
            assert scratch.drop(admin, name)
        finally:
            scratch.release(admin, name)
    assert scratch_databases(stack) == []
