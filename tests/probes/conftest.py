"""Fixtures of the data-store probe tests: one real stack per test process (see datastack.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from probes.clones import KINDS, make_clone
from probes.datastack import Stack, make_stack, start_pgbouncer


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """PostgreSQL primary + standby + scratch, Redis master + replica + bare, backups."""
    yield from make_stack()


@pytest.fixture(scope="session")
def pgbouncer(stack: Stack) -> Iterator[int]:
    """A real PgBouncer in front of the primary; it refuses startup options."""
    yield start_pgbouncer(stack, "pgbouncer", f"* = host=127.0.0.1 port={stack.ports['primary']}")
    stack.stop("pgbouncer")


@pytest.fixture(scope="session")
def routing_pooler(stack: Stack) -> Iterator[int]:
    """A PgBouncer that maps database ``postgres`` to the scratch server and every other
    database name to the SOURCE's ``postgres`` (what a drill database name would reach), and
    ``gonogo_restore_elsewhere`` to the scratch server's ``postgres``."""
    scratch, primary = stack.ports["scratch"], stack.ports["primary"]
    databases = (
        f"postgres = host=127.0.0.1 port={scratch} dbname=postgres\n"
        f"gonogo_restore_elsewhere = host=127.0.0.1 port={scratch} dbname=postgres\n"
        f"* = host=127.0.0.1 port={primary} dbname=postgres"
    )
    yield start_pgbouncer(stack, "routing-pooler", databases)
    stack.stop("routing-pooler")


@pytest.fixture(scope="session", params=KINDS)
def clone(stack: Stack, request: pytest.FixtureRequest) -> Iterator[str]:
    """A clone of the primary (same system_identifier), started on its own: ``snapshot`` (same
    timeline) or ``promoted`` (a standby promoted: a new timeline); its server name."""
    name = make_clone(stack, request.param)
    yield name
    stack.stop(name)
