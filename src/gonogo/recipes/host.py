"""Host facts, gathered once per run per target (one testinfra connection) for every ``host.*``
check; names the check's target (``role:url``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.probes import host

if TYPE_CHECKING:
    from gonogo.facts.host import HostFacts
    from gonogo.gate import Gate
    from gonogo.probes.hostconn import HostTarget


def facts(gate: Gate, target: HostTarget | None) -> HostFacts:
    """What ``target`` shows (not applicable without ``[hosts]``)."""
    if target is None:
        gate.require("hosts")
        raise AssertionError("unreachable: [hosts] declares no target")  # require() skipped
    gate.target(target.url)
    return gate.shared(f"host:{target.id}", lambda: host.collect(target))
