"""Secrets never leak: not into any artefact, not into the terminal, not through xdist."""

from __future__ import annotations

import logging

import pytest

from engine.project import make_project
from gonogo.redact import Redactor

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

VAR_SECRET = "tok-9f8e7d6c5b4a"  # via ${APP_API_TOKEN}
DSN_SECRET = "dsnpw-Q1w2E3r4"  # a DSN password typed into the file
FILE_SECRET = "filesecret-Z9y8X7"  # from the secrets file
URL_ENCODED = "p@ss/w:rd-77"  # needs URL-encoding inside the DSN
SECRETS = [VAR_SECRET, DSN_SECRET, FILE_SECRET, URL_ENCODED]

ENV = f"""
release = "1"
secrets_file = "t.secrets.env"
[postgres]
dsn = "postgresql://app:{DSN_SECRET}@127.0.0.1:1/app"
[redis]
url = "redis://:${{REDIS_PASSWORD}}@127.0.0.1:2/0"
[web]
base_url = "https://localhost:3/${{APP_API_TOKEN}}"
"""

LEAKY_CHECKS = """
import logging, sys, pytest
from gonogo.model import Comparison, Finding, compare

@pytest.mark.check("t.pass")
def test_evidence_and_attachments(gate, evidence):
    cfg = gate.config
    everything = f"{cfg.postgres.dsn} {cfg.redis.url} {cfg.web.base_url}"
    print("stdout:", everything)
    print("stderr:", everything, file=sys.stderr)
    logging.getLogger("leak").warning("log: %s", everything)
    evidence.attach("dump.txt", "attachment: " + everything)
    gate.target(cfg.postgres.dsn)
    gate.judge([Finding("ok", True, "message: " + everything, measured=everything, threshold=cfg.redis.url)])

@pytest.mark.check("t.fail-major")
def test_assertion_message(gate):
    dsn = gate.config.postgres.dsn
    token_header = {"Authorization": "Bearer " + gate.config.web.base_url.rsplit("/", 1)[1]}
    assert dsn == "something else", f"connect failed for {dsn} with {token_header} and {gate.config.redis.url}"

@pytest.mark.check("t.error")
def test_exception_with_locals(gate):
    url = gate.config.redis.url
    raise RuntimeError("could not reach " + url)
"""


def _project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("APP_API_TOKEN", VAR_SECRET)
    return make_project(
        pytester,
        env=ENV,
        checks=LEAKY_CHECKS,
        extra_files={
            "environments/t.secrets.env": f"# demo secrets\nREDIS_PASSWORD={FILE_SECRET}\nOTHER='{URL_ENCODED}'\n"
        },
    )


def _assert_no_secret(root, output: str) -> None:
    for secret in [VAR_SECRET, DSN_SECRET, FILE_SECRET]:
        assert secret not in output, f"{secret} leaked to the terminal"
    files = [p for p in (root / "reports").rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for secret in [VAR_SECRET, DSN_SECRET, FILE_SECRET]:
            assert secret.encode() not in data, f"{secret} leaked into {path}"


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_planted_secrets_never_leak(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, workers: list[str]
) -> None:
    """Secrets from ${VAR}, a DSN password and a secrets file are masked in every artefact and terminal line."""
    root = _project(pytester, monkeypatch)
    result = pytester.runpytest_subprocess(
        "--env", "t", "-rA", "-l", "--log-cli-level=INFO", *workers
    )
    output = result.stdout.str() + result.stderr.str()
    assert "***" in output  # the values were there and were masked
    _assert_no_secret(root, output)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://app:hunter22@db:5432/app", "postgresql://app:***@db:5432/app"),
        ("Authorization: Bearer abc.def.ghi", "Authorization: ***"),
        ("{'authorization': 'Basic dXNlcjpwYXNz'}", "{'authorization': '***'}"),
        ("Set-Cookie: session=abcdef123; Secure", "Set-Cookie: ***"),
        ("Cookie: a=b; c=d", "Cookie: ***"),
        ("password=letmein123&user=x", "password=***&user=x"),
        ("api_key: 'k-123456'", "api_key: '***'"),
        ("nothing secret here", "nothing secret here"),
        (
            "[(b'Server', b'nginx'), (b'set-cookie', b'session=eyJ1Ijo.x; HttpOnly'), (b'a', b'b')]",
            "[(b'Server', b'nginx'), (b'set-cookie', b'***'), (b'a', b'b')]",
        ),
        ("(b'authorization', b'Basic dXNlcjpwYXNz')", "(b'authorization', b'***')"),
        ("('Cookie', 'sid=abc; theme=dark')", "('Cookie', '***')"),
        ("(b'x-api-key', b'k-12345678')", "(b'x-api-key', b'***')"),
        ("X-API-Key: k-12345678", "X-API-Key: ***"),
        (
            "(b&#x27;set-cookie&#x27;, b&#x27;session=eyJ1&#x27;)",
            "(b&#x27;set-cookie&#x27;, b&#x27;***&#x27;)",
        ),
    ],
    ids=[
        "dsn",
        "bearer",
        "basic-dict",
        "set-cookie",
        "cookie",
        "password-param",
        "api-key",
        "plain",
        "httpcore-set-cookie-tuple",
        "httpcore-authorization-tuple",
        "cookie-tuple",
        "x-api-key-tuple",
        "x-api-key-header",
        "html-escaped-tuple",
    ],
)
def test_secret_shaped_text_is_masked(text: str, expected: str) -> None:
    """Secret-shaped text is masked even when its value was never declared secret."""
    assert Redactor().text(text) == expected


