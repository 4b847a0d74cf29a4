"""Redis rules: facts from :func:`gonogo.probes.redis.collect` + ``[redis]`` thresholds.

Check ids served:

- ``redis.ping``         PING answered within ``max_rtt_ms``
- ``redis.version``      server version >= ``min_version`` (plans: 6.0+)
- ``redis.auth``         an unauthenticated connection is refused (when ``require_auth``)
- ``redis.persistence``  AOF on and its last write ok (plans: AOF enabled); RDB saves ok and recent

``redis.persistence`` is a major check whose AOF findings (AOF off, last AOF write failed)
escalate to blocker: without a working AOF a restart loses the writes since the last snapshot
(plans: "Persistence: AOF enabled"). A Redis used only as a disposable cache sets
``require_aof = false``. RDB findings stay major.
- ``redis.replication``  expected role; online replicas >= ``min_replicas``, their lag small
- ``redis.memory``       maxmemory set and at least ``min_maxmemory``, policy as configured, usage
                         under the ratio, no rejections
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.model import Comparison, Finding, Severity, compare, expect, info
from gonogo.schema.data import RedisConfig

if TYPE_CHECKING:
    from gonogo.facts.redis import RedisFacts

LE, GE, EQ = Comparison.LE, Comparison.GE, Comparison.EQ


def version_tuple(text: str) -> tuple[int, ...]:
    """``7.0.15`` -> (7, 0, 15); stops at the first part that is not a number."""
    parts: list[int] = []
    for part in text.split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def evaluate_ping(facts: RedisFacts, t: RedisConfig) -> list[Finding]:
    return [
        info("target", f"PONG from {facts.target}", facts.target),
        compare("rtt_ms", facts.rtt_ms, LE, t.max_rtt_ms, unit="ms", what="PING round trip"),
    ]


def evaluate_version(facts: RedisFacts, t: RedisConfig) -> list[Finding]:
    have, need = version_tuple(facts.version), version_tuple(t.min_version)
    ok = bool(have) and have >= need
    why = f"Redis {facts.version or 'unknown'} (required >= {t.min_version})"
    return [Finding("version", ok, why, facts.version, t.min_version, comparison=GE)]


def evaluate_auth(facts: RedisFacts, t: RedisConfig) -> list[Finding]:
    if not t.require_auth:
        return [info("auth", f"{facts.auth_detail} (require_auth = false)", facts.auth_required)]
    why = facts.auth_detail if facts.auth_required else f"{facts.auth_detail}: anyone can connect"
    return [expect("auth_required", facts.auth_required, why, facts.auth_required, True)]


def evaluate_persistence(facts: RedisFacts, t: RedisConfig) -> list[Finding]:
    found: list[Finding] = []
    if t.require_aof:
        state = "on" if facts.aof_enabled else "OFF (appendonly no)"
        found.append(
            expect(
                "aof_enabled",
                facts.aof_enabled,
                f"AOF is {state}",
                facts.aof_enabled,
                True,
                severity=Severity.BLOCKER,
            )
        )
    if facts.aof_enabled:
        write = facts.aof_last_write_status
        found.append(
            compare(
                "aof_last_write",
                write,
                EQ,
                "ok",
                what="aof_last_write_status",
                severity=Severity.BLOCKER,
            )
        )
        rewrite = facts.aof_last_rewrite_status
        found.append(
            compare("aof_last_rewrite", rewrite, EQ, "ok", what="aof_last_bgrewrite_status")
        )
    # a failed background save is bad news whether or not a save schedule is configured
    found.append(
        compare(
            "rdb_last_bgsave", facts.rdb_last_bgsave_status, EQ, "ok", what="rdb_last_bgsave_status"
        )
    )
    if facts.rdb_configured and facts.rdb_changes_since_last_save > 0:
        # Redis only saves after changes: an old save with nothing changed since is not stale
        age = facts.rdb_last_save_age_s
        what = f"age of last RDB save ({facts.rdb_changes_since_last_save} changes since)"
        found.append(compare("rdb_age_s", age, LE, t.max_rdb_age_s, unit="s", what=what))
    elif facts.rdb_configured is None:
        found.append(info("rdb_schedule", "RDB save schedule unknown (CONFIG not permitted)", None))
    if not facts.aof_enabled and not facts.rdb_configured:
        found.append(
            info("no_persistence", "neither AOF nor RDB snapshots: a restart loses all data", False)
        )
    return found


def evaluate_replication(facts: RedisFacts, t: RedisConfig) -> list[Finding]:
    role = "replica" if facts.role == "slave" else facts.role
    found = [compare("role", role, EQ, t.role, what="role")]
    if role == "replica":
        link = facts.master_link_status
        found.append(compare("master_link", link, EQ, "up", what="master_link_status"))
        io = facts.master_last_io_s
        found.append(
            compare(
                "master_last_io_s",
                io,
                LE,
                t.max_replica_lag_s,
                unit="s",
                what="seconds since master spoke",
            )
        )
        return found
    online = [r for r in facts.replicas if r.state == "online"]
    found.append(compare("replicas", len(online), GE, t.min_replicas, what="online replicas"))
    for r in facts.replicas:
        if r.state != "online":
            found.append(
                expect(
                    f"state:{r.address}",
                    False,
                    f"replica {r.address} is {r.state}, not online",
                    r.state,
                    "online",
                )
            )
            continue
        found.append(
            compare(
                f"offset_lag:{r.address}",
                r.offset_lag,
                LE,
                t.max_replica_offset_lag,
                unit="bytes",
                what=f"replica {r.address} offset lag",
            )
        )
        found.append(
            compare(
                f"lag_s:{r.address}",
                r.lag_s,
                LE,
                t.max_replica_lag_s,
                unit="s",
                what=f"replica {r.address} last ack",
            )
        )
    return found


def _size(n: int) -> str:
    """``67108864`` -> ``64 MiB (67,108,864 bytes)``; sizes under 1 KiB in bytes only."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.4g} {unit} ({n:,} bytes)"
    return f"{n:,} bytes"


