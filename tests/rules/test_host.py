"""Table tests of the host rules: host facts built in memory -> which findings fail, how badly."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from gonogo.facts.host import (
    CertFileFacts,
    ClockFacts,
    FileFacts,
    FirewallFacts,
    HostFacts,
    MountFacts,
    ProcessFacts,
    SocketFacts,
    UpdatesFacts,
)
from gonogo.model import ErrorReason, Finding, Severity
from gonogo.rules import host as rules
from gonogo.schema.hosts import HostRoleConfig, free_threshold, size_bytes

GB = 1000**3
NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
BUILTINS = (str, int, float, bool, type(None), list, dict)


def cfg(**changes: Any) -> HostRoleConfig:
    return HostRoleConfig(targets=["local://"], **changes)


def facts(**changes: Any) -> HostFacts:
    """A healthy Debian 12 host: 50 GB free, 8 GB available, 4 CPUs, everything in order."""
    base = HostFacts(
        target="ssh://deploy@web1",
        role="web",
        hostname="web1",
        mounts=(MountFacts("/", "/", 100 * GB, 50 * GB),),
        mem_available_bytes=8 * GB,
        mem_total_bytes=16 * GB,
        cpus=4,
        os_id="debian",
        os_version="12",
        os_pretty="Debian GNU/Linux 12 (bookworm)",
        processes=(ProcessFacts("nginx", (10, 11), (65536, 65536)),),
        sockets=(SocketFacts("tcp://0.0.0.0:443", True),),
        clock=ClockFacts(0.02, 0.01, True, "timedatectl NTPSynchronized=yes"),
        shell_open_files=65536,
        sensitive_files=(FileFacts("/srv/app/.env", True, 0o600, "app", "app"),),
        cert_files=(CertFileFacts("/etc/ssl/app.pem", "CN=app", NOW + dt.timedelta(days=60)),),
        firewall=FirewallFacts("nftables", True, "1 input filter chain(s)"),
        updates=UpdatesFacts("apt", 0, (), "apt-get -s upgrade"),
    )
    return dataclasses.replace(base, **changes)


def failing(found: list[Finding]) -> dict[str, Severity | None]:
    """Names of the failed findings -> their severity override; every value is a builtin."""
    for f in found:
        assert isinstance(f.measured, BUILTINS) and isinstance(f.threshold, BUILTINS), f
    return {f.name: f.severity for f in found if not f.ok}


RULES = {
    "disk": rules.evaluate_disk,
    "memory": rules.evaluate_memory,
    "cpu": rules.evaluate_cpu,
    "os": rules.evaluate_os,
    "processes": rules.evaluate_processes,
    "ports": rules.evaluate_ports,
    "clock": rules.evaluate_clock,
    "secrets": rules.evaluate_sensitive_files,
    "fd": rules.evaluate_fd_limits,
    "firewall": rules.evaluate_firewall,
    "updates": rules.evaluate_security_updates,
}

CASES = [
    # rule, facts changes, config changes, expected failing names
    ("disk", {}, {}, {}),
    ("disk", {"mounts": (MountFacts("/", "/", 100 * GB, 9 * GB),)}, {}, {"free:/": None}),
    ("disk", {"mounts": (MountFacts("/", "/", 100 * GB, 10 * GB),)}, {}, {}),
    ("disk", {"mounts": (MountFacts("/", "/", 100 * GB, 9 * GB),)}, {"min_disk_free": "5%"}, {}),
    ("disk", {"mounts": (MountFacts("/", "/", 100 * GB, 4 * GB),)}, {"min_disk_free": "5%"}, {"free:/": None}),
    ("disk", {"mounts": (MountFacts("/data", "", 0, 0, "No such file or directory"),)}, {}, {"free:/data": None}),
    ("disk", {"mounts": (MountFacts("/", "/", 0, 0),)}, {"min_disk_free": "1%"}, {"free:/": None}),
    ("memory", {}, {}, {}),
    ("memory", {"mem_available_bytes": 1 * GB}, {}, {"mem_available": None}),
    ("memory", {"mem_available_bytes": None}, {}, {"mem_available": None}),
    ("memory", {"mem_available_bytes": 1 * GB}, {"min_memory_available": "512MiB"}, {}),
    ("cpu", {}, {}, {}),
    ("cpu", {"cpus": 1}, {}, {"cpus": None}),
    ("cpu", {"cpus": None}, {}, {"cpus": None}),
    ("cpu", {"cpus": 4}, {"min_cpus": 8}, {"cpus": None}),
    ("os", {}, {}, {}),
    ("os", {"os_id": "ubuntu", "os_version": "18.04"}, {}, {"os_release": None}),
    ("os", {"os_id": "centos", "os_version": "7"}, {}, {"os_release": None}),
    ("os", {"os_id": "rhel", "os_version": "9.4"}, {"os_releases": ["rhel 9"]}, {}),
    ("os", {"os_id": "rhel", "os_version": "90"}, {"os_releases": ["rhel 9"]}, {"os_release": None}),
    ("os", {"os_id": "", "os_version": ""}, {}, {"os_release": None}),
    ("os", {"os_id": "debian", "os_version": "12"}, {"os_releases": ["Debian"]}, {}),
    ("processes", {}, {}, {}),
    ("processes", {"processes": (ProcessFacts("nginx", (), ()),)}, {}, {"process:nginx": None}),
    ("ports", {}, {}, {}),
    ("ports", {"sockets": (SocketFacts("tcp://0.0.0.0:443", False),)}, {}, {"listening:tcp://0.0.0.0:443": None}),
    ("clock", {}, {}, {}),
    ("clock", {"clock": ClockFacts(3.0, 0.01, None, "none")}, {}, {"skew_s": None}),
    ("clock", {"clock": ClockFacts(-3.0, 0.01, None, "none")}, {}, {"skew_s": None}),
    ("clock", {"clock": ClockFacts(1.4, 1.0, None, "none")}, {}, {}),  # within half the round trip
    ("clock", {"clock": ClockFacts(0.0, 0.01, False, "timedatectl NTPSynchronized=no")}, {}, {"ntp": None}),
    ("clock", {"clock": ClockFacts(3.0, 0.01, None, "none")}, {"max_clock_skew_s": 5}, {}),
    ("secrets", {}, {}, {}),
    ("secrets", {"sensitive_files": (FileFacts("/e", True, 0o644, "app", "app"),)}, {}, {"mode:/e": None}),
    ("secrets", {"sensitive_files": (FileFacts("/e", True, 0o602, "app", "app"),)}, {}, {"mode:/e": None}),
    ("secrets", {"sensitive_files": (FileFacts("/e", True, 0o640, "app", "app"),)}, {}, {}),
    ("secrets", {"sensitive_files": (FileFacts("/e", False),)}, {}, {"file:/e": None}),
    ("secrets", {"sensitive_files": (FileFacts("/e", True, 0o700, "app", "app", is_file=False),)}, {}, {"file:/e": None}),
    ("secrets", {"sensitive_files": (FileFacts("/e", True, 0o600, "root", "root"),)}, {"sensitive_owner": "app"}, {"owner:/e": None}),
    ("secrets", {}, {"sensitive_owner": "app"}, {}),
    ("fd", {}, {}, {}),
    ("fd", {"processes": (ProcessFacts("nginx", (1, 2), (65536, 1024)),)}, {}, {"open_files:nginx": None}),
    ("fd", {"processes": (ProcessFacts("nginx", (1,), (None,)),)}, {}, {"open_files:nginx": None}),
    ("fd", {"processes": (ProcessFacts("nginx", (1,), (2**62,)),)}, {}, {}),
    ("fd", {"processes": (), "shell_open_files": 1024}, {}, {"open_files:shell": None}),
    ("fd", {"processes": (), "shell_open_files": 1024}, {"min_open_files": 1024}, {}),
    ("fd", {"processes": (ProcessFacts("nginx", (), ()),)}, {}, {"open_files:nginx": None}),
    ("firewall", {}, {"firewall": "nftables"}, {}),
    ("firewall", {"firewall": FirewallFacts("ufw", False, "Status: inactive")}, {"firewall": "ufw"}, {"active": None}),
    ("firewall", {"firewall": FirewallFacts("nftables", None, "Operation not permitted")}, {"firewall": "nftables"}, {"active": None}),
    ("updates", {}, {"max_security_updates": 0}, {}),
    ("updates", {"updates": UpdatesFacts("apt", 3, ("libssl3", "openssl", "zlib1g"), "apt")}, {"max_security_updates": 0}, {"security_updates": None}),
    ("updates", {"updates": UpdatesFacts("apt", 3, ("a", "b", "c"), "apt")}, {"max_security_updates": 5}, {}),
    ("updates", {"updates": UpdatesFacts("none", None, (), "no apt-get or dnf")}, {"max_security_updates": 0}, {"security_updates": None}),
]


@pytest.mark.parametrize(
    ("rule", "changes", "config", "expected"),
    CASES,
    ids=[f"{c[0]}-{i}-{'-'.join(c[3]) or 'ok'}" for i, c in enumerate(CASES)],
)
def test_host_rules(rule: str, changes: dict[str, Any], config: dict[str, Any], expected: dict[str, Any]) -> None:
    """Each host rule fails exactly the findings its table row names (and records builtins only)."""
    assert failing(RULES[rule](facts(**changes), cfg(**config))) == expected


CERT_CASES = [
    (60, {}),
    (30, {}),
    (29, {"days_left:/etc/ssl/app.pem": Severity.MAJOR}),
    (6, {"days_left:/etc/ssl/app.pem": Severity.BLOCKER}),
    (-2, {"days_left:/etc/ssl/app.pem": Severity.BLOCKER}),
]


@pytest.mark.parametrize(("days", "expected"), CERT_CASES, ids=[f"{d}-days" for d, _ in CERT_CASES])
def test_cert_files_are_graded_like_served_certificates(days: int, expected: dict[str, Any]) -> None:
    """A certificate file under 30 days is major, under 7 days or expired a blocker."""
    cert = CertFileFacts("/etc/ssl/app.pem", "CN=app", NOW + dt.timedelta(days=days, hours=1))
    assert failing(rules.evaluate_cert_files(facts(cert_files=(cert,)), cfg(), NOW)) == expected


def test_unreadable_cert_file_fails() -> None:
    """A missing certificate file fails (a file that cannot be read is not a valid certificate)."""
    cert = CertFileFacts("/etc/ssl/app.pem", error="missing (not a regular file)")
    assert failing(rules.evaluate_cert_files(facts(cert_files=(cert,)), cfg(), NOW)) == {"days_left:/etc/ssl/app.pem": None}


def test_unverified_findings_carry_a_reason() -> None:
    """A firewall tool that refuses and a package manager that cannot say are unverified, not failed."""
    fw = rules.evaluate_firewall(facts(firewall=FirewallFacts("nftables", None, "denied")), cfg(firewall="nftables"))
    up = rules.evaluate_security_updates(facts(updates=UpdatesFacts("none", None, (), "x")), cfg(max_security_updates=0))
    assert [f.unverified for f in fw if not f.ok] == [ErrorReason.AUTH]
    assert [f.unverified for f in up if not f.ok] == [ErrorReason.CONFIG]


def test_evidence_names_the_host_and_the_threshold() -> None:
    """Every host finding list starts with the host, and a disk finding gives measured and threshold."""
    found = rules.evaluate_disk(facts(), cfg())
    assert found[0].measured == "ssh://deploy@web1"
    assert (found[1].measured, found[1].threshold, found[1].unit) == (50.0, 10.0, "GB")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10GB", (10 * GB, None)), ("512MiB", (512 * 1024**2, None)), ("15%", (None, 15.0)), ("0", (0, None))],
)
def test_free_thresholds_parse(text: str, expected: tuple[int | None, float | None]) -> None:
    """Disk thresholds are sizes in SI or IEC units, or a percentage."""
    assert free_threshold(text) == expected


@pytest.mark.parametrize("text", ["10 parsecs", "-1GB", "150%", "0%", ""])
def test_bad_sizes_are_refused(text: str) -> None:
    """A size or percentage that means nothing is a configuration error."""
    with pytest.raises(ValueError):
        free_threshold(text) if "%" in text else size_bytes(text)


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("local://", None),
        ("ssh://deploy@web1.internal", None),
        ("ssh://web1", None),
        ("ssh://deploy@10.0.0.5:2222", None),
        ("paramiko://deploy@[::1]:22", None),
        ("ssh://deploy@web1:0", "port"),
        ("ssh://deploy@web1:ssh", "port"),
        ("ssh://deploy@", "no host"),
        ("ssh://deploy@:22", "no host"),
        ("docker://web", "must be"),
        ("web1", "must be"),
        ("local://web1", "no host"),
    ],
)
def test_targets_are_validated(target: str, problem: str | None) -> None:
    """A host target is local://, ssh:// or paramiko:// with a host and a sound port."""
    from gonogo.schema.hosts import target_problem

    found = target_problem(target)
    assert (found is None) if problem is None else (found is not None and problem in found), found
