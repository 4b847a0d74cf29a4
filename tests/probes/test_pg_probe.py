"""The PostgreSQL probe against real servers: facts, failures, timeouts, poolers."""

from __future__ import annotations

import socket
import time

import psycopg
import pytest

from gonogo.endpoints import shows_down
from gonogo.errors import ProbeAuthError, ProbeRefused, ProbeTimeout
from gonogo.model import ErrorReason
from gonogo.probes import pgmonitor, postgres, redis
from gonogo.rules import postgres as pg_rules
from gonogo.rules import redis as redis_rules
from gonogo.schema.data import PostgresConfig, RedisConfig
from loopback import refusing_port
from probes.datastack import (
    PASSWORD,
    Stack,
    failing,
    needs_servers,
    pg_config,
    stalling_proxy,
    wait_for,
)
from wallclock import ends_within

pytestmark = needs_servers


# --- PostgreSQL ---------------------------------------------------------------------------------


APP_RULES = (
    pg_rules.evaluate_connect,
    pg_rules.evaluate_version,
    pg_rules.evaluate_schema,
    pg_rules.evaluate_migrations,
    pg_rules.evaluate_app_role,
)
MONITOR_RULES = (
    pg_rules.evaluate_replication,
    pg_rules.evaluate_capacity,
    pg_rules.evaluate_archiving,
    pg_rules.evaluate_slow_query_log,
)


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
    facts, monitoring = postgres.collect(cfg), pgmonitor.collect(cfg)
    assert facts.connection.server_version_num // 10000 == 15 and monitoring.stats_visible
    assert [s.state for s in monitoring.standbys] == ["streaming"] and monitoring.slots[0].active
    assert monitoring.capacity.database_size_bytes > 50_000_000  # pgbench -s 5
    for evaluate in APP_RULES:
        assert failing(evaluate(facts, cfg)) == set(), evaluate.__name__
    for evaluate in MONITOR_RULES:
        assert failing(evaluate(monitoring, cfg)) == set(), evaluate.__name__


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
    assert time.monotonic() - started < ends_within(0.3)


def test_role_without_pg_monitor_fails_closed(stack: Stack) -> None:
    """The app role cannot see other sessions or standby state: capacity and replication say so."""
    cfg = PostgresConfig(dsn=stack.dsn(user="app"), min_standbys=1)
    monitoring = pgmonitor.collect(cfg)
    assert not monitoring.stats_visible
    assert "visibility" in failing(pg_rules.evaluate_capacity(monitoring, cfg))
    # app is not a superuser
    assert failing(pg_rules.evaluate_app_role(postgres.collect(cfg), cfg)) == set()


def test_migrations_role_without_select_is_an_auth_error(stack: Stack) -> None:
    """A role that may not read the migrations table (pg_monitor only): pg.migrations is not
    verified (auth) and names the grant, instead of failing as "is the schema migrated?"."""
    cfg = PostgresConfig(dsn=stack.dsn(user="monitor"), expected_migration="20240315")
    facts = postgres.collect(cfg)
    assert facts.migration_sqlstate == "42501", facts.migration_error
    [head, _] = pg_rules.evaluate_migrations(facts, cfg)
    assert (head.ok, head.unverified) == (False, ErrorReason.AUTH)
    assert "GRANT SELECT ON schema_migrations TO monitor" in head.message


