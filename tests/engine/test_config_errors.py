"""Bad input gets one clear line and exit code 4, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.project import evidence, make_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# (id, environment file text, fragment the one-line message must contain)
MALFORMED = [
    ("not-toml", "release = \n", "not valid TOML"),
    ("unclosed-table", "[web\nbase_url='https://x'\n", "not valid TOML"),
    ("unknown-top-key", 'relase = "1"\n', "relase: unknown key; allowed here:"),
    (
        "unknown-section-key",
        '[web]\nbase_url = "https://x"\nbse_url = "y"\n',
        "web.bse_url: unknown key; allowed here: base_url",
    ),
    ("unknown-section", '[webb]\nbase_url = "https://x"\n', "webb: unknown key"),
    ("wrong-type-bool", 'sensitive = "yes please"\n', "sensitive: Input should be a valid boolean"),
    (
        "wrong-type-number",
        '[web]\nbase_url = "https://x"\ntimeout_s = "soon"\n',
        "web.timeout_s: Input should be a valid number",
    ),
    ("missing-required", '[web]\nhttp_url = "http://x"\n', "web.base_url: required key is missing"),
    ("http-base-url", '[web]\nbase_url = "http://x"\n', "web.base_url: must start with https://"),
    (
        "negative-timeout",
        '[web]\nbase_url = "https://x"\ntimeout_s = -1\n',
        "web.timeout_s: Input should be greater than 0",
    ),
    ("bad-dsn", '[postgres]\ndsn = "mysql://x"\n', "postgres.dsn: must be a postgresql:// URL"),
    (
        "unset-variable",
        '[postgres]\ndsn = "postgresql://app:${NOPE_PW_VAR}@h/db"\n',
        "${NOPE_PW_VAR} is not set",
    ),
    ("missing-secrets-file", 'secrets_file = "nope.env"\n', "secrets_file"),
    (
        "waiver-without-expiry",
        '[[waivers]]\ncheck = "t.pass"\nreason = "ok ok"\napprover = "Ann"\nticket = "C-1"\n',
        "waivers.0.expires: required key is missing",
    ),
    (
        "waiver-bad-date",
        '[[waivers]]\ncheck = "t.pass"\nreason = "ok ok"\napprover = "Ann"\nticket = "C-1"\nexpires = "soon"\n',
        "waivers.0.expires",
    ),
    (
        "waiver-unknown-check",
        '[[waivers]]\ncheck = "t.nope"\nreason = "ok ok"\napprover = "Ann"\nticket = "C-1"\nexpires = 2999-01-01\n',
        "waiver for unknown check id 't.nope'",
    ),
    (
        "waiver-no-approver",
        '[[waivers]]\ncheck = "t.pass"\nreason = "ok ok"\nticket = "C-1"\nexpires = 2999-01-01\n',
        "waivers.0.approver: required key is missing",
    ),
    (
        "severity-typo",
        '[checks."t.pass"]\nseverity = "blocking"\n',
        "checks.t.pass.severity: Input should be 'blocker', 'major', 'minor' or 'info'",
    ),
    (
        "override-unknown-check",
        '[checks."t.nope"]\nseverity = "major"\n',
        "checks.t.nope: unknown check id",
    ),
    ("demo-faults-not-list", '[demo]\nfaults = "hsts-missing"\n', "demo.faults: must be a list"),
    (
        "bool-as-string",
        'sensitive = "yes"\n',
        "sensitive: Input should be a valid boolean (got 'yes')",
    ),
    ("bool-as-int", "sensitive = 1\n", "sensitive: Input should be a valid boolean (got 1)"),
    (
        "number-as-string",
        '[web]\nbase_url = "https://x"\ntimeout_s = "7"\n',
        "web.timeout_s: Input should be a valid number (got '7')",
    ),
    ("string-as-number", "release = 1.2\n", "release: Input should be a valid string"),
    (
        "override-timeout-string",
        '[checks."t.pass"]\ntimeout_s = "60"\n',
        "checks.t.pass.timeout_s: Input should be a valid number",
    ),
    ("binary-file", "\udcff", "not"),
]


@pytest.mark.parametrize(
    ("text", "fragment"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_environment_file(pytester: pytest.Pytester, text: str, fragment: str) -> None:
    """Each malformed environment file exits 4 with one ERROR line naming the file and the key."""
    root = make_project(pytester)
    env_path = root / "environments" / "t.toml"
    if text == "\udcff":
        env_path.write_bytes(b"\xff\xfe\x00garbage")
    else:
        env_path.write_text(text)
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4, result.stderr.str()
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1, errors
    assert errors[0].startswith("ERROR: ")
    assert "environments/t.toml" in errors[0] or "secrets_file" in errors[0]
    assert fragment in errors[0]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "no environment given: add --env NAME (environments found: t)"),
        (("--env", "prod"), "--env prod: no file"),
        (("--env-file", "nowhere.toml"), "--env-file nowhere.toml: no such file"),
        (("--env", "../etc/hosts"), "use a name such as 'prod'"),
    ],
    ids=["missing-env", "unknown-env", "missing-env-file", "path-as-env-name"],
)
def test_environment_selection_errors(
    pytester: pytest.Pytester, args: tuple[str, ...], fragment: str
) -> None:
    """Gate checks without a usable environment stop with exit 4 and one line listing what exists."""
    make_project(pytester)
    result = pytester.runpytest_subprocess(*args)
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and fragment in errors[0], errors


def test_env_file_option_loads_any_path(pytester: pytest.Pytester) -> None:
    """--env-file PATH loads a file outside environments/ and names reports after the file."""
    root = make_project(pytester)
    (root / "elsewhere.toml").write_text('release = "1"\n')
    result = pytester.runpytest("--env-file", str(root / "elsewhere.toml"))
    assert result.ret == 0
    assert (root / "reports" / "elsewhere" / "latest" / "evidence.json").is_file()


WAIVER = (
    'check = "{check}"\nreason = "ok ok"\napprover = "Ann"\nticket = "C-1"\nexpires = {expires}\n'
)


@pytest.mark.parametrize(
    ("waiver", "fragment"),
    [
        (
            WAIVER.format(check="t.nope", expires="2999-01-01"),
            "waiver for unknown check id 't.nope'",
        ),
        (WAIVER.format(check="t.pass", expires='"soon"'), "waivers.0.expires"),
        (WAIVER.format(check="t.pass", expires="2999-01-01") + "colour = 1\n", "waivers.0.colour"),
    ],
    ids=["unknown-check", "bad-date", "unknown-key"],
)
def test_waivers_file_errors_name_that_file(
    pytester: pytest.Pytester, waiver: str, fragment: str
) -> None:
    """An error in environments/NAME.waivers.toml names that file, not the environment file."""
    root = make_project(
        pytester, extra_files={"environments/t.waivers.toml": "[[waivers]]\n" + waiver}
    )
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1, errors
    assert f"{root / 'environments' / 't.waivers.toml'}: " in errors[0] and fragment in errors[0]


def test_quoted_waiver_date_and_severity_parse(pytester: pytest.Pytester) -> None:
    """Strict scalars keep the string forms TOML needs: a severity name, a quoted date, a path."""
    env = (
        'release = "1"\nsecrets_file = "t.secrets.env"\n[checks."t.fail-major"]\nseverity = "minor"\n'
        "[[waivers]]\n" + WAIVER.format(check="t.error", expires='"2999-01-01"')
    )
    root = make_project(pytester, env=env, extra_files={"environments/t.secrets.env": "A=b\n"})
    assert pytester.runpytest("--env", "t").ret == 0
    assert evidence(root)["verdict"] == "CONDITIONAL"  # the waiver applied


def test_demo_file_errors_surface_before_the_stack_starts(pytester: pytest.Pytester) -> None:
    """A schema or check-id error in a demo-based file is reported before the 8 s cold start."""
    env = '[demo]\nfaults = []\n[web]\nbase_url = "https://localhost:${GONOGO_DEMO_HTTPS_PORT}"\ntimeout_s = "5"\n'
    make_project(pytester, env=env)
    started = time.monotonic()
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    assert "web.timeout_s: Input should be a valid number" in result.stderr.str()
    assert "demo stack" not in result.stderr.str()  # nothing was started
    assert time.monotonic() - started < 8


def test_validate_accepts_the_shipped_demo_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """`gonogo validate --env demo` validates demo.toml with the demo's own variable shapes."""
    from gonogo.cli import main

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    assert main(["validate", "--env", "demo"]) == 0
