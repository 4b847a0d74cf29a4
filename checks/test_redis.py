"""Redis: PING, INFO and an unauthenticated attempt, gathered once per run, feed redis.* checks."""

from __future__ import annotations

import pytest

from gonogo.probes import redis
from gonogo.rules import redis as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.data]


def _facts(gate):
    cfg = gate.require("redis")
    target = redis.target_of(cfg.url)  # host:port/db, never the password
    gate.target(target)
    return gate.shared(f"redis:{target}", lambda: redis.collect(cfg))


@pytest.mark.check("redis.ping")
def test_ping(gate):
    gate.judge(rules.evaluate_ping(_facts(gate), gate.config.redis))


@pytest.mark.check("redis.version")
def test_version(gate):
    gate.judge(rules.evaluate_version(_facts(gate), gate.config.redis))


@pytest.mark.check("redis.auth")
def test_auth(gate):
    gate.judge(rules.evaluate_auth(_facts(gate), gate.config.redis))


@pytest.mark.check("redis.persistence")
def test_persistence(gate):
    gate.judge(rules.evaluate_persistence(_facts(gate), gate.config.redis))


@pytest.mark.check("redis.replication")
def test_replication(gate):
    gate.judge(rules.evaluate_replication(_facts(gate), gate.config.redis))


@pytest.mark.check("redis.memory")
def test_memory(gate):
    gate.judge(rules.evaluate_memory(_facts(gate), gate.config.redis))