def evaluate_memory(facts: RedisFacts, t: RedisConfig) -> list[Finding]:
    found: list[Finding] = []
    limited = facts.maxmemory > 0
    if t.require_maxmemory:
        why = f"maxmemory = {facts.maxmemory:,} bytes" + (
            "" if limited else " (unlimited: the host's RAM is the limit)"
        )
        found.append(expect("maxmemory", limited, why, facts.maxmemory, "> 0"))
    if limited and t.min_maxmemory:
        size, least = facts.maxmemory, t.min_maxmemory
        why = f"maxmemory = {_size(size)} (required >= {_size(least)}, [redis] min_maxmemory)"
        found.append(Finding("maxmemory_size", size >= least, why, size, least, "bytes", GE))
    if t.maxmemory_policy is not None:
        found.append(
            compare(
                "policy", facts.maxmemory_policy, EQ, t.maxmemory_policy, what="maxmemory-policy"
            )
        )
    else:
        found.append(
            info("policy", f"maxmemory-policy = {facts.maxmemory_policy}", facts.maxmemory_policy)
        )
    if limited:
        ratio = round(facts.used_memory / facts.maxmemory, 3)
        what = f"used_memory / maxmemory ({facts.used_memory:,} of {facts.maxmemory:,} bytes)"
        found.append(compare("memory_ratio", ratio, LE, t.max_memory_ratio, what=what))
    else:
        found.append(
            info(
                "used_memory",
                f"used_memory = {facts.used_memory:,} bytes",
                facts.used_memory,
                "bytes",
            )
        )
    rejected = facts.rejected_connections
    found.append(
        compare(
            "rejected_connections",
            rejected,
            LE,
            t.max_rejected_connections,
            what="rejected connections since start",
        )
    )
    return found
