"""The demo stack itself: every component answers, faults apply and revert, stop cleans up."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis

from ctrl_c import sigint_default
from gonogo import config
from gonogo.demo import orphans
from gonogo.demo.components import COMPONENTS
from gonogo.demo.faults import FAULTS, Fault
from gonogo.demo.layout import SYSTEM_HOME, demo_home, new_run_dir, untraversable
from gonogo.demo.procs import PortHold, alive
from gonogo.demo.stack import DemoStack
from gonogo.errors import ConfigError, DemoError

ROOT = Path(__file__).resolve().parents[2]


# ``demo_stack`` (one clean session-scoped stack) comes from tests/conftest.py.


def _ctx(stack: DemoStack) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=stack.variables()["GONOGO_DEMO_CA_BUNDLE"])


def _get(stack: DemoStack, path: str) -> httpx.Response:
    base = stack.variables()["GONOGO_DEMO_BASE_URL"]
    return httpx.get(base + path, verify=_ctx(stack), timeout=5)


def _redis(stack: DemoStack, port_var: str = "GONOGO_DEMO_REDIS_PORT") -> redis.Redis:
    v = stack.variables()
    return redis.Redis(
        host="127.0.0.1",
        port=int(v[port_var]),
        username="default",
        password=v["GONOGO_DEMO_REDIS_PASSWORD"],
        socket_timeout=3,
        decode_responses=True,
    )


def _replication(stack: DemoStack) -> list[tuple[str, str]]:
    with psycopg.connect(stack.variables()["GONOGO_DEMO_PG_DSN"], connect_timeout=3) as conn:
        rows = conn.execute("SELECT application_name, state FROM pg_stat_replication").fetchall()
    return [(str(name), str(state)) for name, state in rows]


def _is_clean(stack: DemoStack) -> None:
    health = _get(stack, "/health")
    assert health.status_code == 200, health.text
    assert health.json()["version"] == "1.4.2"
    assert health.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    redirect = httpx.get(stack.variables()["GONOGO_DEMO_HTTP_URL"] + "/", timeout=5)
    assert redirect.status_code == 301
    assert ("demo-standby", "streaming") in _replication(stack)
    with _redis(stack) as client:
        assert client.config_get("appendonly")["appendonly"] == "yes"
        assert client.config_get("requirepass")["requirepass"] != ""
    with _redis(stack, "GONOGO_DEMO_REDIS_REPLICA_PORT") as replica:
        assert replica.info("replication")["master_link_status"] == "up"
    backups = Path(stack.variables()["GONOGO_DEMO_BACKUPS_DIR"])
    assert len(list(backups.glob("app-*.dump.gpg"))) == 2


def test_cold_start_time_is_reported(
    demo_stack: DemoStack, capsys: pytest.CaptureFixture[str]
) -> None:
    """The session stack records how long its cold start took (printed, not asserted)."""
    assert demo_stack.start_seconds is not None
    with capsys.disabled():
        print(f"\n[demo] cold start {demo_stack.start_seconds:.1f} s ({demo_stack.run_dir})")


def test_https_health_is_ok_through_the_run_ca(demo_stack: DemoStack) -> None:
    """/health answers 200 with every dependency ok over TLS verified by the run's CA bundle."""
    response = _get(demo_stack, "/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
        "version": "1.4.2",
    }
    assert response.headers["server"] == "nginx"
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_http_redirects_permanently_to_https(demo_stack: DemoStack) -> None:
    """The plain-HTTP listener answers 301 to the same path on the HTTPS port."""
    v = demo_stack.variables()
    response = httpx.get(v["GONOGO_DEMO_HTTP_URL"] + "/api/products?page=2", timeout=5)
    assert response.status_code == 301
    assert response.headers["location"] == f"{v['GONOGO_DEMO_BASE_URL']}/api/products?page=2"


