"""PostgreSQL facts, gathered once per run: the application DSN's (``pg.connect``, version,
schema, migrations, app-role) and the monitoring DSN's (``monitor_dsn``, else ``dsn``:
replication, capacity, archiving, slow-query-log). Each names the check's target
(``host:port/db``, never the password)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.probes import pgmonitor, postgres

if TYPE_CHECKING:
    from gonogo.facts.postgres import MonitorFacts, PostgresFacts
    from gonogo.gate import Gate


def facts(gate: Gate) -> PostgresFacts:
    """What the application DSN shows: identity, schema, migrations, the role's rights."""
    pg = gate.require("postgres")
    target = postgres.target_of(pg.dsn)
    gate.target(target)
    return gate.shared(f"postgres:{target}", lambda: postgres.collect(pg))


def monitoring(gate: Gate) -> MonitorFacts:
    """What the monitoring DSN shows: standbys, slots, capacity, archiving, the slow-query log."""
    pg = gate.require("postgres")
    via, dsn = pg.monitoring
    target = postgres.target_of(dsn)
    gate.target(target)
    return gate.shared(f"postgres-{via}:{target}", lambda: pgmonitor.collect(pg))