def test_known_values_masked_in_nested_builtins() -> None:
    """Declared secret values are masked inside nested dicts and lists, URL-encoded or not."""
    redactor = Redactor(["s3cr3t/val"])
    data = {"a": ["x s3cr3t/val y", {"b": "s3cr3t%2Fval"}], "n": 3}
    assert redactor.redact(data) == {"a": ["x *** y", {"b": "***"}], "n": 3}


def test_short_values_are_not_registered() -> None:
    """Values shorter than four characters would mask ordinary text, so they are not registered."""
    assert Redactor(["ab"]).text("table ab") == "table ab"


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    """The log-record factory installed by the plugin masks secrets before any handler sees them."""
    from gonogo.engine.phases import install_log_redaction as _install_log_redaction

    previous = logging.getLogRecordFactory()
    try:
        _install_log_redaction(Redactor(["value-1234"]))
        logging.getLogger("t").warning("dsn %s", "value-1234")
        assert "value-1234" not in caplog.text and "***" in caplog.text
    finally:
        logging.setLogRecordFactory(previous)


ODD_SECRET = (
    'Pa\\ss9"word<7>&'  # backslash, quote and HTML specials: escaped differently everywhere
)
ODD_ENV = """
release = "1"
secrets_file = "t.secrets.env"
[cookies]
login_fields = { username = "demo", password = "${ODD_PASSWORD}" }
"""
ODD_CHECKS = """
import pytest
from pathlib import Path

@pytest.mark.check("t.fail-major")
def test_assertion_shows_reprs(gate):
    fields = gate.config.cookies.login_fields
    assert fields == {"password": "something else"}

@pytest.mark.check("t.pass")
def test_attachments_of_every_kind(gate, evidence, tmp_path):
    secret = gate.config.cookies.login_fields["password"]
    for suffix in (".log", ".conf", ".env", ".yaml", ".toml", ".sql", ".txt", ".json"):
        path = tmp_path / f"planted{suffix}"
        path.write_text(f"line with {secret} inside")
        evidence.attach(path.name, path)
    evidence.attach("raw.bin", b"\\xff\\xfe binary " + secret.encode())
    evidence.measure("checked", 1)
"""


def _variants_present(data: str, secret: str) -> list[str]:
    from gonogo.redact import variants

    return sorted(v for v in variants(secret) if v in data)


