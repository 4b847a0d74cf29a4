"""The Redis probe against real servers: a healthy master, its replica, an unprotected one."""

from __future__ import annotations

import socket
import time

import pytest
import redis as redis_client

from gonogo.endpoints import shows_down
from gonogo.errors import ProbeAuthError, ProbeRefused, ProbeTimeout
from gonogo.probes import redis
from gonogo.rules import redis as redis_rules
from gonogo.schema.data import RedisConfig
from loopback import refusing_port
from probes.datastack import (
    PASSWORD,
    Stack,
    failing,
    needs_servers,
    stalling_proxy,
)
from wallclock import ends_within

pytestmark = needs_servers


# --- Redis --------------------------------------------------------------------------------------


def test_healthy_redis_passes_every_redis_rule(stack: Stack) -> None:
    """Master with AOF, requirepass, maxmemory and an online replica passes all redis.* rules."""
    cfg = RedisConfig(
        url=stack.redis_url(),
        min_replicas=1,
        maxmemory_policy="allkeys-lru",
        min_maxmemory="64mb",  # the test master's limit
    )
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


def test_small_maxmemory_fails_redis_memory(stack: Stack) -> None:
    """A real Redis whose maxmemory is set but small (2mb) fails redis.memory on the size of
    the limit (default minimum 1 GiB), not only on whether one is set; 64mb passes a 64mb
    minimum and fails a 128mb one."""
    bare = redis_client.Redis.from_url(stack.redis_url("bare", None))
    with bare:
        bare.config_set("maxmemory", "2mb")
        try:
            cfg = RedisConfig(url=stack.redis_url("bare", None), require_auth=False)
            facts = redis.collect(cfg)
        finally:
            bare.config_set("maxmemory", "0")
    assert facts.maxmemory == 2 * 1024 * 1024
    found = {f.name: f for f in redis_rules.evaluate_memory(facts, cfg)}
    assert found["maxmemory"].ok and not found["maxmemory_size"].ok
    assert found["maxmemory_size"].threshold == 1 << 30
    master = redis.collect(RedisConfig(url=stack.redis_url()))
    for least, ok in (("64mb", True), ("128mb", False)):
        cfg = RedisConfig(url=stack.redis_url(), min_maxmemory=least)
        [size] = [f for f in redis_rules.evaluate_memory(master, cfg) if f.name == "maxmemory_size"]
        assert size.ok is ok and size.measured == 64 * 1024 * 1024, size


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
    with socket.socket() as silent, refusing_port() as closed:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = {"closed": closed, "silent": silent.getsockname()[1]}.get(
            server, stack.ports.get(server)
        )
        auth = f":{password}@" if password else ""
        with pytest.raises(error) as caught:
            redis.collect(RedisConfig(url=f"redis://{auth}127.0.0.1:{port}/0", timeout_s=1))
    assert f"127.0.0.1:{port}/0" in str(caught.value) and PASSWORD not in str(caught.value)
    assert "wrong-pass" not in str(caught.value)


def test_server_silent_after_the_handshake_fails_fast(stack: Stack) -> None:
    """A Redis that answers AUTH and then goes silent: the socket timeout (timeout_s, no
    retries) ends the probe as a ProbeTimeout naming the endpoint, not a hang."""
    with stalling_proxy(stack.ports["redis"], "redis", answers=1) as port:
        started = time.monotonic()
        with pytest.raises(ProbeTimeout) as caught:
            redis.collect(
                RedisConfig(
                    url=stack.redis_url().replace(str(stack.ports["redis"]), str(port)), timeout_s=1
                )
            )
        took = time.monotonic() - started
    assert took < ends_within(1), f"took {took:.1f} s for timeout_s = 1"
    assert shows_down(f"127.0.0.1:{port}", caught.value)
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    "answers",
    [pytest.param(0, id="from-the-handshake"), pytest.param(1, id="after-auth")],
)
def test_server_trickling_bytes_ends_at_the_wall_clock_deadline(stack: Stack, answers: int) -> None:
    """A Redis whose bytes arrive one every 0.4 s never trips the per-read timeout (1 s); the
    probe's wall-clock deadline (timeout_s + 2 s) ends it as a ProbeTimeout naming the endpoint,
    so it is marked down, instead of running for as long as the server trickles."""
    with stalling_proxy(stack.ports["redis"], "redis", answers, trickle_s=0.4) as port:
        url = stack.redis_url().replace(str(stack.ports["redis"]), str(port))
        started = time.monotonic()
        with pytest.raises(ProbeTimeout) as caught:
            redis.collect(RedisConfig(url=url, timeout_s=1))
        took = time.monotonic() - started
    deadline = 1 + redis.DEADLINE_MARGIN_S
    assert deadline <= took < ends_within(deadline), (
        f"took {took:.1f} s for a {deadline} s deadline"
    )
    assert "wall clock" in str(caught.value)  # the deadline, not a per-read timeout
    assert shows_down(f"127.0.0.1:{port}", caught.value)
    assert PASSWORD not in str(caught.value)
