"""Unreachable endpoints: one timeout per run, one clear line per check, DNS typos are config errors."""

from __future__ import annotations

import fnmatch
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.project import evidence, latest, make_project
from gonogo.endpoints import endpoint_of, shows_down
from gonogo.engine.downboard import DownBoard
from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.gate import SharedProbes
from loopback import refusing_port

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TIMEOUT_S = 1.5


@pytest.fixture
def tarpit() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (a hung server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
        for conn in held:
            conn.close()


# five checks of one [web] endpoint, each through its own probe call (no shared memo key)
WEB_CHECKS = """
import pytest
from gonogo.probes import http

def _probe(gate):
    web = gate.require("web")
    gate.target(web.base_url)
    http.fetch(http.Site(web.base_url + "/" + gate.spec.id, None, web.timeout_s))

@pytest.mark.check("t.pass")
def test_a(gate):
    _probe(gate)

@pytest.mark.check("t.fail-major")
def test_b(gate):
    _probe(gate)

@pytest.mark.check("t.error")
def test_c(gate):
    _probe(gate)

@pytest.mark.check("t.na")
def test_d(gate):
    _probe(gate)

@pytest.mark.check("t.intrusive")
def test_e(gate):
    _probe(gate)
"""


def _web_env(port: int) -> str:
    return f'release = "1"\n[web]\nbase_url = "https://127.0.0.1:{port}"\ntimeout_s = {TIMEOUT_S}\n'


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_hung_endpoint_costs_one_timeout_per_worker(
    pytester: pytest.Pytester, tarpit: int, workers: list[str]
) -> None:
    """A host that never answers is waited for once (once per worker under xdist), not once per
    check: the other checks end at once as errors naming the first failure."""
    root = make_project(pytester, checks=WEB_CHECKS, env=_web_env(tarpit))
    result = pytester.runpytest_subprocess("--env", "t", "-p", "no:cacheprovider", *workers)
    assert result.ret == 1
    checks = evidence(root)["checks"]
    assert {c["outcome"] for c in checks} == {"error"}
    # told by what each says, not by how long it took: on a loaded machine a check that did not
    # wait can still take longer than the timeout
    fast = [c for c in checks if "unreachable (failed earlier in this run)" in c["message"]]
    waited = [c for c in checks if c not in fast]
    assert 1 <= len(waited) <= (2 if workers else 1)
    assert all(c["duration_s"] >= TIMEOUT_S * 0.8 for c in waited)
    assert all(c["error_reason"] == "timeout" for c in checks)


def test_unreachable_check_is_one_line_everywhere(pytester: pytest.Pytester) -> None:
    """A refused endpoint gives one line per check naming the host, the env key and the fix:
    in the terminal, in report.html and in pytest's own junit, never an httpx traceback."""
    with refusing_port() as closed:
        root = make_project(pytester, checks=WEB_CHECKS, env=_web_env(closed))
        junit = root / "pytest-junit.xml"
        result = pytester.runpytest_subprocess("--env", "t", f"--junitxml={junit}")
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output and "httpx" not in output
    line = (
        f"t.pass: could not check (connectivity): 127.0.0.1: cannot connect to "
        f"https://127.0.0.1:{closed}/t.pass"
    )
    assert line in output
    key = f"[web.base_url in {root / 'environments' / 't.toml'}]"
    assert output.count(key) >= 5
    assert len(output.splitlines()) < 80
    page = (latest(root) / "report.html").read_text()
    assert "httpx" not in page and line in page
    junit_text = junit.read_text()
    assert "httpx" not in junit_text and line in junit_text


def test_unresolvable_host_is_config_error(pytester: pytest.Pytester) -> None:
    """A configured host name that does not exist in DNS stops the run with exit 4 and one line
    naming the file, the key and the host."""
    env = '[web]\nbase_url = "https://no-such-host.gonogo.invalid"\n'
    root = make_project(pytester, env=env)
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"ERROR: {root / 'environments' / 't.toml'}: web.base_url: host")
    assert "'no-such-host.gonogo.invalid' does not resolve" in errors[0]


@pytest.mark.parametrize(
    ("target", "endpoint"),
    [
        ("https://app.example.com", "app.example.com:443"),
        ("https://App.Example.com:8443/health", "app.example.com:8443"),
        ("http://localhost:8080", "localhost:8080"),
        ("https://localhost:8443 /, /health", "localhost:8443"),
        ("postgresql://app:pw@db.internal/app", "db.internal:5432"),
        ("redis://:pw@cache:6380/0", "cache:6380"),
        ("db.internal:5432/app", "db.internal:5432"),
        ("127.0.0.1:6379", "127.0.0.1:6379"),
        ("[::1]:5432/app", "[::1]:5432"),
        ("https://[::1]:8443/", "[::1]:8443"),
        ("/var/backups/app-*.dump", None),
        ("/backups/*.dump -> db:5432/scratch", None),
        ("ftp://files.example.com/x", None),
        ("", None),
        ("postgresql://u@scratch.example:5433/db?hostaddr=127.0.0.1", "127.0.0.1:5433"),
        ("host=scratch.example hostaddr=127.0.0.1 port=5433 user=x", "127.0.0.1:5433"),
        ("host=db.internal dbname=app", "db.internal:5432"),
        ("host=/var/run/postgresql dbname=app", None),
    ],
)
def test_endpoint_of_target(target: str, endpoint: str | None) -> None:
    """A check's endpoint is the host:port of its target's first word (a libpq keyword DSN is
    read whole, and libpq's hostaddr is where it connects); a file path has none."""
    assert endpoint_of(target) == endpoint


