"""Checks that run once per target: the ``host_target`` fixture, one test instance per host.

A gate test that takes ``host_target`` is parametrized at collection with every target of every
``[hosts.<role>]`` of the environment, the target in the test id
(``infra/test_host.py::test_disk[web:ssh://deploy@web1]``). testinfra's own ``--hosts`` still
works: given, its hosts replace the environment's targets and are checked with the thresholds of
the first declared role (the environment must still declare one: thresholds stay explicit).
Without a gate run (``--collect-only``, ``--help``) or without ``[hosts]``, a single instance
``[none-declared]`` ends as not applicable.

This module is wiring only (registered with the gate fixtures); probes take the
:class:`~gonogo.probes.hostconn.HostTarget` it hands out.
"""

from __future__ import annotations

import pytest

from gonogo.engine.context import CONTEXT_KEY
from gonogo.probes.hostconn import HostTarget
from gonogo.schema.hosts import target_problem

FIXTURE = "host_target"


def host_targets(config: pytest.Config) -> list[HostTarget]:
    """Every (role, target) of the run's environment, or of ``--hosts`` when given."""
    ctx = config.stash.get(CONTEXT_KEY, None)
    roles = ctx.env.config.hosts if ctx is not None else None
    if not roles:
        return []
    given = config.getoption("hosts", None)
    if given:
        role, section = next(iter(roles.items()))
        urls = [_with_scheme(h.strip()) for h in str(given).split(",") if h.strip()]
        for url in urls:
            problem = target_problem(url)
            if problem:
                raise pytest.UsageError(f"--hosts: {url!r} {problem}")
        return [HostTarget(role, url, section) for url in urls]
    return [
        HostTarget(role, url, section) for role, section in roles.items() for url in section.targets
    ]


def _with_scheme(spec: str) -> str:
    # testinfra reads a bare "user@host" as paramiko://user@host
    return spec if "://" in spec else f"paramiko://{spec}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if FIXTURE not in metafunc.fixturenames:
        return
    targets = host_targets(metafunc.config)
    if targets:
        metafunc.parametrize(FIXTURE, targets, ids=[t.id for t in targets])
    else:
        metafunc.parametrize(FIXTURE, [None], ids=["none-declared"])
