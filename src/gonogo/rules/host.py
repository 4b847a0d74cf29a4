"""Host rules: facts from :func:`gonogo.probes.host.collect` + the role's ``[hosts.<role>]``.

Check ids served (one function each):

- ``host.disk``            free space on every configured mount >= ``min_disk_free`` (size or %)
- ``host.memory``          MemAvailable >= ``min_memory_available``
- ``host.cpu``             online CPUs >= ``min_cpus``
- ``host.os``              ``<ID> <VERSION_ID>`` of /etc/os-release in ``os_releases``
- ``host.processes``       every required process name has a running process
- ``host.ports``           every required socket listens
- ``host.clock``           skew against the gate's clock <= ``max_clock_skew_s``; the host's own
                           NTP status not "unsynchronized" when a tool reports it
- ``host.secrets-files``   each secrets file exists, is a regular file, gives others no access,
                           and is owned by ``sensitive_owner`` when set
- ``host.cert-files``      each certificate file valid >= ``min_cert_days`` (major below it,
                           blocker under ``cert_blocker_days`` or expired)
- ``host.fd-limits``       soft open-files limit >= ``min_open_files`` for each required process
                           (the login shell's when none is required)
- ``host.firewall``        the declared firewall is active
- ``host.security-updates`` pending security updates <= ``max_security_updates``
"""

from __future__ import annotations

import datetime as dt
import math

from gonogo.facts.host import HostFacts
from gonogo.model import Comparison, ErrorReason, Finding, Severity, compare, expect, info
from gonogo.schema.hosts import HostRoleConfig

GE, LE, IN = Comparison.GE, Comparison.LE, Comparison.IN
_GB = 1000**3
DAY_S = 86400


def _gb(value: int | None) -> float | None:
    return None if value is None else round(value / _GB, 2)


def _where(facts: HostFacts) -> Finding:
    return info("host", f"{facts.hostname or '?'} ({facts.role}: {facts.target})", facts.target)


