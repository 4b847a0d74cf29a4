"""The host probe against real hosts: this machine (local://) and a private sshd on loopback
(ssh:// and paramiko://), including a wrong key, a closed port and a path that is missing."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.demo.sshd import SshFiles
from gonogo.errors import ProbeAuthError, ProbeError, ProbeRefused
from gonogo.probes import hostconn
from gonogo.probes.host import collect
from gonogo.probes.hostconn import HostTarget
from gonogo.schema.hosts import HostRoleConfig
from probes.datastack import free_port
from probes.sshserver import running_sshd


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshFiles]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as files:
        yield files


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP socket listening on 127.0.0.1 (a port the probe must see)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _role(tmp_path: Path, port: int, **changes: object) -> HostRoleConfig:
    secret = tmp_path / "app.env"
    secret.write_text("X=1\n")
    secret.chmod(0o600)
    values: dict[str, object] = {
        "targets": ["local://"],
        "mounts": ["/", str(tmp_path)],
        "processes": ["sshd"],
        "ports": [f"tcp://127.0.0.1:{port}"],
        "sensitive_files": [str(secret)],
    }
    return HostRoleConfig(**(values | changes))  # type: ignore[arg-type]


def test_local_host_facts(tmp_path: Path, sshd: SshFiles, listener: int) -> None:
    """local:// reads this machine: mounts, memory, CPUs, OS, a running sshd, a listening
    port, the clock within a second, a 0600 secrets file owned by the current user."""
    facts = collect(HostTarget("app", "local://", _role(tmp_path, listener)))
    assert [m.error for m in facts.mounts] == [None, None] and facts.mounts[0].total_bytes > 0
    assert facts.cpus == os.cpu_count() and facts.mem_available_bytes
    assert facts.os_id == "debian" and facts.os_version
    assert facts.processes[0].name == "sshd" and facts.processes[0].pids
    assert [s.listening for s in facts.sockets] == [True]
    assert abs(facts.clock.skew_s) < 1 + facts.clock.rtt_s
    assert facts.sensitive_files[0].mode == 0o600 and facts.sensitive_files[0].exists


@pytest.mark.parametrize("scheme", ["ssh", "paramiko"])
@pytest.mark.filterwarnings("ignore:Unknown ssh-ed25519 host key")  # paramiko's WarningPolicy
def test_ssh_host_facts(tmp_path: Path, sshd: SshFiles, listener: int, scheme: str) -> None:
    """ssh:// (OpenSSH, host key pinned in known_hosts) and paramiko:// read the same facts
    over a real sshd as local:// reads locally."""
    url = f"{scheme}://{sshd.user}@127.0.0.1:{sshd.port}"
    role = _role(tmp_path, listener, identity_file=sshd.identity_file, ssh_config=sshd.ssh_config)
    facts = collect(HostTarget("app", url, role))
    local = collect(HostTarget("app", "local://", role))
    assert facts.target == url and facts.hostname == local.hostname
    assert (facts.os_id, facts.cpus) == (local.os_id, local.cpus)
    assert [s.listening for s in facts.sockets] == [True]
    assert facts.sensitive_files == local.sensitive_files


def test_world_readable_file_and_missing_mount_show(tmp_path: Path, listener: int) -> None:
    """A secrets file made world-readable shows its mode; a mount that does not exist says so."""
    role = _role(tmp_path, listener, processes=[], mounts=[str(tmp_path / "nope")])
    (tmp_path / "app.env").chmod(0o644)
    facts = collect(HostTarget("app", "local://", role))
    assert stat.S_IMODE(facts.sensitive_files[0].mode) == 0o644
    assert facts.mounts[0].error and "No such file" in facts.mounts[0].error


def test_wrong_key_is_an_auth_error(tmp_path: Path, sshd: SshFiles) -> None:
    """A key the server does not know: ProbeAuthError naming the host, never a hang."""
    other = tmp_path / "other"
    os.system(f"ssh-keygen -q -t ed25519 -N '' -f {other}")
    role = HostRoleConfig(targets=["local://"], identity_file=other, ssh_config=sshd.ssh_config)
    # IdentitiesOnly with the config's key replaced by -i: only the wrong key is offered
    role_text = sshd.ssh_config.read_text().replace(str(sshd.identity_file), str(other))
    config = tmp_path / "ssh_config"
    config.write_text(role_text)
    role = role.model_copy(update={"ssh_config": config})
    with pytest.raises(ProbeAuthError, match=r"127\.0\.0\.1"):
        collect(HostTarget("app", f"ssh://{sshd.user}@127.0.0.1:{sshd.port}", role))


def test_closed_port_is_refused(tmp_path: Path, sshd: SshFiles) -> None:
    """Nothing listening on the ssh port: ProbeRefused, not a pass and not a hang."""
    role = HostRoleConfig(targets=["local://"], ssh_config=sshd.ssh_config, timeout_s=5)
    with pytest.raises(ProbeRefused):
        collect(HostTarget("app", f"ssh://{sshd.user}@127.0.0.1:{free_port()}", role))


def test_read_file_and_stat(tmp_path: Path, sshd: SshFiles) -> None:
    """Another family reads a file and stats a command over the host connection."""
    tool = tmp_path / "rollback.sh"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    role = HostRoleConfig(
        targets=["local://"], identity_file=sshd.identity_file, ssh_config=sshd.ssh_config
    )
    target = HostTarget("app", f"ssh://{sshd.user}@127.0.0.1:{sshd.port}", role)
    with hostconn.connect(target) as conn:
        found, missing = conn.stat([str(tool), str(tmp_path / "absent")])
        assert found.exists and found.mode & 0o111 and not missing.exists
        assert conn.read_file(str(tool), 1024) == b"#!/bin/sh\n"
        with pytest.raises(ProbeError, match="not a regular file"):
            conn.read_file(str(tmp_path / "absent"), 1024)
        with pytest.raises(ProbeError, match="larger than 4 bytes"):
            conn.read_file(str(tool), 4)
