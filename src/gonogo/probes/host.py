"""Host facts through testinfra: capacity, OS, processes, sockets, clock, files, firewall, updates.

I/O only: :func:`collect` connects once (:mod:`gonogo.probes.hostconn`), gathers what the role's
section asks for and returns :class:`~gonogo.facts.host.HostFacts`; :mod:`gonogo.rules.host`
judges them. Processes are found with ``ps`` (by exact command name, as testinfra's ``process``
module filters ``comm``) in the same batch of commands as the basics, and sockets with testinfra's
``socket`` module (``ss``/``netstat``): never ``host.service``, which asks systemd, and systemd is
not PID 1 in a container (every service would read as stopped). Each command is a round trip
over ssh (about 0.1 s on loopback when the login shell reads a profile), so what can be one batch
is one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import shlex
import time
from collections.abc import Sequence
from typing import Any

from gonogo.errors import ProbeError
from gonogo.facts.host import (
    CertFileFacts,
    ClockFacts,
    HostFacts,
    MountFacts,
    ProcessFacts,
    SocketFacts,
)
from gonogo.probes import hostfirewall
from gonogo.probes.hostconn import Connection, HostTarget, connect

__all__ = ["HostTarget", "collect"]

MAX_CERT_BYTES = 256 * 1024
UNLIMITED = 2**62  # a soft limit of "unlimited"

_BASICS = """
echo "@hostname"; hostname 2>/dev/null || cat /proc/sys/kernel/hostname
echo "@os"; cat /etc/os-release 2>/dev/null
echo "@meminfo"; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo 2>/dev/null
echo "@cpus"; getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null
echo "@ulimit"; ulimit -Sn
echo "@timesync"
timedatectl show -p NTPSynchronized --value 2>/dev/null | sed 's/^/timedatectl /'
chronyc -n tracking 2>/dev/null | grep -i '^leap status' | sed 's/^/chronyc /'
"""


_PS = 'echo "@ps"; ps -A -o pid= -o comm= 2>/dev/null || echo "!failed"\n'


def collect(target: HostTarget) -> HostFacts:
    """Everything the ``host.*`` rules judge about ``target``; ProbeError when unreachable."""
    cfg = target.config
    with connect(target) as conn:
        script = _BASICS + (_PS if cfg.processes else "") + _per_path(cfg.mounts, cfg.cert_files)
        sections = _sections(conn.run(script, check=True)[1])
        clock = _clock(conn, sections)
        processes = _processes(conn, cfg.processes, sections)
        sockets = tuple(SocketFacts(s, _listening(conn, s)) for s in cfg.ports)
        secrets = conn.stat(cfg.sensitive_files)
        firewall = hostfirewall.state(conn, cfg.firewall) if cfg.firewall else None
        updates = hostfirewall.updates(conn) if cfg.max_security_updates is not None else None
    os_release = _os_release(sections.get("os", []))
    mem = _meminfo(sections.get("meminfo", []))
    return HostFacts(
        target=target.url,
        role=target.role,
        hostname=(sections.get("hostname") or [""])[0].strip(),
        mounts=tuple(_mount(path, sections.get(f"df {path}", [])) for path in cfg.mounts),
        mem_available_bytes=mem.get("MemAvailable"),
        mem_total_bytes=mem.get("MemTotal"),
        cpus=_int((sections.get("cpus") or [""])[0]),
        os_id=os_release.get("ID", ""),
        os_version=os_release.get("VERSION_ID", ""),
        os_pretty=os_release.get("PRETTY_NAME", ""),
        processes=processes,
        sockets=sockets,
        clock=clock,
        shell_open_files=_limit((sections.get("ulimit") or [""])[0]),
        sensitive_files=secrets,
        cert_files=tuple(_cert(p, sections.get(f"cert {p}", [])) for p in cfg.cert_files),
        firewall=firewall,
        updates=updates,
    )


def _per_path(mounts: Sequence[str], certs: Sequence[str]) -> str:
    lines = [f'echo "@df {m}"; df -P -B1 -- {shlex.quote(m)} 2>&1' for m in mounts]
    for path in certs:
        q = shlex.quote(path)
        lines.append(
            f'echo "@cert {path}"; if test -f {q}; then head -c {MAX_CERT_BYTES} -- {q} '
            '| base64 | tr -d "\\n"; echo; else echo "!missing"; fi'
        )
    return "\n".join([*lines, "exit 0"]) + "\n"  # a missing path is a fact, not a failure


def _sections(out: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in out.splitlines():
        if line.startswith("@"):
            current = sections.setdefault(line[1:], [])
        else:
            current.append(line)
    return sections


def _clock(conn: Connection, sections: dict[str, list[str]]) -> ClockFacts:
    before = time.time()
    _, out, _ = conn.run("date -u +%s.%N")
    after = time.time()
    try:
        remote = float(out.strip())
    except ValueError as err:
        raise ProbeError(f"host {conn.target.id}: date printed {out.strip()[:40]!r}") from err
    synced: bool | None = None
    source = "no timedatectl or chronyc answer (no systemd / chrony on the host)"
    for line in sections.get("timesync", []):
        tool, _, value = line.partition(" ")
        value = value.strip().lower()
        if tool == "timedatectl" and value in ("yes", "no"):
            synced, source = value == "yes", f"timedatectl NTPSynchronized={value}"
            break
        if tool == "chronyc" and value:
            synced, source = "normal" in value, f"chronyc {value}"
            break
    return ClockFacts(remote - (before + after) / 2, after - before, synced, source)


def _processes(
    conn: Connection, names: Sequence[str], sections: dict[str, list[str]]
) -> tuple[ProcessFacts, ...]:
    if not names:
        return ()
    listed = sections.get("ps", [])
    if "!failed" in listed:
        raise ProbeError(f"host {conn.target.id}: cannot list processes (ps -A failed)")
    found: dict[str, list[int]] = {name: [] for name in names}
    for line in listed:
        pid, _, comm = line.strip().partition(" ")
        if pid.isdigit() and comm.strip() in found:
            found[comm.strip()].append(int(pid))
    found = {name: sorted(pids) for name, pids in found.items()}
    pids = [pid for group in found.values() for pid in group]
    limits = _open_file_limits(conn, pids)
    return tuple(
        ProcessFacts(name, tuple(found[name]), tuple(limits.get(p) for p in found[name]))
        for name in names
    )


def _open_file_limits(conn: Connection, pids: Sequence[int]) -> dict[int, int | None]:
    if not pids:
        return {}
    script = (
        'for p in "$@"; do printf "%s " "$p"; '
        "awk '/^Max open files/ {print $4}' /proc/$p/limits 2>/dev/null || echo; echo; done"
    )
    _, out, _ = conn.run(f"set -- {' '.join(map(str, pids))}; {script}")
    limits: dict[int, int | None] = {}
    for line in out.splitlines():
        pid, _, value = line.strip().partition(" ")
        if pid.isdigit():
            limits[int(pid)] = _limit(value)
    return limits


def _listening(conn: Connection, spec: str) -> bool:
    try:
        return bool(conn.host.socket(spec).is_listening)
    except Exception as err:  # testinfra: no ss/netstat, or an address it cannot parse
        raise ProbeError(f"host {conn.target.id}: cannot list sockets ({spec}): {err}") from err


def _os_release(lines: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip('"').strip("'")
    values["ID"] = values.get("ID", "").lower()
    return values


def _meminfo(lines: list[str]) -> dict[str, int]:
    values = {}
    for line in lines:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return values


def _mount(path: str, lines: list[str]) -> MountFacts:
    for line in lines:
        parts = line.split()
        if len(parts) >= 6 and parts[1].isdigit() and parts[3].isdigit():
            return MountFacts(path, parts[5], int(parts[1]), int(parts[3]))
    said = " ".join(line for line in lines if not line.startswith("Filesystem")).strip()
    return MountFacts(path, "", 0, 0, error=said[:200] or "df printed nothing")


def _cert(path: str, lines: list[str]) -> CertFileFacts:
    text = "".join(lines).strip()
    if not text or text == "!missing":
        return CertFileFacts(path, error="missing (not a regular file)")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return CertFileFacts(path, error="unreadable")
    from cryptography import x509

    try:
        cert: Any = x509.load_pem_x509_certificate(data)
    except ValueError:
        try:
            cert = x509.load_der_x509_certificate(data)
        except ValueError:
            return CertFileFacts(path, error="no PEM or DER certificate in the file")
    not_after: dt.datetime = cert.not_valid_after_utc
    return CertFileFacts(path, subject=cert.subject.rfc4514_string(), not_after=not_after)


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _limit(text: str) -> int | None:
    """A soft limit as printed (``unlimited`` -> UNLIMITED; None: not readable)."""
    return UNLIMITED if text.strip() == "unlimited" else _int(text)
