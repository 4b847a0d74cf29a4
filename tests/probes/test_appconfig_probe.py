"""The config-lint probe reads the env file locally and on a host over ssh (a real sshd on
loopback), registers its secrets with the run's redactor, and fails closed on a missing file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo import redact
from gonogo.demo.sshd import SshFiles
from gonogo.errors import ProbeError
from gonogo.probes.appconfig import collect
from gonogo.probes.hostconn import HostTarget
from gonogo.schema.appconfig import AppConfigConfig
from gonogo.schema.hosts import HostRoleConfig
from probes.sshserver import running_sshd

JWT = "Zq8-remote-jwt-" + "a" * 49


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshFiles]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as files:
        yield files


def _files(tmp_path: Path) -> tuple[Path, Path]:
    prod, staging = tmp_path / ".env.production", tmp_path / ".env.staging"
    prod.write_text(f"JWT_SECRET={JWT}\nDATABASE_URL=postgresql://app:Pw-in-url-123@db/app\n")
    staging.write_text("JWT_SECRET=other\n")
    return prod, staging


def test_local_and_remote_read_the_same(tmp_path: Path, sshd: SshFiles) -> None:
    """The file read over ssh parses as the local read does; the source names the host."""
    prod, staging = _files(tmp_path)
    cfg = AppConfigConfig(env_file=prod, staging_file=staging)
    role = HostRoleConfig(
        targets=[sshd.url], identity_file=sshd.identity_file, ssh_config=sshd.ssh_config
    )
    local = collect(cfg, None)
    remote = collect(cfg, HostTarget("app", sshd.url, role))
    assert {k: v.text for k, v in remote.production.values.items()} == {
        k: v.text for k, v in local.production.values.items()
    }
    assert remote.production.source.startswith("app:ssh://") and remote.staging is not None


def test_secrets_are_registered_with_the_redactor(tmp_path: Path) -> None:
    """Reading the file teaches the run's redactor its secret values and URL passwords."""
    prod, _ = _files(tmp_path)
    redactor = redact.Redactor()
    stop = redact.listen(redactor)
    try:
        collect(AppConfigConfig(env_file=prod), None)
    finally:
        stop()
    assert redactor.text(f"x {JWT} y") == "x *** y"
    assert "Pw-in-url-123" not in redactor.text("password Pw-in-url-123 here")


@pytest.mark.parametrize("remote", [False, True], ids=["local", "ssh"])
def test_missing_file_is_an_error(tmp_path: Path, sshd: SshFiles, remote: bool) -> None:
    """A missing env file is a ProbeError naming it (the check errors, never passes)."""
    cfg = AppConfigConfig(env_file=tmp_path / "absent.env")
    role = HostRoleConfig(
        targets=[sshd.url], identity_file=sshd.identity_file, ssh_config=sshd.ssh_config
    )
    host = HostTarget("app", sshd.url, role) if remote else None
    with pytest.raises(ProbeError, match=r"absent\.env"):
        collect(cfg, host)