def test_app_serves_products_login_and_metrics(demo_stack: DemoStack) -> None:
    """Products come from PostgreSQL via Redis; login sets a hardened cookie; metrics are served."""
    v = demo_stack.variables()
    assert len(_get(demo_stack, "/api/products").json()["products"]) == 40
    login = httpx.post(
        v["GONOGO_DEMO_BASE_URL"] + "/login",
        verify=_ctx(demo_stack),
        timeout=5,
        json={"username": "demo", "password": v["GONOGO_DEMO_APP_USER_PASSWORD"]},
    )
    assert login.status_code == 200
    cookie = login.headers["set-cookie"]
    assert cookie.startswith("session=")
    assert all(flag in cookie for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"))
    metrics = httpx.get(v["GONOGO_DEMO_METRICS_URL"], timeout=5).text
    assert 'app_build_info{version="1.4.2"' in metrics
    assert "http_request_duration_seconds_bucket" in metrics
    assert _get(demo_stack, "/static/app.js.map").status_code == 404


def test_postgres_standby_streams_and_app_role_is_not_superuser(demo_stack: DemoStack) -> None:
    """The standby streams through its slot; the app role owns the schema but is no superuser."""
    v = demo_stack.variables()
    assert ("demo-standby", "streaming") in _replication(demo_stack)
    with psycopg.connect(v["GONOGO_DEMO_PG_DSN"], connect_timeout=3) as conn:
        assert conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (False,)
        assert conn.execute("SELECT active FROM pg_replication_slots").fetchone() == (True,)
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (
            "20261101_004",
        )
        assert conn.execute("SELECT count(*) FROM pgbench_accounts").fetchone() == (500_000,)
    with psycopg.connect(v["GONOGO_DEMO_PG_STANDBY_DSN"], connect_timeout=3) as standby:
        assert standby.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)


def test_redis_has_aof_auth_and_a_linked_replica(demo_stack: DemoStack) -> None:
    """Redis runs with AOF, a password, an LRU memory cap, and a replica whose link is up."""
    with _redis(demo_stack) as client:
        assert client.info("persistence")["aof_enabled"] == 1
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "allkeys-lru"
        assert client.info("replication")["connected_slaves"] == 1
    anonymous = redis.Redis(
        port=int(demo_stack.variables()["GONOGO_DEMO_REDIS_PORT"]), socket_timeout=3
    )
    with anonymous, pytest.raises(redis.AuthenticationError):
        anonymous.ping()


def test_environment_file_validates_with_the_stack_variables(demo_stack: DemoStack) -> None:
    """environments/demo.toml loads with the stack's variables and marks the passwords secret."""
    env = config.load(ROOT / "environments" / "demo.toml", environ={}, extra=demo_stack.variables())
    assert env.config.web is not None and env.config.web.base_url.startswith("https://localhost:")
    assert demo_stack.secrets()["gate_password"] in env.secrets  # the gate's own pg role
    assert demo_stack.secrets()["restore_password"] in env.secrets  # in the scratch DSN
    assert demo_stack.secrets()["redis_password"] in env.secrets


def test_header_fault_applies_and_reverts(demo_stack: DemoStack) -> None:
    """hsts-missing removes the HSTS header on the very next request and revert restores it."""
    with demo_stack.fault("hsts-missing"):
        assert "hsts-missing" in demo_stack.active_faults
        assert "strict-transport-security" not in _get(demo_stack, "/").headers
    assert _get(demo_stack, "/").headers["strict-transport-security"].startswith("max-age=31536000")
    assert demo_stack.active_faults == frozenset()


def _wait_for_scrape(stack: DemoStack, job: str, since: float) -> None:
    """Until the demo Prometheus has scraped ``job`` once after ``since`` (its scrape interval
    is 3 s; the deadline only stops a hang)."""
    url = stack.variables()["GONOGO_DEMO_PROMETHEUS_URL"] + "/api/v1/query"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        query = {"query": f'timestamp(up{{job="{job}"}})'}
        result = httpx.get(url, params=query, timeout=5).json()["data"]["result"]
        if result and float(result[0]["value"][1]) > since:
            return
        time.sleep(0.5)
    raise AssertionError(f"Prometheus did not scrape {job} within 60 s")


def test_flaky_fault_counts_the_gates_requests_not_the_synthetic_traffic(
    demo_stack: DemoStack,
) -> None:
    """endpoint-flaky answers the gate's first request 503 even when the demo Prometheus has
    scraped /api/status (its synthetic traffic) since the fault was applied: a scrape in that gap
    once handed the gate the good answer first and the fault test failed in CI."""
    with demo_stack.fault("endpoint-flaky"):
        _wait_for_scrape(demo_stack, "traffic-synthetic", time.time())
        assert [_get(demo_stack, "/api/status").status_code for _ in range(3)] == [503, 200, 503]


def test_aof_fault_flips_and_reverts(demo_stack: DemoStack) -> None:
    """aof-off turns appendonly off on the master and revert turns it back on."""
    with demo_stack.fault("aof-off"), _redis(demo_stack) as client:
        assert client.config_get("appendonly")["appendonly"] == "no"
    with _redis(demo_stack) as client:
        assert client.config_get("appendonly")["appendonly"] == "yes"


