"""The Redis probe against real servers: a healthy master, its replica, an unprotected one."""

from __future__ import annotations

import socket

import pytest

from gonogo.errors import ProbeAuthError, ProbeRefused, ProbeTimeout
from gonogo.probes import redis
from gonogo.rules import redis as redis_rules
from gonogo.schema.data import RedisConfig
from probes.datastack import (
    PASSWORD,
    Stack,
    failing,
    free_port,
    needs_servers,
)

pytestmark = needs_servers


# --- Redis --------------------------------------------------------------------------------------


def test_healthy_redis_passes_every_redis_rule(stack: Stack) -> None:
    """Master with AOF, requirepass, maxmemory and an online replica passes all redis.* rules."""
    cfg = RedisConfig(url=stack.redis_url(), min_replicas=1, maxmemory_policy="allkeys-lru")
    facts = redis.collect(cfg)
    assert facts.auth_required and facts.aof_enabled and facts.replicas[0].state == "online"
    for evaluate in (
        redis_rules.evaluate_ping,
        redis_rules.evaluate_version,
        redis_rules.evaluate_auth,
        redis_rules.evaluate_persistence,
        redis_rules.evaluate_replication,
        redis_rules.evaluate_memory,
    ):
        assert failing(evaluate(facts, cfg)) == set(), evaluate.__name__


def test_replica_sees_its_master(stack: Stack) -> None:
    """Probing the replica reports role replica with the link up."""
    cfg = RedisConfig(url=stack.redis_url("replica"), role="replica")
    assert failing(redis_rules.evaluate_replication(redis.collect(cfg), cfg)) == set()


def test_unprotected_redis_fails_auth_persistence_memory_replication(stack: Stack) -> None:
    """A Redis without password, AOF, maxmemory and replicas fails those four checks."""
    cfg = RedisConfig(url=stack.redis_url("bare", None), min_replicas=1)
    facts = redis.collect(cfg)
    assert failing(redis_rules.evaluate_auth(facts, cfg)) == {"auth_required"}
    assert failing(redis_rules.evaluate_persistence(facts, cfg)) == {"aof_enabled"}
    assert failing(redis_rules.evaluate_memory(facts, cfg)) == {"maxmemory"}
    assert failing(redis_rules.evaluate_replication(facts, cfg)) == {"replicas"}


@pytest.mark.parametrize(
    ("server", "password", "error"),
    [
        pytest.param("closed", PASSWORD, ProbeRefused, id="refused"),
        pytest.param("redis", "wrong-pass", ProbeAuthError, id="wrong-password"),
        pytest.param("redis", None, ProbeAuthError, id="no-password"),
        pytest.param("silent", PASSWORD, ProbeTimeout, id="no-answer"),
    ],
)
def test_redis_connection_errors(
    stack: Stack, server: str, password: str | None, error: type
) -> None:
    """Redis errors become one-line ProbeErrors naming host:port/db, never the password."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = {"closed": free_port(), "silent": silent.getsockname()[1]}.get(
            server, stack.ports.get(server)
        )
        auth = f":{password}@" if password else ""
        with pytest.raises(error) as caught:
            redis.collect(RedisConfig(url=f"redis://{auth}127.0.0.1:{port}/0", timeout_s=1))
    assert f"127.0.0.1:{port}/0" in str(caught.value) and PASSWORD not in str(caught.value)
    assert "wrong-pass" not in str(caught.value)
