"""Redis facts, gathered once per run (PING, INFO and an unauthenticated attempt) for every
``redis.*`` check; names the check's target (``host:port/db``, never the password)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.probes import redis

if TYPE_CHECKING:
    from gonogo.facts.redis import RedisFacts
    from gonogo.gate import Gate


def facts(gate: Gate) -> RedisFacts:
    """What the configured Redis shows."""
    cfg = gate.require("redis")
    target = redis.target_of(cfg.url)
    gate.target(target)
    return gate.shared(f"redis:{target}", lambda: redis.collect(cfg))