def test_separate_application_and_monitoring_roles(stack: Stack) -> None:
    """dsn = the application role (owns the tables, no pg_monitor), monitor_dsn = a pg_monitor
    role that reads no table: every pg.* rule passes, each on the connection it needs, and each
    says which DSN and role it read over."""
    cfg = pg_config(
        stack,
        required_tables=["pgbench_accounts", "schema_migrations"],
        expected_migration="20240315",
        min_standbys=1,
        app_role="app",
    )
    cfg = PostgresConfig(
        **{
            **cfg.model_dump(),
            "dsn": stack.dsn(user="app"),
            "monitor_dsn": stack.dsn(user="monitor"),
        }
    )
    facts, monitoring = postgres.collect(cfg), pgmonitor.collect(cfg)
    assert (facts.connection.user, facts.connection.via) == ("app", "dsn")
    assert (monitoring.connection.user, monitoring.connection.via) == ("monitor", "monitor_dsn")
    assert monitoring.stats_visible and monitoring.archiver.ready_count is not None
    for evaluate, given, via in [
        *((rule, facts, "[postgres] dsn as role app") for rule in APP_RULES[1:]),
        *((rule, monitoring, "[postgres] monitor_dsn as role monitor") for rule in MONITOR_RULES),
    ]:
        found = evaluate(given, cfg)
        assert failing(found) == set(), (evaluate.__name__, found)
        assert any(f.name == "via" and via in f.message for f in found), evaluate.__name__


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
    with socket.socket() as silent, refusing_port() as closed:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the TCP handshake, never speaks
        port = {"closed": closed, "silent": silent.getsockname()[1]}.get(
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
        wait_for("archive failure", lambda: pgmonitor.collect(cfg).archiver.failed_count > 0)
        assert "failures" in failing(pg_rules.evaluate_archiving(pgmonitor.collect(cfg), cfg))
    finally:
        stack.sql("ALTER SYSTEM RESET archive_command")
        stack.sql("SELECT pg_reload_conf()")
        stack.sql("DROP TABLE IF EXISTS wal_filler")
    wait_for(
        "archiver recovered",
        lambda: not failing(pg_rules.evaluate_archiving(pgmonitor.collect(cfg), cfg)),
    )


def test_standby_stopped_fails_replication(stack: Stack) -> None:
    """With the standby stopped, pg.replication fails: no streaming standby and an inactive slot."""
    cfg = pg_config(stack, min_standbys=1)
    stack.stop("standby")
    try:
        wait_for("standby gone", lambda: not pgmonitor.collect(cfg).standbys)
        assert failing(pg_rules.evaluate_replication(pgmonitor.collect(cfg), cfg)) == {
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
        lambda: not failing(pg_rules.evaluate_replication(pgmonitor.collect(cfg), cfg)),
    )


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


@pytest.mark.parametrize(
    ("dsn", "target"),
    [
        pytest.param("postgresql://u:pw@[::1]:56523/app", "[::1]:56523/app", id="ipv6"),
        pytest.param("postgresql://u:pw@db.internal/app", "db.internal:5432/app", id="name"),
        pytest.param("postgresql://u@/app?host=/run/pg", "/run/pg:5432/app", id="socket"),
    ],
)
def test_target_names_host_port_db_without_the_password(dsn: str, target: str) -> None:
    """A target is host:port/db, an IPv6 address in brackets (a valid host:port endpoint)."""
    assert postgres.target_of(dsn) == target


def test_server_silent_after_the_handshake_fails_fast(stack: Stack) -> None:
    """A server that completes the handshake and then stops answering (keepalives never fire
    on loopback) ends at the client-side deadline as a ProbeTimeout naming the endpoint, so the
    endpoint is marked down: not a hang until the pytest timeout."""
    options = "sslmode=disable&gssencmode=disable"  # the proxy reads the protocol in the clear
    # two answers: the login and the read-back of the session settings; then silence
    with stalling_proxy(stack.ports["primary"], "postgres", answers=2) as port:
        dsn = f"postgresql://gonogo:{PASSWORD}@127.0.0.1:{port}/app?{options}"
        started = time.monotonic()
        with pytest.raises(ProbeTimeout) as caught:
            postgres.collect(PostgresConfig(dsn=dsn, statement_timeout_ms=500))
        took = time.monotonic() - started
    message = str(caught.value)
    # the deadline is 0.5 s + 2 s, plus 1 s to cancel
    assert took < ends_within(3.5), f"took {took:.1f} s"
    assert f"127.0.0.1:{port}/app" in message and "stalls" in message
    assert shows_down(f"127.0.0.1:{port}", caught.value) and PASSWORD not in message


@pytest.mark.parametrize(
    ("answers", "bound", "said"),
    [
        # the login trickles: psycopg's connect timeout is a wall-clock deadline per attempt
        pytest.param(0, "connect_timeout_s", "connect_timeout_s", id="handshake"),
        # a result trickles: the client-side deadline is a timer around the whole wait
        pytest.param(2, "statement_timeout_ms + margin", "stalls", id="result"),
    ],
)
def test_server_trickling_bytes_ends_at_a_wall_clock_deadline(
    stack: Stack, answers: int, bound: str, said: str
) -> None:
    """A server whose bytes arrive one every 0.2 s (every read gets something, no answer ever
    completes) ends at a wall-clock deadline as a ProbeTimeout naming the endpoint."""
    options = "sslmode=disable&gssencmode=disable"  # the proxy reads the protocol in the clear
    with stalling_proxy(stack.ports["primary"], "postgres", answers, trickle_s=0.2) as port:
        dsn = f"postgresql://gonogo:{PASSWORD}@127.0.0.1:{port}/app?{options}"
        started = time.monotonic()
        with pytest.raises(ProbeTimeout) as caught:
            postgres.collect(PostgresConfig(dsn=dsn, connect_timeout_s=1, statement_timeout_ms=500))
        took = time.monotonic() - started
    # connect: libpq's 2 s minimum; result: 0.5 s + 2 s, plus at most 1 s to cancel
    assert took < ends_within(3.5), f"took {took:.1f} s; bound: {bound}"
    message = str(caught.value)
    assert said in message and f"127.0.0.1:{port}/app" in message
    assert shows_down(f"127.0.0.1:{port}", caught.value) and PASSWORD not in message