def test_unknown_fault_is_a_config_error(demo_stack: DemoStack) -> None:
    """An unknown fault name raises ConfigError naming the known faults, and changes nothing."""
    with pytest.raises(ConfigError, match=r"known faults: .*hsts-missing"):
        demo_stack.apply_fault("no-such-fault")
    assert demo_stack.active_faults == frozenset()


@pytest.mark.parametrize(
    "fault", sorted(FAULTS.values(), key=lambda f: f.name), ids=lambda f: f.name
)
def test_every_fault_reverts_to_a_clean_stack(demo_stack: DemoStack, fault: Fault) -> None:
    """Each fault applies to the running stack and its revert leaves the stack clean."""
    demo_stack.apply_fault(fault.name)
    try:
        assert demo_stack.active_faults == {fault.name}
        assert demo_stack.variables()["GONOGO_DEMO_FAULTS"] == fault.name
    finally:
        demo_stack.revert_fault(fault.name)
    _is_clean(demo_stack)


def test_attach_operates_the_same_stack(demo_stack: DemoStack) -> None:
    """A stack attached through the state file sees the same ports and faults applied elsewhere."""
    attached = DemoStack.attach(demo_stack.state_file)
    assert attached.variables() == demo_stack.variables()
    with demo_stack.fault("wrong-version"):
        assert DemoStack.attach(demo_stack.state_file).active_faults == {"wrong-version"}
        assert _get(attached, "/version").json() == {"version": "1.4.1"}


def test_start_faults_are_active_and_stop_leaves_nothing_behind() -> None:
    """Start faults are active before the first request; stop() ends every PID, removes the run."""
    stack = DemoStack.start(faults=["csp-missing", "no-maxmemory"])
    pids = [pid for pid in stack.pids.values() if pid]
    try:
        assert len(pids) == len(COMPONENTS) and all(alive(pid) for pid in pids)
        assert "content-security-policy" not in _get(stack, "/").headers
        with _redis(stack) as client:
            assert client.config_get("maxmemory")["maxmemory"] == "0"
    finally:
        stack.stop()
    stack.stop()  # idempotent
    assert not any(alive(pid) for pid in pids)
    assert not stack.run_dir.exists()
    assert not os.path.exists(stack.state_file)


