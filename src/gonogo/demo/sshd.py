"""A private sshd on loopback: the demo's ``ssh://`` host, and the ssh path of the tests.

Debian's openssh-server, run in the foreground with its own config, host key, client key and
known_hosts under one directory: key login as the current user (root) only, no passwords, no
PAM, on ``127.0.0.1:<port>``. :func:`prepare` writes the files (also used by tests that start
their own sshd); :class:`Sshd` runs it as a demo component.
"""

from __future__ import annotations

import getpass
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gonogo.demo.procs import LOOPBACK, Processes
from gonogo.errors import DemoError

SSHD = "/usr/sbin/sshd"
COMPONENT = "sshd"
PRIVSEP_DIR = Path("/run/sshd")  # Debian's sshd refuses to start without it


@dataclass(frozen=True, slots=True)
class SshFiles:
    """What a client needs to reach the private sshd, and what the server runs with.

    Attributes:
        directory: where everything lives. port: the loopback port.
        identity_file: the client's private key. ssh_config: a client config (user, port,
            known_hosts) for ``ssh -F``. known_hosts: the server's host key, pinned.
        sshd_config: the server's config. user: the login user.
    """

    directory: Path
    port: int
    identity_file: Path
    ssh_config: Path
    known_hosts: Path
    sshd_config: Path
    user: str

    @property
    def url(self) -> str:
        return f"ssh://{self.user}@{LOOPBACK}:{self.port}"

    def argv(self) -> list[str]:
        return [SSHD, "-D", "-e", "-f", str(self.sshd_config)]


def prepare(directory: Path, port: int) -> SshFiles:
    """Write host key, client key, authorized_keys, sshd_config, ssh_config and known_hosts."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
    host_key, client_key = directory / "host_ed25519", directory / "id_ed25519"
    for key in (host_key, client_key):
        if not key.exists():
            _run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gonogo-demo", "-f", str(key)]
            )
    user = getpass.getuser()
    authorized = directory / "authorized_keys"
    authorized.write_text(client_key.with_suffix(".pub").read_text())
    authorized.chmod(0o600)
    sshd_config = directory / "sshd_config"
    sshd_config.write_text(
        f"Port {port}\nListenAddress {LOOPBACK}\nHostKey {host_key}\n"
        f"PidFile {directory / 'sshd.pid'}\nAuthorizedKeysFile {authorized}\n"
        f"AllowUsers {user}\nPermitRootLogin prohibit-password\nPubkeyAuthentication yes\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPrintMotd no\nX11Forwarding no\nAllowTcpForwarding no\n"
        "MaxStartups 50:30:100\nLogLevel ERROR\n"
    )
    known_hosts = directory / "known_hosts"
    host_pub = host_key.with_suffix(".pub").read_text().split()
    known_hosts.write_text(f"[{LOOPBACK}]:{port} {host_pub[0]} {host_pub[1]}\n")
    ssh_config = directory / "ssh_config"
    ssh_config.write_text(
        f"Host {LOOPBACK}\n  User {user}\n  Port {port}\n  IdentityFile {client_key}\n"
        f"  IdentitiesOnly yes\n  UserKnownHostsFile {known_hosts}\n"
        "  StrictHostKeyChecking yes\n  GlobalKnownHostsFile /dev/null\n  LogLevel ERROR\n"
    )
    return SshFiles(directory, port, client_key, ssh_config, known_hosts, sshd_config, user)


def answers(port: int) -> bool:
    """Whether an SSH server greets on the loopback port."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1.0) as sock:
            return sock.recv(8).startswith(b"SSH-")
    except OSError:
        return False


def _run(argv: list[str]) -> None:
    try:
        subprocess.run(argv, check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as err:
        raise DemoError(f"demo: {argv[0]} failed: {err}") from err


class Sshd:
    """The demo's sshd component (started and stopped by PID through ``Processes``)."""

    def __init__(self, directory: Path, log: Path, port: int, procs: Processes) -> None:
        self.directory, self.log, self.port, self.procs = directory, log, port, procs

    def files(self) -> SshFiles:
        """The client files (without creating anything: for variables before a start)."""
        d = self.directory
        return SshFiles(
            d,
            self.port,
            d / "id_ed25519",
            d / "ssh_config",
            d / "known_hosts",
            d / "sshd_config",
            getpass.getuser(),
        )

    def start(self, timeout: float = 15.0) -> int:
        if not Path(SSHD).exists():
            raise DemoError(f"demo: {SSHD} is missing (apt-get install openssh-server)")
        files = prepare(self.directory, self.port)
        pid = self.procs.spawn(COMPONENT, files.argv(), self.log, stop=signal.SIGTERM)
        self.procs.wait_until(
            COMPONENT,
            "greeting on its port",
            lambda: answers(self.port),
            timeout=timeout,
            log=self.log,
            gone=lambda: self.procs.exited(pid),
        )
        return pid
