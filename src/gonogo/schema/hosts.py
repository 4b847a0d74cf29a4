"""``[hosts.<role>]``: the machines of the system under test, checked through testinfra.

Each role lists its targets (``local://``, ``ssh://user@host[:port]``, ``paramiko://...``); every
target is checked alike, each as its own test instance (``host.disk[web:ssh://deploy@web1]``).
Defaults come from the deployment plans: 10 GB free disk, 2 GB available memory, 2 CPU cores,
Ubuntu 20.04 LTS "or equivalent", certificates valid for 30 more days.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from gonogo.schema.base import DAY, TIB, MustExist, Section

SCHEMES = ("local", "ssh", "paramiko")
_GB = 1000**3
_SIZE = re.compile(r"(?i)^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?\s*$")
_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": _GB, "tb": 1000**4}
_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_ROLE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def size_bytes(text: str | int) -> int:
    """``"10GB"`` -> 10_000_000_000, ``"2GiB"`` -> 2147483648; an integer is bytes."""
    if isinstance(text, int):
        return text
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size: write bytes, or 10GB, 512MiB...")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "b").lower()])


def free_threshold(text: str | int) -> tuple[int | None, float | None]:
    """``"10GB"`` -> (bytes, None); ``"15%"`` -> (None, 15.0)."""
    if isinstance(text, str) and (match := _PERCENT.match(text)):
        percent = float(match.group(1))
        if not 0 < percent < 100:
            raise ValueError(f"{text!r}: a percentage is between 0 and 100")
        return None, percent
    value = size_bytes(text)
    if not 0 <= value <= 1024 * TIB:
        raise ValueError(f"{text!r} is out of range")
    return value, None


def target_problem(value: str) -> str | None:
    """Why a host target cannot be used, or None."""
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in SCHEMES:
        return "must be local://, ssh://[user@]host[:port] or paramiko://[user@]host[:port]"
    if scheme == "local":
        return None if not rest else "local:// takes no host"
    host = rest.rpartition("@")[2]
    if not host or "/" in host or "?" in host:
        return "names no host (write ssh://user@host[:port])"
    name, port = host, ""
    if ":" in host and not host.endswith("]"):  # [::1] alone has colons but no port
        name, _, port = host.rpartition(":")
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            return f"port {port!r} is not a number from 1 to 65535"
    return None if name else "names no host (write ssh://user@host[:port])"


class HostRoleConfig(Section):
    """One role of machines (``[hosts.web]``): where they are and what each must show."""

    targets: list[str] = Field(
        min_length=1,
        description="local://, ssh://[user@]host[:port] or paramiko://[user@]host[:port]; each "
        "target is its own test instance of every host.* check",
    )
    identity_file: Annotated[Path | None, MustExist("file")] = Field(
        default=None,
        description="private key for ssh:// and paramiko:// (e.g. ${SSH_IDENTITY_FILE} from "
        "the secrets file)",
    )
    ssh_config: Annotated[Path | None, MustExist("file")] = Field(
        default=None, description="ssh_config(5) file: known hosts, jump hosts, user, port"
    )
    timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="connect timeout, and the wall-clock limit of each command on the host",
    )
    mounts: list[str] = Field(default_factory=lambda: ["/"], description="mount points to check")
    min_disk_free: str = Field(
        default="10GB",
        description='free space on each mount: a size ("10GB", "512MiB") or a percentage '
        '("15%") (plans: > 10 GB)',
    )
    min_memory_available: str = Field(
        default="2GB", description="MemAvailable of /proc/meminfo (plans: > 2 GB)"
    )
    min_cpus: int = Field(default=2, ge=1, le=4096, description="online CPUs (plans: 2 cores)")
    os_releases: list[str] = Field(
        default_factory=lambda: [
            "ubuntu 20.04",
            "ubuntu 22.04",
            "ubuntu 24.04",
            "debian 11",
            "debian 12",
            "debian 13",
        ],
        description='allowed "<ID> <VERSION_ID>" of /etc/os-release (a prefix: "rhel 9" '
        "matches 9.4) (plans: Ubuntu 20.04 LTS or equivalent)",
    )
    processes: list[str] = Field(
        default_factory=list, description="process names (comm, as ps -o comm shows) running"
    )
    ports: list[str] = Field(
        default_factory=list,
        description='listening sockets: "tcp://0.0.0.0:443", "tcp://127.0.0.1:5432", '
        '"udp://0.0.0.0:53", "unix:///run/app.sock" (the address must match the bind)',
    )
    max_clock_skew_s: float = Field(
        default=1.0, gt=0, le=DAY, description="host clock against the gate's clock"
    )
    sensitive_files: list[str] = Field(
        default_factory=list,
        description="files on the host that hold secrets: not readable by others",
    )
    sensitive_owner: str | None = Field(
        default=None, description="user that must own each secrets file"
    )
    cert_files: list[str] = Field(
        default_factory=list, description="PEM certificate files on the host"
    )
    min_cert_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="days each certificate file must stay valid; fewer is major (plans: renew "
        "at 30 days)",
    )
    cert_blocker_days: int = Field(
        default=7, ge=0, le=3650, description="fewer days left (or expired) is a blocker"
    )
    min_open_files: int = Field(
        default=65536,
        ge=1,
        le=2**31,
        description="soft RLIMIT_NOFILE of each required process (of the login shell without "
        "processes)",
    )
    firewall: Literal["nftables", "iptables", "ufw"] | None = Field(
        default=None, description="a firewall that must be active (None: not checked)"
    )
    max_security_updates: int | None = Field(
        default=None,
        ge=0,
        le=100_000,
        description="pending security updates allowed, where the package manager can say "
        "(apt); None: not checked",
    )

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        for target in value:
            problem = target_problem(target)
            if problem:
                raise ValueError(f"{target!r} {problem}")
        if len(set(value)) != len(value):
            raise ValueError("a target is listed twice")
        return value

    @field_validator("min_disk_free")
    @classmethod
    def _disk(cls, value: str) -> str:
        free_threshold(value)
        return value

    @field_validator("min_memory_available")
    @classmethod
    def _memory(cls, value: str) -> str:
        size_bytes(value)
        return value

    @field_validator("mounts", "sensitive_files", "cert_files")
    @classmethod
    def _absolute(cls, value: list[str]) -> list[str]:
        for path in value:
            if not path.startswith("/"):
                raise ValueError(f"{path!r} must be an absolute path on the host")
        return value

    @field_validator("ports")
    @classmethod
    def _ports(cls, value: list[str]) -> list[str]:
        for spec in value:
            if not re.fullmatch(r"(tcp|udp)://[^/\s]+:\d{1,5}|unix:///\S+", spec):
                raise ValueError(f"{spec!r} must be tcp://ADDRESS:PORT, udp://... or unix:///PATH")
        return value

    @property
    def disk_threshold(self) -> tuple[int | None, float | None]:
        return free_threshold(self.min_disk_free)

    @property
    def memory_bytes(self) -> int:
        return size_bytes(self.min_memory_available)


def role_problem(name: str) -> str | None:
    """Why ``[hosts.<name>]`` is not a usable role name, or None."""
    if _ROLE.fullmatch(name):
        return None
    return "must be a short lower-case name such as web or db (letters, digits, '_', '-')"