def test_abandoned_stack_is_stopped_at_interpreter_exit() -> None:
    """A process that starts a stack and exits without stop() still leaves nothing behind."""
    script = (
        "import json\n"
        "from gonogo.demo.stack import DemoStack\n"
        "s = DemoStack.start()\n"
        "print(json.dumps({'pids': list(s.pids.values()), 'run_dir': str(s.run_dir)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    started = json.loads(done.stdout.splitlines()[-1])
    assert len(started["pids"]) == len(COMPONENTS)
    assert not any(alive(pid) for pid in started["pids"])
    assert not Path(started["run_dir"]).exists()


def _taken(port: int) -> bool:
    """Whether another process (a plain socket here) would be refused ``port``."""
    with socket.socket() as other:
        try:
            other.bind(("127.0.0.1", port))
        except OSError as err:
            return err.errno == errno.EADDRINUSE
    return False


def test_held_port_refuses_others_and_admits_our_server() -> None:
    """A held port refuses connections and other binds, yet a server binding it with
    SO_REUSEADDR (as PostgreSQL, Redis, nginx and uvicorn do) listens on it; released, it is
    free."""
    hold = PortHold(2)
    port = hold.ports[0]
    try:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        assert _taken(port) and len(set(hold.ports)) == 2
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", port))
            server.listen()
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        hold.release()
    assert not _taken(port)


def test_no_other_process_can_take_a_port_of_the_stack(demo_stack: DemoStack) -> None:
    """The ports of a running stack stay its own where no server listens: nginx's hop listener
    before the redirect-downgrade fault (minutes after the start, the reload failed when
    someone had taken it meanwhile) and Redis's while redis-down keeps it stopped, where a
    client is refused as by a stopped server and the revert gets the port back."""
    ports = demo_stack.ports
    assert _taken(ports.hop)
    with demo_stack.fault("redis-down"):
        assert _taken(ports.redis)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", ports.redis), timeout=5).close()
    with _redis(demo_stack) as client:
        assert client.ping()


def test_base_dir_the_postgres_user_cannot_traverse_is_refused(tmp_path: Path) -> None:
    """A base dir below a mode-0700 directory (like pytest's tmp) fails fast with a DemoError."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o700)
    with pytest.raises(DemoError, match="not traversable"):
        DemoStack.start(base_dir=locked / "demo")
    assert list((locked / "demo").iterdir()) == []


def test_project_below_a_private_directory_runs_under_var_tmp(tmp_path: Path) -> None:
    """A clone below a mode-0700 directory (pytest's tmp, ``mktemp -d``, root's home) gets run
    directories in its own home under /var/tmp that the postgres user can reach, the same one
    on every call, instead of a refused start."""
    project = tmp_path / "clone"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    home = demo_home(project / "src")
    assert home == demo_home(project) and home.parent == SYSTEM_HOME
    try:
        run_dir = new_run_dir(home)
        reach = subprocess.run(["test", "-x", str(run_dir)], user="postgres", check=False)
        assert reach.returncode == 0 and untraversable(run_dir) is None
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_interrupted_start_removes_everything_and_says_so() -> None:
    """Ctrl-C while the stack starts stops every process started so far, removes the run
    directory (logs included) and says so; `gonogo demo up` exits 2 without a traceback."""
    base = demo_home(ROOT) / f"interrupt-test-{os.getpid()}"
    up = ["demo", "up", "--base-dir", str(base), "--state", str(base / "current.json")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "gonogo.cli", *up],
        # a background job inherits an ignored SIGINT; Ctrl-C must reach this one
        preexec_fn=sigint_default,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not list(base.glob("*/logs/*.log")) and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=90)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    try:
        assert proc.returncode == 2, output
        assert "interrupted: stopped every process started so far, removed" in output
        assert "Traceback" not in output
        pids = [int(pid) for pid in re.findall(r"\(pid (\d+)\)", output)]
        assert not any(alive(pid) for pid in pids)
        assert list(base.iterdir()) == []
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_repeated_gate_runs_against_one_stack_agree(demo_stack: DemoStack, run_gate: Any) -> None:
    """Back-to-back gate runs against one running stack agree: the first run's ratelimit.login
    probe locks only its throw-away account, so the next run's cookies.flags still logs in."""
    try:
        for _ in range(2):
            run = run_gate("-k", "cookies or ratelimit")
            assert run.outcome("ratelimit.login") == "passed", run.output[-3000:]
            assert run.outcome("cookies.flags") == "passed", run.output[-3000:]
    finally:
        demo_stack.reset_rate_limit()


def test_demo_home_is_removed_when_nothing_is_left_in_it() -> None:
    """`gonogo demo up` then `down` in a project leaves no empty `.demo/` behind."""
    project = Path(tempfile.mkdtemp(prefix="gonogo-home-", dir="/var/tmp"))
    try:
        project.chmod(0o755)  # the postgres user traverses it
        (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
        for command in (["demo", "up"], ["demo", "down"]):
            done = subprocess.run(
                [sys.executable, "-m", "gonogo.cli", *command],
                cwd=project,
                env={k: v for k, v in os.environ.items() if k != "GONOGO_DEMO_STATE"},
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
        assert not (project / ".demo").exists()
    finally:
        shutil.rmtree(project, ignore_errors=True)


def test_down_stops_a_stack_whose_state_an_older_version_wrote() -> None:
    """A state file written by another gonogo version (a port this version does not know,
    one it expects missing): `gonogo demo down` stops the stack from its ledger, exit 0, and
    `status` says what happened in one line (was: a TypeError traceback, the stack left up)."""
    project = Path(tempfile.mkdtemp(prefix="gonogo-foreign-", dir="/var/tmp"))
    env = {k: v for k, v in os.environ.items() if k != "GONOGO_DEMO_STATE"}

    def gonogo(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gonogo.cli", "demo", *command],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    try:
        project.chmod(0o755)  # the postgres user traverses it
        (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
        assert gonogo("up").returncode == 0
        state = next((project / ".demo").glob("*/state.json"))
        raw = json.loads(state.read_text())
        pids = [pid for pid in raw["pids"].values() if pid]
        raw["ports"]["retired_port"] = raw["ports"].popitem()[1]
        state.write_text(json.dumps(raw))
        status = gonogo("status")
        assert status.returncode == 4 and "another gonogo version" in status.stderr
        assert "Traceback" not in status.stderr
        down = gonogo("down")
        assert down.returncode == 0, down.stdout + down.stderr
        assert "older stack" in down.stdout
        assert pids and not any(alive(pid) for pid in pids)
        assert not (project / ".demo").exists()
    finally:
        for run_dir in (project / ".demo").glob("*"):  # a failed assertion leaves nothing up
            orphans.stop_all(orphans.ledger(run_dir))
        shutil.rmtree(project, ignore_errors=True)