def test_libpq_hostaddr_is_not_looked_up(pytester: pytest.Pytester) -> None:
    """A DSN with ?hostaddr= connects to that address without resolving its host name (which
    then only names the server for TLS): no DNS error for a name that does not resolve."""
    env = (
        'release = "1"\n[postgres]\n'
        'dsn = "postgresql://u:pw@no-such-host.gonogo.invalid:1/app?hostaddr=127.0.0.1"\n'
    )
    make_project(pytester, env=env)
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 0, result.stderr.str()
    assert "does not resolve" not in result.stderr.str()


def test_config_error_is_exactly_one_line(pytester: pytest.Pytester) -> None:
    """A configuration error is one line on stderr, with no blank line after it."""
    make_project(pytester, env='[web]\nbase_url = "https://no-such-host.gonogo.invalid"\n')
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    assert len(result.stderr.lines) == 1 and result.stderr.lines[0].startswith("ERROR: ")


def test_down_board_is_shared_through_its_directory(tmp_path: Path) -> None:
    """An endpoint marked down by one process is seen by another board on the same directory,
    with the first error's class, reason and message."""
    DownBoard(tmp_path).mark("db:5432", ProbeTimeout("postgres db:5432/app: no answer in 3 s"))
    other = SharedProbes(DownBoard(tmp_path))
    with pytest.raises(ProbeTimeout, match=r"db:5432 is unreachable \(failed earlier") as err:
        other.get("pg-facts", lambda: 1, "db:5432")
    assert err.value.reason.value == "timeout"
    assert json.loads(next(tmp_path.glob("*.json")).read_text())["kind"] == "ProbeTimeout"


@pytest.mark.parametrize(
    ("error", "down"),
    [
        (ProbeTimeout("db: no answer within 3 s"), True),
        (ProbeRefused("db: connection refused"), True),
        (ProbeRefused("cdn.example.com: connection refused"), False),
        (ProbeError("db: TLS certificate of https://db/ not trusted"), False),
    ],
    ids=["timeout", "refused", "other-host", "tls-error"],
)
def test_only_refused_or_silent_endpoints_go_down(error: ProbeError, down: bool) -> None:
    """A TLS or HTTP problem is a fact about a reachable server, and an error naming another
    host says nothing about this one: neither marks the endpoint down."""
    assert shows_down("db:5432", error) is down


@pytest.fixture
def trickler() -> Iterator[int]:
    """A loopback port that accepts connections and sends each one byte per second, forever:
    no read ever times out, so only the check's own time limit ends a probe of it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    def trickle() -> None:
        while not stop.wait(1.0):
            for conn in list(held):
                try:
                    conn.sendall(b"x")
                except OSError:
                    held.remove(conn)

    threads = [threading.Thread(target=f, daemon=True) for f in (accept, trickle)]
    for thread in threads:
        thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        server.close()
        for thread in threads:
            thread.join(5)
        for conn in held:
            conn.close()


# five checks of one endpoint reading a response that never ends (each byte within its read timeout)
TRICKLE_CHECKS = """
import socket
import pytest
from urllib.parse import urlsplit
from gonogo.model import info

def _read(gate):
    web = gate.require("web")
    gate.target(web.base_url)
    url = urlsplit(web.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as conn:
        conn.sendall(b"GET / HTTP/1.1\\r\\nHost: app\\r\\n\\r\\n")
        while conn.recv(1):
            pass
    gate.judge([info("read", "response read")])

@pytest.mark.check("t.pass")
def test_a(gate):
    _read(gate)

@pytest.mark.check("t.fail-major")
def test_b(gate):
    _read(gate)

@pytest.mark.check("t.error")
def test_c(gate):
    _read(gate)

@pytest.mark.check("t.na")
def test_d(gate):
    _read(gate)

@pytest.mark.check("t.intrusive")
def test_e(gate):
    _read(gate)
"""

CHECK_TIMEOUT_S = 1.5


def _trickle_env(port: int) -> str:
    limits = "".join(
        f'[checks."{cid}"]\ntimeout_s = {CHECK_TIMEOUT_S}\n'
        for cid in ("t.pass", "t.fail-major", "t.error", "t.na", "t.intrusive")
    )
    return f'release = "1"\n[web]\nbase_url = "https://127.0.0.1:{port}"\n{limits}'


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_check_time_limit_marks_its_endpoint_down(
    pytester: pytest.Pytester, trickler: int, workers: list[str]
) -> None:
    """A check ended by its time limit (pytest-timeout) marks its target's endpoint down for
    every worker: each later check of it ends at once with one line, instead of waiting for
    its own time limit."""
    root = make_project(pytester, checks=TRICKLE_CHECKS, env=_trickle_env(trickler))
    result = pytester.runpytest_subprocess("--env", "t", "-p", "no:cacheprovider", *workers)
    assert result.ret == 1
    checks = evidence(root)["checks"]
    assert {(c["outcome"], c["error_reason"]) for c in checks} == {("error", "timeout")}
    # told by what each says, not by how long it took (a loaded machine slows the fast ones)
    waited = [c for c in checks if c["message"].startswith("Timeout (>1.5s) from pytest-timeout")]
    assert 1 <= len(waited) <= (2 if workers else 1)
    assert all(c["duration_s"] >= CHECK_TIMEOUT_S * 0.8 for c in waited)
    fast = [c for c in checks if c not in waited]
    endpoint = f"127.0.0.1:{trickler}"
    down = (
        f"{endpoint} is unreachable (failed earlier in this run): {endpoint}: t."
        "* did not finish within its time limit (Timeout (>1.5s) from pytest-timeout.)"
    )
    assert all(fnmatch.fnmatch(c["message"], down) for c in fast), [c["message"] for c in fast]
    output = result.stdout.str()
    for check in fast:
        assert (
            f"{check['id']}: could not check (timeout): {check['message']} [web.base_url" in output
        )
