"""Hostile and mistaken input: one line, exit 4, before anything starts; never a hang, never a
traceback, never a write outside reports/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from engine.project import make_project
from gonogo import catalogue, config, files
from gonogo.errors import ConfigError
from gonogo.report import artefacts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WAIVER = (
    'check = "{check}"\nreason = "ok ok"\napprover = "Ann"\nticket = "C-1"\nexpires = 2999-01-01\n'
)
# a subprocess that hangs is killed here and fails the test (pytester.TimeoutExpired)
NO_HANG_S = 90


def one_error(result: pytest.RunResult) -> str:
    """The single ERROR line of a configuration error (exit 4), after checking it is alone."""
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 4, output
    assert "Traceback" not in output and "INTERNALERROR" not in output, output
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("ERROR: "), errors
    return errors[0]


def _special(kind: str, path: Path) -> str:
    """Make ``path`` the kind of file a secrets or waivers file must not be; returns its name."""
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would block until a writer comes
    elif kind == "device":
        return "/dev/zero"  # endless
    elif kind == "not-utf8":
        path.write_bytes(b"A=\xff\xfe\n")
    elif kind == "oversized":
        path.write_text("A=" + "x" * (files.MAX_BYTES + 1) + "\n")
    elif kind == "directory":
        path.mkdir()
    return path.name


SPECIAL = [
    ("fifo", "cannot read a FIFO"),
    ("device", "cannot read a character device"),
    ("not-utf8", "not UTF-8 text"),
    ("oversized", "larger than 1024 KiB"),
    ("directory", "cannot read a directory"),
]


@pytest.mark.parametrize(("kind", "fragment"), SPECIAL, ids=[s[0] for s in SPECIAL])
def test_special_secrets_file(pytester: pytest.Pytester, kind: str, fragment: str) -> None:
    """A secrets_file that is a FIFO, a device, not UTF-8, huge or a directory is one line
    naming it, within a bound (a FIFO used to hang the run forever)."""
    root = make_project(pytester)
    name = _special(kind, root / "environments" / "t.secrets.env")
    (root / "environments" / "t.toml").write_text(f'secrets_file = "{name}"\n')
    line = one_error(pytester.runpytest_subprocess("--env", "t", timeout=NO_HANG_S))
    assert "secrets_file " in line and fragment in line


@pytest.mark.parametrize(("kind", "fragment"), SPECIAL, ids=[s[0] for s in SPECIAL])
def test_special_waivers_file(pytester: pytest.Pytester, kind: str, fragment: str) -> None:
    """The same for environments/NAME.waivers.toml: one line naming that file, never a hang."""
    root = make_project(pytester)
    waivers = root / "environments" / "t.waivers.toml"
    if kind == "device":
        waivers.symlink_to("/dev/zero")
    else:
        _special(kind, waivers)
    line = one_error(pytester.runpytest_subprocess("--env", "t", timeout=NO_HANG_S))
    assert "t.waivers.toml" in line and fragment in line


@pytest.mark.parametrize("how", ["--env", "--env-file"])
def test_environment_file_that_is_a_fifo(pytester: pytest.Pytester, how: str) -> None:
    """The environment file itself as a FIFO is one line, never a hang."""
    root = make_project(pytester)
    (root / "environments" / "t.toml").unlink()
    os.mkfifo(root / "environments" / "t.toml")
    value = "t" if how == "--env" else str(root / "environments" / "t.toml")
    line = one_error(pytester.runpytest_subprocess(how, value, timeout=NO_HANG_S))
    assert "not a regular file" in line


def test_toml_nested_3000_deep_in_a_waivers_file(pytester: pytest.Pytester) -> None:
    """TOML nested 3,000 deep (a RecursionError in the parser) is one line naming the file."""
    root = make_project(pytester)
    deep = (
        "[[waivers]]\n" + WAIVER.format(check="t.pass") + "x = " + "{a=" * 3000 + "1" + "}" * 3000
    )
    (root / "environments" / "t.waivers.toml").write_text(deep + "\n")
    line = one_error(pytester.runpytest_subprocess("--env", "t", timeout=NO_HANG_S))
    assert "t.waivers.toml: nested too deeply" in line


@pytest.mark.parametrize("name", ["../../x", "/tmp/gonogo-abs-name", "..", "a/b"])
def test_environment_name_never_leaves_reports(pytester: pytest.Pytester, name: str) -> None:
    """A name that is a path is refused before anything is written: nothing appears outside
    reports/ (it once wrote there and replaced a file named latest)."""
    root = make_project(pytester)
    (root / "environments" / "t.toml").write_text(f'name = "{name}"\n')
    before = set(root.parent.iterdir())
    line = one_error(pytester.runpytest_subprocess("--env", "t"))
    assert "t.toml: name: must be a plain name such as 'prod'" in line
    assert set(root.parent.iterdir()) == before
    assert not (root / "reports").exists()
    assert not Path("/tmp/gonogo-abs-name").exists()


def test_file_name_that_cannot_name_reports(pytester: pytest.Pytester) -> None:
    """--env-file with a file name unfit for reports/<name>/ asks for `name`; with it, it runs."""
    root = make_project(pytester)
    odd = root / "my env.toml"
    odd.write_text('release = "1"\n')
    line = one_error(pytester.runpytest_subprocess("--env-file", str(odd)))
    assert "name: the file name gives the environment name 'my env'" in line
    odd.write_text('name = "myenv"\nrelease = "1"\n')
    assert pytester.runpytest_subprocess("--env-file", str(odd)).ret == 0
    assert (root / "reports" / "myenv" / "latest").is_symlink()


@pytest.mark.parametrize("kind", ["file", "directory", "foreign-link"])
def test_latest_not_made_by_gonogo_is_never_replaced(pytester: pytest.Pytester, kind: str) -> None:
    """reports/<env>/latest that is a file, a directory or a link elsewhere stops the run before
    it starts (exit 4, naming it), and is left exactly as it was."""
    root = make_project(pytester)
    latest = root / "reports" / "t" / "latest"
    latest.parent.mkdir(parents=True)
    if kind == "file":
        latest.write_text("precious")
    elif kind == "directory":
        latest.mkdir()
    else:
        latest.symlink_to(root / "environments")
    line = one_error(pytester.runpytest_subprocess("--env", "t"))
    assert f"{latest}: not the link gonogo keeps" in line
    assert sorted(p.name for p in latest.parent.iterdir()) == ["latest"]
    if kind == "file":
        assert latest.read_text() == "precious"
    assert latest.is_dir() if kind == "directory" else True
    assert os.readlink(latest) == str(root / "environments") if kind == "foreign-link" else True


def test_point_latest_leaves_a_file_made_during_the_run(tmp_path: Path) -> None:
    """A `latest` that appeared while the run went on is not replaced by the report writer; a
    link gonogo made is."""
    run = tmp_path / "20260101T000000Z-abcd"
    run.mkdir()
    (tmp_path / "latest").write_text("precious")
    artefacts.point_latest(run)
    assert (tmp_path / "latest").read_text() == "precious"
    (tmp_path / "latest").unlink()
    (tmp_path / "latest").symlink_to("older-run")
    artefacts.point_latest(run)
    assert os.readlink(tmp_path / "latest") == run.name


def test_unknown_marker_is_reported_before_the_demo_stack_starts(pytester: pytest.Pytester) -> None:
    """`-m nothing` on a demo-based environment is one line naming the marker, before any
    start-up step runs (each prints a progress line)."""
    make_project(pytester, env="[demo]\nfaults = []\n")
    result = pytester.runpytest_subprocess("--env", "t", "-m", "predeploy or nothing")
    line = one_error(result)
    assert "-m 'predeploy or nothing': unknown marker nothing; markers the checks carry:" in line
    assert "gonogo: [" not in result.stdout.str() + result.stderr.str()


def test_malformed_marker_expression_is_reported_first(pytester: pytest.Pytester) -> None:
    """A -m that does not parse is one line, before the environment is even loaded."""
    make_project(pytester, env="[demo]\nfaults = []\n")
    line = one_error(pytester.runpytest_subprocess("--env", "t", "-m", "predeploy and"))
    assert "-m 'predeploy and': not a marker expression" in line


def test_marker_expression_with_known_markers_runs(pytester: pytest.Pytester) -> None:
    """Stage, topic and plugin markers (xdist_group, timeout) are known: the run goes on."""
    make_project(pytester)
    result = pytester.runpytest_subprocess("--env", "t", "-m", "predeploy and not xdist_group")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("predeploy and not intrusive", {"predeploy", "intrusive"}),
        ("(smoke or data) and not nothing", {"smoke", "data", "nothing"}),
        ('check(id="tls.ciphers") or security', {"check", "security"}),
    ],
)
def test_marker_names_without_pytest_idents(expression: str, names: set[str]) -> None:
    """The fallback for a pytest whose Expression has no idents() finds the same names."""
    from _pytest.mark.expression import Expression

    from gonogo.engine.invocation import _idents

    assert _idents(expression) == names == set(Expression.compile(expression).idents())


def test_every_waiver_problem_at_once(pytester: pytest.Pytester) -> None:
    """Missing keys, a bad date and an unknown check id, in the environment file and in the
    waivers file, are listed in one run (they used to come one round at a time)."""
    env = (
        "[[waivers]]\n"
        + 'check = "t.nope"\nreason = "ok ok"\napprover = "Ann"\n'  # no ticket, no expires
        + "[[waivers]]\n"
        + WAIVER.format(check="t.pass").replace("2999-01-01", '"soon"')
    )
    root = make_project(
        pytester,
        env=env,
        extra_files={
            "environments/t.waivers.toml": "[[waivers]]\n"
            + WAIVER.format(check="t.gone").replace('ticket = "C-1"\n', "")
        },
    )
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    lines = [line.strip() for line in result.stderr.lines if line.strip()]
    env_path, waivers_path = (
        root / "environments" / "t.toml",
        root / "environments" / "t.waivers.toml",
    )
    assert lines[0] == f"ERROR: {env_path}: 4 problems:"
    assert sorted(line.split(":")[0] for line in lines[1:5]) == [
        "waivers.0.check",
        "waivers.0.expires",
        "waivers.0.ticket",
        "waivers.1.expires",
    ]
    assert lines[5] == f"{waivers_path}: 2 problems:"
    assert sorted(line.split(":")[0] for line in lines[6:]) == [
        "waivers.0.check",
        "waivers.0.ticket",
    ]
    assert "waiver for unknown check id 't.gone'" in result.stderr.str()


def test_validate_finds_a_missing_ca_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gonogo validate` says what a run would refuse: a ca_bundle that does not exist (exit 4);
    a path from a variable not set here is a warning, as for secrets."""
    from gonogo.cli import main

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    env = tmp_path / "bad.toml"
    env.write_text('[web]\nbase_url = "https://example.test"\nca_bundle = "ca/bundle.pem"\n')
    assert main(["validate", "--env-file", str(env)]) == 4
    assert (
        f"web.ca_bundle: {tmp_path / 'ca' / 'bundle.pem'} does not exist" in capsys.readouterr().err
    )
    monkeypatch.delenv("GONOGO_TEST_CA", raising=False)
    env.write_text('[web]\nbase_url = "https://example.test"\nca_bundle = "${GONOGO_TEST_CA}"\n')
    assert main(["validate", "--env-file", str(env)]) == 0
    assert "not set here, validated with placeholders: GONOGO_TEST_CA" in capsys.readouterr().err


def test_relative_paths_are_beside_the_environment_file(tmp_path: Path) -> None:
    """ca_bundle = "ca.pem" means the ca.pem beside the file, wherever the gate is started."""
    shutil.copy("/etc/ssl/certs/ca-certificates.crt", tmp_path / "ca.pem")
    (tmp_path / "t.toml").write_text(
        '[web]\nbase_url = "https://example.test"\nca_bundle = "ca.pem"\n'
    )
    env = config.load(tmp_path / "t.toml", environ={})
    assert env.config.web is not None and env.config.web.ca_bundle == tmp_path / "ca.pem"


@pytest.mark.timeout(60)  # the bound: opening a FIFO for reading would block forever
def test_catalogue_file_that_is_a_fifo(tmp_path: Path) -> None:
    """A catalogue file that is a FIFO is a configuration error naming it, not a hang."""
    os.mkfifo(tmp_path / "x.toml")
    with pytest.raises(ConfigError, match=r"check catalogue .*x\.toml: cannot read a FIFO"):
        catalogue.load(tmp_path)
