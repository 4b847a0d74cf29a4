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
from gonogo.engine.invocation import config_error
from gonogo.probes.hostconn import HostTarget
from gonogo.schema.hosts import target_problem

FIXTURE = "host_target"


def host_targets(config: pytest.Config) -> list[HostTarget]:
    """Every (role, target) of the run's environment, or of ``--hosts`` when given."""
    ctx = config.stash.get(CONTEXT_KEY, None)
    roles = ctx.env.config.hosts if ctx is not None else None
    if not roles:
        return []
    urls = given_hosts(config)
    if urls:
        role, section = next(iter(roles.items()))
        return [HostTarget(role, url, section) for url in urls]
    return [
        HostTarget(role, url, section) for role, section in roles.items() for url in section.targets
    ]


def given_hosts(config: pytest.Config) -> list[str]:
    """The targets of testinfra's ``--hosts`` (a bare ``user@host`` is paramiko, as testinfra
    reads it); empty without the option."""
    given = config.getoption("hosts", None)
    return [_with_scheme(h.strip()) for h in str(given or "").split(",") if h.strip()]


def pytest_configure(config: pytest.Config) -> None:
    """In a gate run, a ``--hosts`` target the host checks cannot use is exit 4, before any
    check runs (testinfra's own tests, without ``--env``, keep testinfra's rules)."""
    if not (config.getoption("env", None) or config.getoption("env_file", None)):
        return
    for url in given_hosts(config):
        problem = target_problem(url)
        if problem:
            raise config_error(f"--hosts: {url!r} {problem}")


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
