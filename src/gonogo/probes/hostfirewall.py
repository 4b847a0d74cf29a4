"""A host's firewall state and its pending security updates (I/O only, through a Connection).

Firewall: ``nft list ruleset`` (a chain hooked on ``input``), ``iptables -S INPUT`` (a DROP or
REJECT policy or rule), ``ufw status`` (``Status: active``). A missing tool means no such firewall
(active False); a tool that refuses (not root) leaves it unverified (active None).

Updates: ``apt-get -s upgrade`` (simulated, no lock, no download) counts the upgrades that come
from a ``*-security`` suite; ``dnf updateinfo list --security`` on RPM hosts. Both read the
package lists as of their last refresh on the host.
"""

from __future__ import annotations

import re

from gonogo.facts.host import FirewallFacts, UpdatesFacts
from gonogo.probes.hostconn import Connection

_MISSING = 127  # sh: command not found
# resolving a whole upgrade takes apt 4 s of CPU; on a busy 2-core machine over 10 s
UPDATES_TIMEOUT_S = 120.0

_FIREWALL = {
    "nftables": "nft list ruleset",
    "iptables": "iptables -S INPUT",
    "ufw": "ufw status",
}


def state(conn: Connection, kind: str) -> FirewallFacts:
    """Whether the ``kind`` firewall is active on the host."""
    rc, out, _ = conn.run(_FIREWALL[kind] + " 2>&1")
    if rc == _MISSING:
        return FirewallFacts(kind, False, f"{_FIREWALL[kind].split()[0]} is not installed")
    if rc != 0:
        return FirewallFacts(kind, None, f"{_FIREWALL[kind]} failed: {out.strip()[:160]}")
    if kind == "nftables":
        hooked = re.findall(r"type filter hook input", out)
        return FirewallFacts(kind, bool(hooked), f"{len(hooked)} input filter chain(s)")
    if kind == "iptables":
        blocking = [
            line for line in out.splitlines() if re.search(r"(-P INPUT|-j) (DROP|REJECT)", line)
        ]
        return FirewallFacts(kind, bool(blocking), f"{len(blocking)} DROP/REJECT rule(s) on INPUT")
    active = bool(re.search(r"(?im)^status:\s*active", out))
    return FirewallFacts(kind, active, out.strip().splitlines()[0][:80] if out.strip() else "")


def updates(conn: Connection) -> UpdatesFacts:
    """Pending security updates, where the host's package manager can say."""
    _, out, _ = conn.run(
        "if command -v apt-get >/dev/null; then echo '@apt'; "
        "apt-get -s -o Debug::NoLocking=1 upgrade 2>/dev/null | grep '^Inst '; "
        "elif command -v dnf >/dev/null; then echo '@dnf'; "
        "dnf -q updateinfo list --security 2>/dev/null; else echo '@none'; fi",
        timeout_s=max(conn.timeout_s, UPDATES_TIMEOUT_S),
    )
    lines = out.splitlines()
    manager = lines[0][1:] if lines and lines[0].startswith("@") else "none"
    if manager == "apt":
        security = sorted(line.split()[1] for line in lines[1:] if re.search(r"(?i)securi", line))
        return UpdatesFacts("apt", len(security), tuple(security), "apt-get -s upgrade")
    if manager == "dnf":
        packages = sorted({line.split()[-1] for line in lines[1:] if line.strip()})
        return UpdatesFacts("dnf", len(packages), tuple(packages), "dnf updateinfo --security")
    return UpdatesFacts("none", None, (), "no apt-get or dnf on the host")
