"""The application's env files, read once per run for every ``config.*`` check; names the
check's target (the file, and the host it was read on)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.probes import appconfig
from gonogo.probes.hostconn import HostTarget

if TYPE_CHECKING:
    from gonogo.facts.appconfig import AppConfigFacts
    from gonogo.gate import Gate


def facts(gate: Gate) -> AppConfigFacts:
    """What the production env file (and the staging one, when given) holds."""
    cfg = gate.require("app_config")
    host = None
    if cfg.host is not None:
        # the schema refuses a host that names no [hosts.<role>]: no require(), no n/a here
        role = (gate.config.hosts or {})[cfg.host]
        host = HostTarget(cfg.host, role.targets[0], role)
    where = f"{host.url} " if host else ""
    gate.target(f"{where}{cfg.env_file}")
    return gate.shared(f"app_config:{where}{cfg.env_file}", lambda: appconfig.collect(cfg, host))
