"""The full leak test: real secrets planted, the real gate run against the demo stack with every
option that shows more (``-l``, ``-vv``, ``--tb=long``, ``-rA``, DEBUG logs, ``-n 2``, extra
``--html``/``--junitxml`` copies), and every artefact and terminal line scanned for every form
of every secret (raw, lower, upper, URL-encoded, JSON, HTML, base64, ``user:password`` in
base64, IDNA punycode, an origin's host alone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.leaks import artefacts, basic_credential, leaks
from engine.project import make_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "https://Tenant-Qx43SECRETkk.Example.COM"  # lower-cased by the CORS check
IDN_ORIGIN = "https://Geheim-Bücher-Zq8Vw.Example"  # sent in punycode, as browsers do
WEB_USER = "gateuser"
WEB_PASSWORD = "Wq7/Zx#k9@Lm-Pt4"  # written URL-encoded; httpx sends Basic base64(user:pw)
WEB_PASSWORD_ENCODED = "Wq7%2FZx%23k9%40Lm-Pt4"
# the demo app's session cookie: urlsafe base64 of {"u":"demo","iat": -> never in a report
SESSION_PREFIX = "eyJ1IjoiZGVtbyIsImlhdCI6"
# the log-in API's sid cookie (smoke.login, auth endpoints, smoke.logout): base64 of {"sid":"
API_SESSION_PREFIX = "eyJzaWQiOi"
SECRETS_FILE = f"LEAK_ORIGIN={ORIGIN}\nLEAK_ORIGIN_IDN={IDN_ORIGIN}\nLEAK_WEB_PASSWORD={WEB_PASSWORD_ENCODED}\n"
SHOW_EVERYTHING = (
    "-l",
    "-vv",
    "--tb=long",
    "-rA",
    "--log-level=DEBUG",
    "-o",
    "log_cli=true",
    "--log-cli-level=DEBUG",
)


def planted(demo_secrets: dict[str, str]) -> dict[str, str]:
    """Every secret of the run by name: the planted ones and the demo stack's own."""
    return {
        **{f"demo {name}": value for name, value in demo_secrets.items()},
        "origin": ORIGIN,
        "idn origin": IDN_ORIGIN,
        "web password": WEB_PASSWORD,
        "web password (encoded)": WEB_PASSWORD_ENCODED,
        "basic credential": basic_credential(WEB_USER, WEB_PASSWORD),
        "session cookie": SESSION_PREFIX,
        "api session cookie": API_SESSION_PREFIX,
    }


def leak_environment() -> str:
    """demo.toml with secrets where they take other forms: CORS origins, a base_url's userinfo."""
    text = (ROOT / "environments" / "demo.toml").read_text()
    replacements = {
        'release = "1.4.2"\n': 'release = "1.4.2"\nsecrets_file = "leak.secrets.env"\n',
        'base_url = "https://localhost:': f'base_url = "https://{WEB_USER}:${{LEAK_WEB_PASSWORD}}@localhost:',
        '["${GONOGO_DEMO_CORS_ALLOWED_ORIGIN}"]': '["${LEAK_ORIGIN}", "${LEAK_ORIGIN_IDN}"]',
        # the authenticated endpoint fails: its frame (the session, the log-in fields) is shown
        'values = { "$.user" = "${GONOGO_DEMO_APP_USER}" }': 'values = { "$.user" = "nobody" }',
    }
    for old, new in replacements.items():
        assert old in text, f"environments/demo.toml changed: {old!r} not found"
        text = text.replace(old, new)
    # a check that runs out of its time limit keeps its whole traceback: every frame's locals
    return text + '\n[checks."smoke.health"]\ntimeout_s = 1\n'


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_real_gate_leaks_no_form_of_any_secret(
    demo_stack: Any, run_gate: Any, tmp_path: Path, workers: list[str]
) -> None:
    """The real cookie, CORS, smoke (log-in API included), Redis and PostgreSQL checks, failing against faults and
    shown with locals, long tracebacks and DEBUG logs, leak no form of a planted secret."""
    env_file = tmp_path / "leak.toml"
    env_file.write_text(leak_environment())
    (tmp_path / "leak.secrets.env").write_text(SECRETS_FILE, encoding="utf-8")
    extra = tmp_path / "extra"
    files = ["checks/test_cookies.py", "checks/test_cors.py", "checks/test_redis.py", "smoke"]
    with demo_stack.fault("cookie-insecure"), demo_stack.fault("slow-health"):
        run = run_gate(
            "-v",  # run_gate passes -q: with -vv this is pytest's -vv (locals not shortened)
            *SHOW_EVERYTHING,
            *workers,
            f"--html={extra / 'extra-report.html'}",
            f"--junitxml={extra / 'extra-junit.xml'}",
            *files,
            env_file=env_file,
        )
    assert run.outcome("cookies.flags") == "failed", run.output[-3000:]
    assert run.outcome("smoke.endpoint") == "failed", run.output[-3000:]
    assert run.outcome("smoke.login") == "passed", run.output[-3000:]
    assert "set_cookie=" in run.output  # the probe's locals were shown (-l), masked
    assert "could not check" in run.check("cors.policy")["message"] or run.check("cors.policy")
    assert {"evidence.json", "junit.xml", "summary.md", "report.html"} <= artefacts(
        [tmp_path / "reports"]
    )
    assert {"extra-report.html", "extra-junit.xml"} <= artefacts([extra])
    found = leaks(run.output, [tmp_path / "reports", extra], planted(demo_stack.secrets()))
    assert found == [], "\n".join(found[:20])


