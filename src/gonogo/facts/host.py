"""What one host showed through testinfra (:mod:`gonogo.probes.host` → :mod:`gonogo.rules.host`).

Only what the role's section asks for is gathered: a role without ``processes`` has no process
facts, one without ``firewall`` no firewall facts (None).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MountFacts:
    """``df -P -B1`` of one configured mount point.

    Attributes:
        path: the configured path. mounted_on: the mount point df reports for it (a path that
            is not itself a mount point shows the file system that holds it).
        total_bytes / available_bytes: size and space available to unprivileged users.
        error: why the path could not be measured (missing), else None.
    """

    path: str
    mounted_on: str
    total_bytes: int
    available_bytes: int
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ProcessFacts:
    """Processes whose name (``comm``) is a required one, and their open-files soft limit."""

    name: str
    pids: tuple[int, ...]
    open_files: tuple[int | None, ...]  # per pid: soft RLIMIT_NOFILE (None: unlimited/unread)


@dataclass(frozen=True, slots=True)
class SocketFacts:
    """One required listening socket (``tcp://0.0.0.0:443``) and whether it listens."""

    spec: str
    listening: bool


@dataclass(frozen=True, slots=True)
class FileFacts:
    """Owner and mode of one secrets file (``exists`` False: the rest is empty)."""

    path: str
    exists: bool
    mode: int = 0
    owner: str = ""
    group: str = ""
    is_file: bool = True


@dataclass(frozen=True, slots=True)
class CertFileFacts:
    """The first certificate of one PEM file on the host (``error``: missing or unreadable)."""

    path: str
    subject: str = ""
    not_after: dt.datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ClockFacts:
    """The host's clock against the gate's, and what its sync daemon says.

    Attributes:
        skew_s: host time minus the gate's time at the middle of the exchange.
        rtt_s: the exchange's round trip (the skew is known to within half of it).
        synchronized: the host's own NTP status (timedatectl, chronyc); None: no tool said.
        source: which tool said it, or why none did.
    """

    skew_s: float
    rtt_s: float
    synchronized: bool | None
    source: str


@dataclass(frozen=True, slots=True)
class FirewallFacts:
    """The declared firewall's state: active, and what showed it (``detail``)."""

    kind: str
    active: bool | None  # None: the tool is missing or refused (not verified)
    detail: str


@dataclass(frozen=True, slots=True)
class UpdatesFacts:
    """Pending security updates as the package manager says (``count`` None: it cannot say)."""

    manager: str
    count: int | None
    packages: tuple[str, ...]
    detail: str


@dataclass(frozen=True, slots=True)
class HostFacts:
    """Everything the ``host.*`` rules judge, for one target of one role.

    Attributes:
        target: the target as configured (``ssh://deploy@web1``); role: its ``[hosts.<role>]``.
        hostname: what the host calls itself.
        mounts / mem_available_bytes / mem_total_bytes / cpus: capacity.
        os_id / os_version / os_pretty: /etc/os-release ``ID``, ``VERSION_ID``, ``PRETTY_NAME``.
        processes / sockets: the required ones, as found.
        clock: skew and sync status. shell_open_files: ``ulimit -Sn`` of the login shell.
        sensitive_files / cert_files: the configured files, as found.
        firewall / updates: None when the role does not ask for them.
    """

    target: str
    role: str
    hostname: str
    mounts: tuple[MountFacts, ...]
    mem_available_bytes: int | None
    mem_total_bytes: int | None
    cpus: int | None
    os_id: str
    os_version: str
    os_pretty: str
    processes: tuple[ProcessFacts, ...]
    sockets: tuple[SocketFacts, ...]
    clock: ClockFacts
    shell_open_files: int | None
    sensitive_files: tuple[FileFacts, ...]
    cert_files: tuple[CertFileFacts, ...]
    firewall: FirewallFacts | None = None
    updates: UpdatesFacts | None = None
