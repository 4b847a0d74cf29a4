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

CONFIG_FILE = "checks/test_appconfig.py"

CONFIG = [
    case("required-missing", "config.required", CONFIG_FILE),
    case("placeholder-secret", "config.placeholders", CONFIG_FILE),
    case("debug-true", "config.production-mode", CONFIG_FILE),
    case("log-level-debug", "config.log-level", CONFIG_FILE),
    case("short-jwt-secret", "config.secret-strength", CONFIG_FILE),
    case("test-key", "config.test-keys", CONFIG_FILE),
    case("cors-wildcard-config", "config.cors", CONFIG_FILE),
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
