"""Clones of the test stack's primary: what restore-drill servers built from production are.

A clone shares the primary's ``system_identifier`` (``pg_basebackup`` copies the cluster) and
runs as a server of its own: ``snapshot`` starts the copy directly (crash recovery from the
backup, same timeline: a restored disk snapshot or a copied data directory), ``promoted``
starts it as a standby and promotes it (a new timeline). WAL archiving is off in both, so that
a clone never writes into the primary's archive.
"""

from __future__ import annotations

import psycopg

from probes.datastack import PG_BIN, Stack, as_postgres, wait_for

KINDS = ("snapshot", "promoted")


def make_clone(stack: Stack, kind: str) -> str:
    """Build and start the ``kind`` clone of the primary; its server name in ``stack``."""
    name = f"clone-{kind}"
    data = stack.root / name
    backup = [PG_BIN / "pg_basebackup", "-D", data, "-h", "127.0.0.1"]
    backup += ["-p", stack.ports["primary"], "-U", "postgres", "-c", "fast", "-X", "stream"]
    as_postgres(*backup, *(["-R"] if kind == "promoted" else []))
    stack.start_pg(name, data, "-c", "archive_mode=off")
    if kind == "promoted":
        wait_for(
            "clone streaming", lambda: stack.sql("SELECT pg_is_in_recovery()", name) == [(True,)]
        )
        stack.sql("SELECT pg_promote(wait => true)", name, "postgres")
    wait_for(
        "clone is a primary", lambda: stack.sql("SELECT pg_is_in_recovery()", name) == [(False,)]
    )
    # the promotion's timeline in the control file, for the evidence
    stack.sql("CHECKPOINT", name, "postgres")
    return name


def clone_dsn(stack: Stack, name: str) -> str:
    """The clone's superuser (trusted from loopback, as on the primary it was copied from)."""
    return stack.dsn(name, "postgres", "postgres")


def drill_databases(stack: Stack, name: str) -> list[str]:
    with psycopg.connect(stack.dsn(name, "postgres", "postgres"), autocommit=True) as conn:
        query = r"SELECT datname FROM pg_database WHERE datname LIKE 'gonogo\_restore\_%'"
        return [row[0] for row in conn.execute(query)]
