"""Redis: PING, INFO and an unauthenticated attempt, gathered once per run
(gonogo.recipes.redis), feed redis.* checks."""

from __future__ import annotations

import pytest

from gonogo.recipes import redis
from gonogo.rules import redis as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.data]


@pytest.mark.check("redis.ping")
def test_ping(gate):
    gate.judge(rules.evaluate_ping(redis.facts(gate), gate.config.redis))


@pytest.mark.check("redis.version")
def test_version(gate):
    gate.judge(rules.evaluate_version(redis.facts(gate), gate.config.redis))


@pytest.mark.check("redis.auth")
def test_auth(gate):
    gate.judge(rules.evaluate_auth(redis.facts(gate), gate.config.redis))


@pytest.mark.check("redis.persistence")
def test_persistence(gate):
    gate.judge(rules.evaluate_persistence(redis.facts(gate), gate.config.redis))


@pytest.mark.check("redis.replication")
def test_replication(gate):
    gate.judge(rules.evaluate_replication(redis.facts(gate), gate.config.redis))


@pytest.mark.check("redis.memory")
def test_memory(gate):
    gate.judge(rules.evaluate_memory(redis.facts(gate), gate.config.redis))
