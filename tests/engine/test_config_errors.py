"""Bad input gets one clear line and exit code 4, never a traceback."""

from __future__ import annotations

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
        "health-path-not-a-path",
        '[web]\nbase_url = "https://x"\nhealth_path = "health"\n',
        "web.health_path: must be a path starting with /",
    ),
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
    (
        "port-out-of-range",
        '[postgres]\ndsn = "postgresql://u:p@127.0.0.1:99999/app"\n',
        "postgres.dsn: port 99999 is out of range (1-65535)",
    ),
    (
        "port-not-a-number",
        '[postgres]\ndsn = "postgresql://u:p@h:notaport/db"\n',
        "postgres.dsn: port 'notaport' is not a number",
    ),
    (
        "web-port-out-of-range",
        '[web]\nbase_url = "https://127.0.0.1:99999"\n',
        "web.base_url: port 99999 is out of range (1-65535)",
    ),
    (
        "unclosed-placeholder",
        '[web]\nbase_url = "${UNCLOSED"\n',
        "web.base_url: malformed placeholder '${UNCLOSED' at character 1",
    ),
    (
        "nested-placeholder",
        '[web]\nbase_url = "${A:-${B:-https://x}}"\n',
        "web.base_url: malformed placeholder '${A:-${B:-https://x}}' at character 1",
    ),
    (
        "secret-named-unknown-key",
        '[redis]\nurl = "redis://h:6379/0"\npassword = 5\n',
        "redis.password: unknown key; allowed here: max_memory_ratio",
    ),
    (
        "secret-field-wrong-type",
        '[cookies]\nlogin_fields = { username = "u", password = 12 }\n',
        "cookies.login_fields.password: Input should be a valid string",
    ),
    ("demo-unknown-fault", '[demo]\nfaults = ["nope"]\n', "demo.faults: unknown fault 'nope'"),
    ("name-traversal", 'name = "../../x"\n', "name: must be a plain name such as 'prod'"),
    ("name-absolute", 'name = "/tmp/x"\n', "name: must be a plain name such as 'prod'"),
    ("name-dot-dot", 'name = ".."\n', "name: must be a plain name such as 'prod'"),
    (
        "override-timeout-inf",
        '[checks."t.pass"]\ntimeout_s = inf\n',
        "checks.t.pass.timeout_s: Input should be a finite number",
    ),
    (
        "override-timeout-nan",
        '[checks."t.pass"]\ntimeout_s = nan\n',
        "checks.t.pass.timeout_s: Input should be a finite number",
    ),
    (
        "override-timeout-absurd",
        '[checks."t.pass"]\ntimeout_s = 1e20\n',
        "checks.t.pass.timeout_s: Input should be less than or equal to 604800",
    ),
    (
        "web-timeout-inf",
        '[web]\nbase_url = "https://x"\ntimeout_s = inf\n',
        "web.timeout_s: Input should be a finite number",
    ),
    (
        "count-absurd",
        '[redis]\nurl = "redis://h:6379/0"\nmax_rejected_connections = 100000000000000000000\n',
        "redis.max_rejected_connections: Input should be less than or equal to 1000000000000",
    ),
    ("base-url-without-host", '[web]\nbase_url = "https://"\n', "web.base_url: has no host"),
    ("base-url-port-only", '[web]\nbase_url = "https://:443"\n', "web.base_url: has no host"),
    ("redis-url-without-host", '[redis]\nurl = "redis://:6379/0"\n', "redis.url: has no host"),
    ("dsn-without-host", '[postgres]\ndsn = "postgresql:///app"\n', "postgres.dsn: has no host"),
    (
        "ca-bundle-missing",
        '[web]\nbase_url = "https://x"\nca_bundle = "no-such-ca.pem"\n',
        "environments/no-such-ca.pem does not exist",  # resolved beside the environment file
    ),
    (
        "ca-bundle-not-pem",
        '[web]\nbase_url = "https://x"\nca_bundle = "t.toml"\n',
        "environments/t.toml holds no PEM certificate",
    ),
    (
        "gnupg-home-missing",
        '[backup]\ndirectory = "/tmp"\nencrypted = true\ngnupg_home = "/nonexistent/gnupg"\n',
        "backup.gnupg_home: /nonexistent/gnupg does not exist",
    ),
    (
        "pg-bin-dir-a-file",
        '[backup]\ndirectory = "/tmp"\npg_bin_dir = "t.toml"\n',
        "environments/t.toml is a regular file, not a directory",
    ),
    ("nested-3000-deep", "a = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("nested-20-deep", "a = " + "[" * 20 + "]" * 20 + "\n", "a[0][0]"),
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
    """A schema or check-id error in a demo-based file is reported before the stack's cold
    start: not one of its start-up steps runs (each prints a progress line)."""
    env = '[demo]\nfaults = []\n[web]\nbase_url = "https://localhost:${GONOGO_DEMO_HTTPS_PORT}"\ntimeout_s = "5"\n'
    make_project(pytester, env=env)
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    assert "web.timeout_s: Input should be a valid number" in result.stderr.str()
    assert "demo stack" not in result.stderr.str()  # nothing was started
    assert "gonogo: [" not in result.stderr.str() + result.stdout.str()


def test_validate_accepts_the_shipped_demo_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """`gonogo validate --env demo` validates demo.toml with the demo's own variable shapes."""
    from gonogo.cli import main

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    assert main(["validate", "--env", "demo"]) == 0


def test_every_problem_is_listed(pytester: pytest.Pytester) -> None:
    """A file with several problems lists each one (key and fix) under a count, none hidden."""
    root = make_project(pytester)
    (root / "environments" / "t.toml").write_text(
        'relase = "1"\n[web]\nbase_url = "http://x"\ntimeout_s = "soon"\n'
    )
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    lines = [line for line in result.stderr.lines if line.strip()]
    assert lines[0] == f"ERROR: {root / 'environments' / 't.toml'}: 3 problems:"
    assert sorted(line.split(":")[0].strip() for line in lines[1:]) == [
        "relase",
        "web.base_url",
        "web.timeout_s",
    ]


def test_secret_values_never_show_in_config_errors(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value from a secret-looking variable (here *PW) is not echoed as the bad input, and
    the words of the message after `password:` are not masked."""
    monkeypatch.setenv("PGPW", "Sup3rSecretPW")
    make_project(pytester, env='[web]\nbase_url = "https://localhost:1"\ntimeout_s = "${PGPW}"\n')
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    output = result.stdout.str() + result.stderr.str()
    assert "Sup3rSecretPW" not in output
    assert "web.timeout_s: Input should be a valid number" in output


def test_unknown_demo_fault_option(pytester: pytest.Pytester) -> None:
    """--demo-fault with a name the demo stack does not know is one line naming the option."""
    make_project(pytester, env="[demo]\nfaults = []\n")
    result = pytester.runpytest_subprocess("--env", "t", "--demo-fault", "nope")
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and "--demo-fault nope: unknown fault; known: " in errors[0]


def test_validate_accepts_the_example_without_its_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gonogo validate` checks prod.example.toml where its secrets file and variables are
    absent: they are warnings, the file itself is valid (exit 0)."""
    from gonogo.cli import main

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    for name in ("LOGIN_PASSWORD", "PG_PASSWORD", "REDIS_PASSWORD", "BACKUP_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    assert main(["validate", "--env-file", "environments/prod.example.toml"]) == 0
    out, err = capsys.readouterr()
    assert "environments/prod.example.toml: ok (" in out and "2 warnings" in out
    assert "secrets_file" in err and "not set here, validated with placeholders" in err


def test_validate_reports_a_bad_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gonogo validate` finds what a run would refuse: a port out of range is exit 4."""
    from gonogo.cli import main

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    env = tmp_path / "bad.toml"
    env.write_text('[web]\nbase_url = "https://127.0.0.1:99999"\n')
    assert main(["validate", "--env-file", str(env)]) == 4
    assert "web.base_url: port 99999 is out of range" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["checks", "--bogus"], ["demo", "sideways"], ["nonsense"], ["validate"]],
    ids=["unknown-option", "unknown-demo-command", "unknown-command", "missing-required"],
)
def test_cli_usage_errors_exit_4(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """A command-line mistake is a configuration error (4), never 2 (an interrupted run)."""
    from gonogo.cli import main

    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 4
    assert "error:" in capsys.readouterr().err


def test_validate_help_describes_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    """`gonogo validate --help` says what each option takes."""
    from gonogo.cli import main

    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    out = capsys.readouterr().out
    assert "--env NAME       environments/NAME.toml" in out
    assert "--env-file PATH  any environment file" in out