def evaluate_disk(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    min_bytes, min_percent = cfg.disk_threshold
    found = [_where(facts)]
    for mount in facts.mounts:
        name = f"free:{mount.path}"
        if mount.error:
            found.append(
                expect(name, False, f"{mount.path}: {mount.error}", None, cfg.min_disk_free)
            )
            continue
        where = f"free on {mount.path}" + (
            f" (file system {mount.mounted_on})" if mount.mounted_on != mount.path else ""
        )
        if min_percent is not None:
            percent = (
                100.0 * mount.available_bytes / mount.total_bytes if mount.total_bytes else 0.0
            )
            found.append(compare(name, round(percent, 1), GE, min_percent, unit="%", what=where))
        else:
            assert min_bytes is not None
            found.append(
                compare(name, _gb(mount.available_bytes), GE, _gb(min_bytes), unit="GB", what=where)
            )
    return found


def evaluate_memory(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    return [
        _where(facts),
        compare(
            "mem_available",
            _gb(facts.mem_available_bytes),
            GE,
            _gb(cfg.memory_bytes),
            unit="GB",
            what=f"available memory (of {_gb(facts.mem_total_bytes)} GB)",
        ),
    ]


def evaluate_cpu(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    return [_where(facts), compare("cpus", facts.cpus, GE, cfg.min_cpus, what="online CPUs")]


def release_allowed(os_id: str, version: str, allowed: list[str]) -> bool:
    """``debian 12`` is allowed by ``debian 12``; ``rhel 9.4`` by ``rhel 9`` (a version prefix)."""
    for entry in allowed:
        want_id, _, want_version = entry.lower().partition(" ")
        if os_id == want_id and (
            not want_version or version == want_version or version.startswith(want_version + ".")
        ):
            return True
    return False


def evaluate_os(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    release = f"{facts.os_id} {facts.os_version}".strip()
    ok = bool(facts.os_id) and release_allowed(facts.os_id, facts.os_version, cfg.os_releases)
    shown = facts.os_pretty or release or "no /etc/os-release"
    why = f"{shown} ({release or 'unknown'}; allowed: {', '.join(cfg.os_releases)})"
    return [_where(facts), Finding("os_release", ok, why, release, cfg.os_releases, comparison=IN)]


def evaluate_processes(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    found = [_where(facts)]
    for proc in facts.processes:
        running = len(proc.pids)
        why = (
            f"{proc.name}: {running} process{'es' if running != 1 else ''} running"
            if running
            else f"{proc.name}: not running"
        )
        found.append(Finding(f"process:{proc.name}", running > 0, why, running, 1, "", GE))
    return found


def evaluate_ports(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    found = [_where(facts)]
    for sock in facts.sockets:
        why = f"{sock.spec} {'listening' if sock.listening else 'NOT listening'}"
        found.append(expect(f"listening:{sock.spec}", sock.listening, why, sock.listening, True))
    return found


def evaluate_clock(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    clock = facts.clock
    # the skew is known to within half the round trip: judge the part that is certain
    certain = max(0.0, abs(clock.skew_s) - clock.rtt_s / 2)
    found = [
        _where(facts),
        compare(
            "skew_s",
            round(certain, 3),
            LE,
            cfg.max_clock_skew_s,
            unit="s",
            what=f"clock skew against the gate (measured {clock.skew_s:+.3f} s, round trip {clock.rtt_s:.3f} s)",
        ),
    ]
    if clock.synchronized is None:
        found.append(info("ntp", f"sync status not reported: {clock.source}; judged by the skew"))
    else:
        state = "synchronized" if clock.synchronized else "NOT synchronized"
        found.append(
            expect(
                "ntp", clock.synchronized, f"NTP {state} ({clock.source})", clock.synchronized, True
            )
        )
    return found


def evaluate_sensitive_files(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    found = [_where(facts)]
    for f in facts.sensitive_files:
        if not f.exists or not f.is_file:
            what = "missing" if not f.exists else "not a regular file"
            found.append(expect(f"file:{f.path}", False, f"{f.path}: {what}", None, "regular file"))
            continue
        others = f.mode & 0o007
        mode = f"{f.mode:04o}"
        why = f"{f.path}: mode {mode}, {f.owner}:{f.group}"
        if others:
            why += (
                " (others may "
                + "/".join(
                    w for bit, w in ((4, "read"), (2, "write"), (1, "execute")) if others & bit
                )
                + " it)"
            )
        found.append(
            expect(f"mode:{f.path}", others == 0, why, mode, "no access for others (o-rwx)")
        )
        if cfg.sensitive_owner is not None:
            ok = f.owner == cfg.sensitive_owner
            found.append(
                expect(
                    f"owner:{f.path}",
                    ok,
                    f"{f.path}: owned by {f.owner} (required {cfg.sensitive_owner})",
                    f.owner,
                    cfg.sensitive_owner,
                )
            )
    return found


def evaluate_cert_files(facts: HostFacts, cfg: HostRoleConfig, now: dt.datetime) -> list[Finding]:
    found = [_where(facts)]
    for cert in facts.cert_files:
        name = f"days_left:{cert.path}"
        if cert.not_after is None:
            found.append(expect(name, False, f"{cert.path}: {cert.error}", None, cfg.min_cert_days))
            continue
        left_s = (cert.not_after - now).total_seconds()
        days = math.floor(abs(left_s) / DAY_S) * (1 if left_s > 0 else -1)
        until = cert.not_after.date().isoformat()
        severity: Severity | None = None
        if left_s <= 0:
            why, severity = f"{cert.path}: expired on {until}", Severity.BLOCKER
        elif days < cfg.cert_blocker_days:
            why, severity = (
                f"{cert.path}: expires in {days} days ({until}); under {cfg.cert_blocker_days} is a blocker",
                Severity.BLOCKER,
            )
        elif days < cfg.min_cert_days:
            why, severity = (
                f"{cert.path}: expires in {days} days ({until}); renew before {cfg.min_cert_days}",
                Severity.MAJOR,
            )
        else:
            why = f"{cert.path}: valid {days} more days ({until}; >= {cfg.min_cert_days} required)"
        found.append(
            Finding(
                name,
                severity is None,
                f"{why} [{cert.subject}]",
                days,
                cfg.min_cert_days,
                "days",
                GE,
                severity,
            )
        )
    return found


def evaluate_fd_limits(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    found = [_where(facts)]
    if not facts.processes:
        found.append(
            compare(
                "open_files:shell",
                facts.shell_open_files,
                GE,
                cfg.min_open_files,
                what="open-files soft limit of the login shell",
            )
        )
        return found
    for proc in facts.processes:
        if not proc.pids:
            found.append(
                Finding(
                    f"open_files:{proc.name}",
                    False,
                    f"{proc.name}: not running, its limit cannot be read",
                    None,
                    cfg.min_open_files,
                    unverified=ErrorReason.CONFIG,
                )
            )
            continue
        known = [v for v in proc.open_files if v is not None]
        lowest = min(known) if len(known) == len(proc.open_files) else None
        found.append(
            compare(
                f"open_files:{proc.name}",
                lowest,
                GE,
                cfg.min_open_files,
                what=f"open-files soft limit of {proc.name} (lowest of {len(proc.pids)})",
            )
        )
    return found


def evaluate_firewall(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    fw = facts.firewall
    if fw is None:
        return [_where(facts), info("firewall", "no firewall declared ([hosts] firewall)")]
    if fw.active is None:
        return [
            _where(facts),
            Finding(
                "active", False, f"{fw.kind}: {fw.detail}", None, True, unverified=ErrorReason.AUTH
            ),
        ]
    state = "active" if fw.active else "NOT active"
    return [
        _where(facts),
        expect("active", fw.active, f"{fw.kind} {state}: {fw.detail}", fw.active, True),
    ]


def evaluate_security_updates(facts: HostFacts, cfg: HostRoleConfig) -> list[Finding]:
    up = facts.updates
    if up is None or cfg.max_security_updates is None:
        return [_where(facts), info("updates", "not checked ([hosts] max_security_updates unset)")]
    if up.count is None:
        return [
            _where(facts),
            Finding(
                "security_updates",
                False,
                f"the package manager cannot say: {up.detail}",
                None,
                cfg.max_security_updates,
                unverified=ErrorReason.CONFIG,
            ),
        ]
    shown = ", ".join(up.packages[:10]) + (" ..." if len(up.packages) > 10 else "")
    finding = compare(
        "security_updates",
        up.count,
        LE,
        cfg.max_security_updates,
        what=f"pending security updates ({up.detail}{': ' + shown if shown else ''})",
    )
    return [_where(facts), finding]