PLANTED_ENV = f"""
release = "1"
secrets_file = "t.secrets.env"
[web]
base_url = "https://{WEB_USER}:${{LEAK_WEB_PASSWORD}}@localhost:${{GONOGO_DEMO_HTTPS_PORT}}"
http_url = "http://localhost:${{GONOGO_DEMO_HTTP_PORT}}"
ca_bundle = "${{GONOGO_DEMO_CA_BUNDLE}}"
[cookies]
login_path = "/login"
login_fields = {{ username = "${{GONOGO_DEMO_APP_USER}}", password = "${{GONOGO_DEMO_APP_USER_PASSWORD}}" }}
[demo]
faults = []
"""

# what a careless check (or a probe's frame under -l) could show: the Basic credential bare,
# the session cookie, the request's raw headers, in stdout, stderr, a log record, an assertion
# message, evidence and an attachment
PLANTED_CHECKS = """
import logging, sys
import pytest
from gonogo.model import info
from gonogo.probes import http


def log_in(gate):
    web, login = gate.config.web, gate.config.cookies
    with http.open_client(web.ca_bundle, 10) as client:
        response, _, _ = http.exchange(
            client, web.base_url + login.login_path, 10, method="POST",
            body=("form", dict(login.login_fields)),
        )
    credential = response.request.headers["authorization"].split()[1]
    session = response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    return response.request.headers.raw, credential, session


@pytest.mark.check("t.fail-major")
def test_credentials_in_locals_and_output(gate):
    sent, credential, session = log_in(gate)
    print("stdout:", credential, session, sent)
    print("stderr:", credential.lower(), session.upper(), file=sys.stderr)
    logging.getLogger("leak").warning("log: %s %s", credential, session)
    assert {"credential": credential} == {"credential": session}, f"{credential} {session}"


@pytest.mark.check("t.pass")
def test_credentials_in_evidence(gate, evidence):
    sent, credential, session = log_in(gate)
    evidence.attach("headers.txt", f"{sent}\\n{credential}\\n{session}")
    gate.judge([info("login", f"logged in with {credential}, got {session}")])
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_credentials_seen_on_the_wire_never_leak(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    demo_stack: Any,
    workers: list[str],
) -> None:
    """The Basic credential built from a URL's userinfo and a real session cookie, shown by a
    check in every way pytest can show them, are masked everywhere in every form."""
    monkeypatch.setenv("GONOGO_DEMO_STATE", str(demo_stack.state_file))
    root = make_project(
        pytester,
        env=PLANTED_ENV,
        checks=PLANTED_CHECKS,
        extra_files={"environments/t.secrets.env": SECRETS_FILE},
    )
    result = pytester.runpytest_subprocess(
        "--env",
        "t",
        *SHOW_EVERYTHING,
        *workers,
        f"--html={root / 'extra' / 'copy.html'}",
        f"--junitxml={root / 'extra' / 'copy.xml'}",
    )
    output = result.stdout.str() + result.stderr.str()
    assert "Captured stdout call" in output and "credential" in output, output[-3000:]
    assert "attachments" in {p.name for p in (root / "reports").rglob("*")}
    found = leaks(output, [root / "reports", root / "extra"], planted(demo_stack.secrets()))
    assert found == [], "\n".join(found[:20])


def test_dsn_parse_error_quotes_no_part_of_the_password(pytester: pytest.Pytester) -> None:
    """A DSN whose password holds '/', '#' and '${' is a configuration error (exit 4) that
    quotes no part of the password, on the terminal or in any file."""
    make_project(
        pytester,
        env='[postgres]\ndsn = "postgresql://app:Qx43kkZr/9Wm2#Pt7v@db.example:5432/app"\n',
    )
    result = pytester.runpytest_subprocess("--env", "t", "-l", "--tb=long")
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 4, output
    assert "postgres.dsn: the user name or password is not percent-encoded" in output
    for part in ("Qx43", "kkZr", "9Wm2", "Pt7v"):
        assert part not in output, output


INTERNAL_ERROR_CONFTEST = """
def pytest_collection_finish(session):
    password = "v7tP2mW-lanretni-9rZ"[::-1]  # the secret, not written as such in the source
    raise RuntimeError("plugin bug while holding " + password)
"""


def test_internal_error_with_locals_is_masked(pytester: pytest.Pytester) -> None:
    """An internal error shown with its locals (-l --full-trace) masks the run's secrets."""
    make_project(
        pytester,
        env='secrets_file = "t.secrets.env"\nrelease = "1"\n',
        extra_files={
            "environments/t.secrets.env": "BUG_SECRET=Zr9-internal-Wm2Pt7v\n",
            "conftest.py": INTERNAL_ERROR_CONFTEST,
        },
    )
    result = pytester.runpytest_subprocess("--env", "t", "-l", "--full-trace")
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" in output and "plugin bug while holding ***" in output, output[-3000:]
    assert "Wm2Pt7v" not in output
