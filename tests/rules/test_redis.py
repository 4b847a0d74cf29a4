"""Table tests of the Redis rules: facts built in memory -> which findings fail."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from gonogo.facts.redis import RedisFacts, ReplicaFacts
from gonogo.model import Finding, Severity
from gonogo.rules import redis as rules
from gonogo.schema.data import RedisConfig

URL = "redis://:pw@cache:6379/0"
BUILTINS = (str, int, float, bool, type(None), list, dict)
MIB = 1 << 20


# --- builders ---------------------------------------------------------------------------------


def replica(**changes: Any) -> ReplicaFacts:
    """An online replica, in sync, acked a second ago."""
    return dataclasses.replace(ReplicaFacts("10.0.0.3:6379", "online", 0, 1), **changes)


def facts(**changes: Any) -> RedisFacts:
    """A healthy Redis 7 master: auth required, AOF on, one replica, 1 GiB maxmemory, 30% used."""
    base = RedisFacts(
        target="cache:6379/0",
        rtt_ms=0.4,
        version="7.0.15",
        auth_required=True,
        auth_detail="unauthenticated PING refused: Authentication required.",
        aof_enabled=True,
        aof_last_write_status="ok",
        aof_last_rewrite_status="ok",
        rdb_configured=False,
        rdb_last_bgsave_status="ok",
        rdb_last_save_age_s=600.0,
        rdb_changes_since_last_save=0,
        role="master",
        replicas=(replica(),),
        master_link_status=None,
        master_last_io_s=None,
        maxmemory=1024 * MIB,
        maxmemory_policy="allkeys-lru",
        used_memory=300 * MIB,
        rejected_connections=0,
    )
    return dataclasses.replace(base, **changes)


def replica_view(**changes: Any) -> RedisFacts:
    """The same server seen as a replica with its link to the master up."""
    view = {"role": "slave", "replicas": (), "master_link_status": "up", "master_last_io_s": 1}
    return facts(**{**view, **changes})


def failing_names(
    rule: Callable[[RedisFacts, RedisConfig], list[Finding]],
    given: RedisFacts,
    overrides: dict[str, Any],
) -> set[str]:
    findings = rule(given, RedisConfig(url=URL, **overrides))
    assert findings, "a rule must always measure something"
    for f in findings:  # measured values cross xdist as plain builtins
        assert isinstance(f.measured, BUILTINS) and isinstance(f.threshold, BUILTINS), f
    return {f.name for f in findings if not f.ok}


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="fast"),
        pytest.param(facts(rtt_ms=250.0), {}, {"rtt_ms"}, id="slow"),
        pytest.param(facts(rtt_ms=250.0), {"max_rtt_ms": 500}, set(), id="slow-within-budget"),
    ],
)
def test_ping(given: RedisFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """redis.ping: PING round trip within max_rtt_ms."""
    assert failing_names(rules.evaluate_ping, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="7.0-vs-6.0"),
        pytest.param(facts(version="6.0.0"), {}, set(), id="6.0-exactly"),
        pytest.param(facts(version="5.0.14"), {}, {"version"}, id="5.0-too-old"),
        pytest.param(
            facts(version="6.2.6"), {"min_version": "6.2.7"}, {"version"}, id="patch-level"
        ),
        pytest.param(
            facts(version="7.2.4"), {"min_version": "7.10"}, {"version"}, id="numeric-not-text"
        ),
        pytest.param(facts(version=""), {}, {"version"}, id="unknown-version"),
    ],
)
def test_version(given: RedisFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """redis.version: dotted versions compare as numbers, an unknown version fails."""
    assert failing_names(rules.evaluate_version, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="refuses-strangers"),
        pytest.param(facts(auth_required=False), {}, {"auth_required"}, id="open-to-anyone"),
        pytest.param(facts(auth_required=False), {"require_auth": False}, set(), id="not-required"),
    ],
)
def test_auth(given: RedisFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """redis.auth: an unauthenticated connection must be refused when require_auth."""
    assert failing_names(rules.evaluate_auth, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="aof-clean"),
        pytest.param(facts(aof_enabled=False), {}, {"aof_enabled"}, id="aof-off"),
        pytest.param(facts(aof_enabled=False), {"require_aof": False}, set(), id="aof-off-allowed"),
        pytest.param(
            facts(aof_last_write_status="err"), {}, {"aof_last_write"}, id="aof-write-error"
        ),
        pytest.param(
            facts(aof_last_rewrite_status="err"), {}, {"aof_last_rewrite"}, id="aof-rewrite-error"
        ),
        pytest.param(
            facts(rdb_last_bgsave_status="err"), {}, {"rdb_last_bgsave"}, id="bgsave-error"
        ),
        pytest.param(
            facts(rdb_configured=True, rdb_last_save_age_s=200000.0, rdb_changes_since_last_save=5),
            {},
            {"rdb_age_s"},
            id="rdb-stale-with-changes",
        ),
        pytest.param(
            facts(rdb_configured=True, rdb_last_save_age_s=200000.0),
            {},
            set(),
            id="rdb-old-but-nothing-changed",
        ),
        pytest.param(
            facts(rdb_configured=None, rdb_last_save_age_s=200000.0, rdb_changes_since_last_save=5),
            {},
            set(),
            id="rdb-schedule-unknown-is-info",
        ),
    ],
)
def test_persistence(given: RedisFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """redis.persistence: AOF on and writing; RDB saves ok and recent when RDB is configured."""
    assert failing_names(rules.evaluate_persistence, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "escalated"),
    [
        pytest.param(facts(aof_enabled=False), {"aof_enabled": Severity.BLOCKER}, id="aof-off"),
        pytest.param(
            facts(aof_last_write_status="err"),
            {"aof_last_write": Severity.BLOCKER},
            id="aof-write-error",
        ),
        pytest.param(
            facts(aof_last_rewrite_status="err"), {"aof_last_rewrite": None}, id="rewrite-major"
        ),
        pytest.param(
            facts(rdb_configured=True, rdb_last_save_age_s=200000.0, rdb_changes_since_last_save=5),
            {"rdb_age_s": None},
            id="rdb-stale-major",
        ),
    ],
)
def test_persistence_severity(given: RedisFacts, escalated: dict[str, Severity | None]) -> None:
    """AOF off or failing escalates redis.persistence to blocker; RDB findings stay major."""
    found = rules.evaluate_persistence(given, RedisConfig(url=URL))
    assert {f.name: f.severity for f in found if not f.ok} == escalated


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {"min_replicas": 1}, set(), id="master-one-replica"),
        pytest.param(facts(replicas=()), {"min_replicas": 1}, {"replicas"}, id="no-replica"),
        pytest.param(facts(replicas=()), {}, set(), id="none-required"),
        pytest.param(
            facts(replicas=(replica(state="wait_bgsave"),)),
            {"min_replicas": 1},
            {"replicas", "state:10.0.0.3:6379"},
            id="replica-still-syncing",
        ),
        pytest.param(
            facts(replicas=(replica(offset_lag=8 * MIB),)),
            {},
            {"offset_lag:10.0.0.3:6379"},
            id="replica-behind",
        ),
        pytest.param(
            facts(replicas=(replica(lag_s=45),)), {}, {"lag_s:10.0.0.3:6379"}, id="replica-silent"
        ),
        pytest.param(replica_view(), {"role": "replica"}, set(), id="replica-link-up"),
        pytest.param(replica_view(), {}, {"role"}, id="expected-master-got-replica"),
        pytest.param(
            replica_view(master_link_status="down", master_last_io_s=-1),
            {"role": "replica"},
            {"master_link"},
            id="replica-link-down",
        ),
    ],
)
def test_replication(given: RedisFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """redis.replication: expected role, enough online replicas, each close behind."""
    assert failing_names(rules.evaluate_replication, given, overrides) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(facts(), {}, set(), id="clean"),
        pytest.param(facts(maxmemory=0), {}, {"maxmemory"}, id="unlimited"),
        pytest.param(
            facts(maxmemory=0), {"require_maxmemory": False}, set(), id="unlimited-allowed"
        ),
        pytest.param(facts(used_memory=1000 * MIB), {}, {"memory_ratio"}, id="almost-full"),
        pytest.param(
            facts(), {"maxmemory_policy": "allkeys-lru"}, set(), id="policy-as-configured"
        ),
        pytest.param(facts(), {"maxmemory_policy": "noeviction"}, {"policy"}, id="policy-differs"),
        pytest.param(
            facts(rejected_connections=3), {}, {"rejected_connections"}, id="rejected-connections"
        ),
        # the size of the limit, not only that one is set
        pytest.param(
            facts(maxmemory=16 * MIB, used_memory=MIB), {}, {"maxmemory_size"}, id="limit-too-small"
        ),
        pytest.param(facts(), {"min_maxmemory": "2gb"}, {"maxmemory_size"}, id="below-2gb"),
        pytest.param(facts(), {"min_maxmemory": "1gb"}, set(), id="exactly-the-minimum"),
        pytest.param(
            facts(maxmemory=16 * MIB, used_memory=MIB),
            {"min_maxmemory": 0},
            set(),
            id="any-limit-accepted",
        ),
        pytest.param(
            facts(maxmemory=16 * MIB, used_memory=MIB),
            {"require_maxmemory": False},
            {"maxmemory_size"},
            id="a-limit-set-is-judged-even-when-not-required",
        ),
        pytest.param(facts(maxmemory=0), {}, {"maxmemory"}, id="unlimited-has-no-size-to-judge"),
    ],
)
def test_memory(given: RedisFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """redis.memory: maxmemory set and at least min_maxmemory, policy as configured, headroom
    left, nobody turned away."""
    assert failing_names(rules.evaluate_memory, given, overrides) == expected


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("7.0.15", (7, 0, 15)), ("6.0", (6, 0)), ("255.255.255", (255, 255, 255)), ("7.2-rc1", (7,))],
)
def test_version_tuple(text: str, parsed: tuple[int, ...]) -> None:
    """Versions parse to integer tuples and stop at the first non-numeric part."""
    assert rules.version_tuple(text) == parsed


def test_min_version_must_be_dotted_numbers() -> None:
    """A min_version like 'six' is a configuration error, not a silent pass."""
    with pytest.raises(ValueError, match="dotted version"):
        RedisConfig(url=URL, min_version="six")


def test_maxmemory_size_evidence_names_both_sizes() -> None:
    """A too-small limit is recorded in bytes against the minimum, in words a reader can check."""
    found = rules.evaluate_memory(
        facts(maxmemory=16 * MIB, used_memory=MIB), RedisConfig(url=URL, min_maxmemory="256mb")
    )
    [size] = [f for f in found if f.name == "maxmemory_size"]
    assert (size.measured, size.threshold, size.unit) == (16 * MIB, 256 * MIB, "bytes")
    assert "maxmemory = 16 MiB (16,777,216 bytes) (required >= 256 MiB" in size.message


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("256mb", 256 * MIB),
        ("4GB", 4096 * MIB),
        ("1m", 1_000_000),
        ("1k", 1000),
        ("100", 100),
        (1048576, MIB),
    ],
)
def test_min_maxmemory_reads_redis_units(text: str | int, size: int) -> None:
    """min_maxmemory takes bytes or Redis's own units (kb/mb/gb powers of 1024, k/m/g of 1000)."""
    assert RedisConfig(url=URL, min_maxmemory=text).min_maxmemory == size


@pytest.mark.parametrize("text", ["64 mb", "1.5gb", "-1", "1tb", "lots"])
def test_min_maxmemory_rejects_what_redis_would_not_read(text: str) -> None:
    """A size Redis would not read is a configuration error naming the value."""
    with pytest.raises(ValueError, match="is not a memory size"):
        RedisConfig(url=URL, min_maxmemory=text)
