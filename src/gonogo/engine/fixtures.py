"""Fixtures for gate tests: ``gate`` (the check's handle), ``evidence`` (its recorder) and
``browser_journey`` (a ready browser page for a Python journey)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from gonogo.config import Environment
from gonogo.engine.context import CONTEXT_KEY, EVIDENCE_KEY, SPEC_KEY
from gonogo.engine.evidence import Evidence
from gonogo.engine.targets import (  # noqa: F401  (host_target: one instance per host)
    pytest_configure,
    pytest_generate_tests,
)
from gonogo.errors import ConfigError
from gonogo.gate import Gate

if TYPE_CHECKING:
    from gonogo.probes.journey import Journey


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
    return Gate(
        ctx.env,
        spec,
        evidence,
        ctx.shared,
        ctx.started_at,
        release=ctx.release,
        time_limit_s=_time_limit(request),
    )


def _time_limit(request: pytest.FixtureRequest) -> float | None:
    """The test's pytest-timeout in seconds: its marker (set from the catalogue or the env
    file at collection), else ``--timeout`` or the ini's ``timeout``; None without one."""
    marker = request.node.get_closest_marker("timeout")
    if marker is not None:
        value = marker.args[0] if marker.args else marker.kwargs.get("timeout")
    else:
        value = request.config.getoption("timeout", None) or request.config.getini("timeout")
    return float(value) if value else None


@pytest.fixture
def evidence(gate: Gate) -> Evidence:
    """Record measured values and attach files to the current check."""
    return gate.evidence


@pytest.fixture
def gonogo_env(gate: Gate) -> Environment:
    """The loaded environment of this run."""
    return gate.env


@pytest.fixture
def browser_journey(gate: Gate, request: pytest.FixtureRequest) -> Iterator[Journey]:
    """A ready page of the run's browser for a Python journey in ``e2e/`` (steps through
    ``browser_journey.step(description, action)``; judge with ``rules.browser.evaluate_journey``).

    The browser belongs to the probe (one per process); the page is a fresh context's, closed
    after the test.
    """
    from gonogo.recipes import e2e

    name = getattr(request.node, "originalname", request.node.name).removeprefix("test_")
    with e2e.python_journey(gate, name) as journey:
        yield journey
