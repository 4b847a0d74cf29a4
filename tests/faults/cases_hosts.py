"""Fault cases of the hosts (host.*) and the app's configuration (config.*), see cases.py.

Host faults are seen by both demo targets (local:// and ssh:// to the run's sshd): the fault
tests assert every instance of the check failed. Host behaviours no demo fault can produce (a
full disk, an old OS, a skewed clock...) are in test_host_env_overrides.py.
"""

from __future__ import annotations

from faults.cases import case

HOST_FILE = "infra/test_host.py"

HOSTS = [
    case("secrets-world-readable", "host.secrets-files", HOST_FILE),
    case("process-stopped", "host.processes", HOST_FILE),
]

# proven against real targets by tests/faults/test_host_env_overrides.py
HOST_OVERRIDES = {
    "host.disk",
    "host.memory",
    "host.cpu",
    "host.os",
    "host.ports",
    "host.clock",
    "host.cert-files",
    "host.fd-limits",
    "host.firewall",
    "host.security-updates",
}
