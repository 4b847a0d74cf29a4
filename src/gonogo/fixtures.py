"""Fixtures for gate tests: ``gate`` (the check's handle) and ``evidence`` (its recorder)."""

from __future__ import annotations

import pytest

from gonogo.config import Environment
from gonogo.context import CONTEXT_KEY, EVIDENCE_KEY, SPEC_KEY
from gonogo.errors import ConfigError
from gonogo.evidence import Evidence
from gonogo.gate import Gate


@pytest.fixture
def gate(request: pytest.FixtureRequest) -> Gate:
    """The running check: environment, identity, evidence, shared probes, ``now``."""
    ctx = request.config.stash.get(CONTEXT_KEY, None)
    spec = request.node.stash.get(SPEC_KEY, None)
    if ctx is None or spec is None:
        raise ConfigError(
            "the gate fixture needs a gate run: pass --env NAME and mark the test with @pytest.mark.check"
        )
    evidence = request.node.stash.setdefault(EVIDENCE_KEY, Evidence())
    return Gate(ctx.env, spec, evidence, ctx.shared, ctx.started_at, release=ctx.release)


@pytest.fixture
def evidence(gate: Gate) -> Evidence:
    """Record measured values and attach files to the current check."""
    return gate.evidence


@pytest.fixture
def gonogo_env(gate: Gate) -> Environment:
    """The loaded environment of this run."""
    return gate.env
