"""What a Redis server showed: PING, INFO and an unauthenticated attempt (:mod:`gonogo.probes.redis`
→ :mod:`gonogo.rules.redis`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReplicaFacts:
    """One ``slaveN`` line of INFO replication (offset lag in bytes, seconds since last ack)."""

    address: str
    state: str
    offset_lag: int
    lag_s: int


@dataclass(frozen=True, slots=True)
class RedisFacts:
    """Everything the ``redis.*`` rules judge.

    Attributes:
        target: ``host:port/db`` (never the password).
        rtt_ms: median PING round trip.
        version: ``redis_version``.
        auth_required: an unauthenticated PING was refused (``auth_detail`` says how it went).
        aof_enabled / aof_last_write_status / aof_last_rewrite_status: INFO persistence.
        rdb_configured: ``save`` is not empty (None: CONFIG is not allowed for our user).
        rdb_last_bgsave_status / rdb_last_save_age_s / rdb_changes_since_last_save: INFO
            persistence, the age measured on the server's clock (TIME).
        role: ``master`` or ``slave``; replicas: the master's view of its replicas.
        master_link_status / master_last_io_s: the replica's view of its master (else None).
        maxmemory / maxmemory_policy / used_memory: INFO memory.
        rejected_connections: INFO stats, since the server started.
    """

    target: str
    rtt_ms: float
    version: str
    auth_required: bool
    auth_detail: str
    aof_enabled: bool
    aof_last_write_status: str | None
    aof_last_rewrite_status: str | None
    rdb_configured: bool | None
    rdb_last_bgsave_status: str | None
    rdb_last_save_age_s: float | None
    rdb_changes_since_last_save: int
    role: str
    replicas: tuple[ReplicaFacts, ...]
    master_link_status: str | None
    master_last_io_s: int | None
    maxmemory: int
    maxmemory_policy: str
    used_memory: int
    rejected_connections: int
