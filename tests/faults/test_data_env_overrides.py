"""Data-store behaviours no demo fault can produce, seen through an environment override.

The demo's servers are what they are (PostgreSQL 15, Redis 7.0): "version below minimum" is
produced by raising the minimums in a copy of environments/demo.toml, against the real servers;
so are an RTO the drill cannot meet, a check time limit below the RTO, a sensitive environment
without a drill, and a write to the source after the dump.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _variant(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = (ROOT / "environments" / "demo.toml").read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("redis_min", ["7.2", "8"])
def test_versions_below_minimum_fail(demo_stack, run_gate, tmp_path, redis_min: str) -> None:
    """min_version 16 for PostgreSQL 15 and 7.2 / 8 for Redis 7.0: pg.version and redis.version
    fail (not error) with the measured version; both are blockers, so the verdict is NO-GO."""
    variant = _variant(
        tmp_path,
        "demo-versions-too-new",
        ("min_version = 13", "min_version = 16"),
        ('min_version = "6.0"', f'min_version = "{redis_min}"'),
    )
    run = run_gate("checks/test_postgres.py", "checks/test_redis.py", env_file=variant)
    for check_id, measured in (("pg.version", "15"), ("redis.version", "7.0")):
        check = run.check(check_id)
        assert check["outcome"] == "failed", check
        assert any(not f["ok"] and measured in str(f["measured"]) for f in check["evidence"]), check
    assert run.failing() == {"pg.version", "redis.version"}, run.document["reasons"]
    assert run.verdict == "NO-GO" and run.exit_code == 1


_BACKUP = "checks/test_backup.py"


def test_restore_slower_than_the_rto_is_major(demo_stack, run_gate, tmp_path: Path) -> None:
    """rto_s = 0.2 s: the drill's restore is stopped there; only its seconds finding fails
    (major: slower than the RTO, not a bad backup), so the verdict is CONDITIONAL."""
    variant = _variant(
        tmp_path,
        "demo-tight-rto",
        ("predeploy_window_minutes = 60", "predeploy_window_minutes = 60\nrto_s = 0.2"),
    )
    run = run_gate(_BACKUP, env_file=variant)
    check = run.check("backup.restore")
    bad = {f["name"]: f["unverified"] for f in check["evidence"] if not f["ok"]}
    assert check["outcome"] == "failed" and bad == {"restored": "timeout", "seconds": None}, check
    assert run.failing() == {"backup.restore"} and run.verdict == "CONDITIONAL"


def test_check_timeout_below_the_rto_is_not_verified(demo_stack, run_gate, tmp_path: Path) -> None:
    """[checks."backup.restore"] timeout_s = 5.5 (below the 4 h RTO): the drill stops itself
    before pytest-timeout would, keeps its evidence and says to raise timeout_s (an error,
    config: a major not verified, CONDITIONAL)."""
    variant = _variant(
        tmp_path,
        "demo-short-timeout",
        ("[demo]", '[checks."backup.restore"]\ntimeout_s = 5.5\n\n[demo]'),
    )
    run = run_gate(_BACKUP, env_file=variant)
    check = run.check("backup.restore")
    assert check["outcome"] == "error" and check["error_reason"] == "config", check
    assert 'raise [checks."backup.restore"] timeout_s above rto_s' in check["message"]
    assert run.verdict == "CONDITIONAL"


def test_sensitive_environment_needs_its_drill(demo_stack, run_gate, tmp_path: Path) -> None:
    """sensitive = true without [backup] scratch_dsn: the drill is not verified (error, config),
    not 'not applicable', even with --allow-intrusive."""
    variant = _variant(
        tmp_path,
        "demo-sensitive-no-drill",
        ("sensitive = false", "sensitive = true"),
        ('scratch_dsn = "${GONOGO_DEMO_PG_SCRATCH_DSN}"\n', ""),
    )
    run = run_gate(_BACKUP, "--allow-intrusive", env_file=variant)
    check = run.check("backup.restore")
    assert check["outcome"] == "error" and check["error_reason"] == "config", check
    assert "scratch_dsn" in check["message"] and run.verdict == "CONDITIONAL"


def test_writes_after_the_dump_keep_the_drill_green(demo_stack, run_gate) -> None:
    """A row inserted into the source after the dump (a live database) is within row_slack:
    the drill passes, GO."""
    v = demo_stack.variables()
    where = dict(
        host=v["GONOGO_DEMO_PG_SOCKET_DIR"], port=v["GONOGO_DEMO_PG_PORT"], user="postgres"
    )
    insert = "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 0, now())"
    with psycopg.connect(dbname="app", autocommit=True, connect_timeout=5, **where) as conn:
        conn.execute(insert)
        try:
            run = run_gate(_BACKUP)
        finally:
            conn.execute("DELETE FROM pgbench_history WHERE tid = 1 AND bid = 1 AND aid = 1")
    assert run.check("backup.restore")["outcome"] == "passed", run.check("backup.restore")
    assert run.verdict == "GO"


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        pytest.param(
            "missing-table",
            "renamed since the dump: public.orders -> public.orders_renamed",
            id="table-renamed",
        ),
        pytest.param("migrations-behind", "rows match the source", id="row-deleted"),
    ],
)
def test_source_schema_changes_leave_the_drill_green(
    demo_stack, run_gate, fault: str, words: str
) -> None:
    """A table renamed (matched by its OID) or a migration row deleted on the source since the
    dump is pg.schema's / pg.migrations' business: the drill records it and passes."""
    with demo_stack.fault(fault):
        run = run_gate(_BACKUP)
    check = run.check("backup.restore")
    assert check["outcome"] == "passed", check
    assert any(words in f["message"] for f in check["evidence"]), check["evidence"]
    assert run.verdict == "GO"


_GATE_DSN = 'dsn = "postgresql://gonogo:${GONOGO_DEMO_PG_GATE_PASSWORD}@127.0.0.1:${GONOGO_DEMO_PG_PORT}/app"'
_ROLE_PASSWORD = "sep-roles-7Qx"  # a test-only role's password, written in the variant file


def _separate_roles(demo_stack) -> None:
    """Two roles as deployments that separate them have: ``gate_reader`` reads the tables (no
    pg_monitor), ``gate_monitor`` has pg_monitor (reads no table)."""
    v = demo_stack.variables()
    where = dict(
        host=v["GONOGO_DEMO_PG_SOCKET_DIR"], port=v["GONOGO_DEMO_PG_PORT"], user="postgres"
    )
    with psycopg.connect(dbname="app", autocommit=True, connect_timeout=5, **where) as conn:
        for role, member_of in (
            ("gate_reader", "pg_read_all_data"),
            ("gate_monitor", "pg_monitor"),
        ):
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(
                    f"CREATE ROLE {role} LOGIN PASSWORD '{_ROLE_PASSWORD}' IN ROLE {member_of}"
                )


def _role_dsn(role: str) -> str:
    return f"postgresql://{role}:{_ROLE_PASSWORD}@127.0.0.1:${{GONOGO_DEMO_PG_PORT}}/app"


def test_monitoring_dsn_beside_the_application_dsn(demo_stack, run_gate, tmp_path: Path) -> None:
    """dsn = a role that reads the tables but has no pg_monitor, monitor_dsn = a pg_monitor role
    that reads no table: every pg.* check passes, each over the DSN it needs, and its evidence
    names that DSN and role."""
    _separate_roles(demo_stack)
    variant = _variant(
        tmp_path,
        "demo-separate-roles",
        (
            _GATE_DSN,
            f'dsn = "{_role_dsn("gate_reader")}"\nmonitor_dsn = "{_role_dsn("gate_monitor")}"',
        ),
    )
    run = run_gate("checks/test_postgres.py", env_file=variant)
    checks = {c["id"]: c for c in run.document["checks"]}
    assert {i: c["outcome"] for i, c in checks.items() if c["outcome"] != "passed"} == {}
    for check_id, via in (
        ("pg.migrations", "[postgres] dsn as role gate_reader"),
        ("pg.schema", "[postgres] dsn as role gate_reader"),
        ("pg.replication", "[postgres] monitor_dsn as role gate_monitor"),
        ("pg.capacity", "[postgres] monitor_dsn as role gate_monitor"),
        ("pg.archiving", "[postgres] monitor_dsn as role gate_monitor"),
    ):
        assert any(via in f["message"] for f in checks[check_id]["evidence"]), checks[check_id]


def test_migrations_unreadable_by_the_dsn_role_is_an_auth_error(
    demo_stack, run_gate, tmp_path: Path
) -> None:
    """dsn = a pg_monitor role that may not read schema_migrations: pg.migrations is an error
    (auth) naming the grant, not a failed "is the schema migrated?"; the other checks pass."""
    _separate_roles(demo_stack)
    variant = _variant(
        tmp_path, "demo-monitor-as-dsn", (_GATE_DSN, f'dsn = "{_role_dsn("gate_monitor")}"')
    )
    run = run_gate("checks/test_postgres.py", env_file=variant)
    check = run.check("pg.migrations")
    assert (check["outcome"], check["error_reason"]) == ("error", "auth"), check
    assert "GRANT SELECT ON schema_migrations TO gate_monitor" in check["message"]
    assert "is the schema migrated" not in check["message"]
    assert run.failing() == {"pg.migrations"}, run.document["reasons"]