def test_escaped_forms_and_attachments_never_leak(pytester: pytest.Pytester) -> None:
    """A secret with a backslash, quotes and HTML specials is masked in its repr (assertion
    detail), JSON and HTML-escaped forms, and in attachments of any text type (.log, .conf,
    .env, .yaml, .toml, .sql) or unknown bytes."""
    root = make_project(
        pytester,
        env=ODD_ENV,
        checks=ODD_CHECKS,
        extra_files={"environments/t.secrets.env": f"ODD_PASSWORD='{ODD_SECRET}'\n"},
    )
    result = pytester.runpytest_subprocess("--env", "t", "-vv", "-rA")
    output = result.stdout.str() + result.stderr.str()
    assert "Differing items" in output  # the assertion detail was printed, masked
    assert _variants_present(output, ODD_SECRET) == []
    files = [p for p in (root / "reports").rglob("*") if p.is_file()]
    assert len([p for p in files if "attachments" in p.parts]) == 9
    for path in files:
        text = path.read_bytes().decode("latin-1")
        assert _variants_present(text, ODD_SECRET) == [], path


def test_config_error_text_is_redacted(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A secret interpolated into a longer value never shows in a configuration error."""
    monkeypatch.setenv("API_SECRET", "sekrit-8d7c6b5a")
    make_project(pytester, env='[web]\nbase_url = "http://h.example/${API_SECRET}"\n')
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    output = result.stdout.str() + result.stderr.str()
    assert "web.base_url: must start with https://" in output
    assert "sekrit-8d7c6b5a" not in output and "http://h.example/***" in output


@pytest.mark.parametrize(
    ("mime", "name", "binary"),
    [
        ("image/png", "shot.png", True),
        ("application/gzip", "dump.sql.gz", True),
        ("application/octet-stream", "listing.gpg", True),
        ("application/octet-stream", "app.env", False),
        ("text/x-sql", "schema.sql", False),
        ("application/x-yaml", "config.yaml", False),
        ("application/octet-stream", "nginx.conf", False),
    ],
)
def test_attachment_kinds(mime: str, name: str, binary: bool) -> None:
    """Only known binary formats skip redaction; anything else is treated as text."""
    from gonogo.report.artefacts import is_binary

    assert is_binary(mime, name) is binary


DEBUG_CHECKS = """
import http.server, logging, threading
import httpx, pytest
from gonogo.model import info

COOKIE = "session=eyJ1IjoiZGVtbyJ9.c2lnbmVkLXZhbHVl"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Set-Cookie", COOKIE + "; HttpOnly")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.mark.check("t.pass")
def test_fetch_with_debug_logging(gate):
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        response = httpx.get(url, headers={"Authorization": "Basic dXNlcjpodW50ZXIy"}, timeout=5)
    finally:
        server.shutdown()
    # the shape httpcore's trace logs, from a logger the gate does not quiet
    logging.getLogger("app.trace").debug(
        "receive_response_headers.complete return_value=%r",
        (b"HTTP/1.1", 200, b"OK", [(b"set-cookie", COOKIE.encode())]),
    )
    logging.getLogger("app.trace").debug("send %r", [(b"authorization", b"Basic dXNlcjpodW50ZXIy")])
    gate.judge([info("status", f"status {response.status_code}")])
"""


def test_debug_logging_never_shows_cookies_or_credentials(pytester: pytest.Pytester) -> None:
    """At DEBUG log level (live and captured), a session cookie and a Basic credential never
    reach the terminal or report.html: header pairs are masked and httpx/httpcore stay at INFO."""
    root = make_project(pytester, checks=DEBUG_CHECKS)
    result = pytester.runpytest_subprocess(
        "--env", "t", "-rA", "--log-level=DEBUG", "-o", "log_cli=true", "--log-cli-level=DEBUG"
    )
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 0, output
    assert "receive_response_headers.complete" in output  # the trace was logged, masked
    assert "(b'set-cookie', b'***')" in output and "(b'authorization', b'***')" in output
    for leaked in ("eyJ1IjoiZGVtbyJ9", "dXNlcjpodW50ZXIy"):
        assert leaked not in output
        for path in (root / "reports").rglob("*"):
            if path.is_file():
                assert leaked.encode() not in path.read_bytes(), path
    assert "httpcore" not in output  # its DEBUG trace is capped at INFO


def test_debug_trace_file_is_called_out(pytester: pytest.Pytester) -> None:
    """pytest's --debug trace records hook arguments verbatim: the run says so in one line."""
    make_project(pytester)
    result = pytester.runpytest_subprocess("--env", "t", "--debug=trace.log")
    result.stderr.fnmatch_lines(
        ["gonogo: warning: --debug writes pytest's internal trace to trace.log unredacted*"]
    )
