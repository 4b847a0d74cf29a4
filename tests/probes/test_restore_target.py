"""The restore drill's target: the source under any name is refused, a clone of it is not."""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

import pytest

from gonogo.model import ErrorReason, Outcome, conclude
from gonogo.probes import backup, pgconn, restore, sameserver, scratch
from gonogo.rules import restore as restore_rules
from probes.clones import clone_dsn, drill_databases
from probes.datastack import (
    Stack,
    backup_config,
    failing,
    needs_servers,
    pg_config,
    scratch_databases,
    tcp_forwarder,
)

pytestmark = needs_servers

_DATABASES = "SELECT datname FROM pg_database ORDER BY 1"
_MARKERS = f"""SELECT count(*) FROM pg_locks
    WHERE locktype = 'advisory' AND classid = {sameserver.MARKER_CLASS}"""


def test_drill_restores_into_a_clone_of_the_source(stack: Stack, clone: str) -> None:
    """A server built from a snapshot or a base backup of the source shares its
    system_identifier but is another running server: the drill restores into it, records what
    told it apart (postmaster start, timeline, WAL, data directory), and leaves nothing behind
    on the clone or the source."""
    before = stack.sql(_DATABASES, db="postgres")
    cfg = backup_config(stack, scratch_dsn=clone_dsn(stack, clone))
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.refused is None, drill.refused
    assert drill.restored and drill.amcheck_ok, (drill.detail, drill.amcheck_detail)
    mine, theirs = drill.scratch_identity, drill.source_identity
    assert mine is not None and theirs is not None
    assert mine.system_identifier == theirs.system_identifier
    assert mine.started_us != theirs.started_us and mine.data_directory != theirs.data_directory
    assert (mine.timeline > theirs.timeline) is (clone == "clone-promoted")
    found = {f.name: f for f in restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)}
    assert failing(list(found.values())) == set()
    identity = found["scratch_identity"].message
    assert "shares the source's system_identifier" in identity and "timeline" in identity
    assert drill_databases(stack, clone) == [] and scratch_databases(stack) == []
    assert stack.sql(_DATABASES, db="postgres") == before


@contextlib.contextmanager
def _source_as(stack: Stack, alias: str) -> Any:
    """A superuser DSN of the source (the primary) under another name."""
    port = stack.ports["primary"]
    if alias == "forwarder":  # a TCP relay on another port: the address check cannot see it
        with tcp_forwarder(port) as relay:
            yield f"postgresql://postgres@127.0.0.1:{relay}/postgres"
        return
    if alias == "unix-socket":
        yield f"postgresql://postgres@/postgres?host={stack.root}&port={port}"
        return
    yield f"postgresql://postgres@localhost:{port}/postgres"


@pytest.mark.parametrize("alias", ["forwarder", "unix-socket", "localhost"])
def test_the_source_under_another_name_is_refused_by_its_identity(stack: Stack, alias: str) -> None:
    """The source reached through a relay on another port, its Unix socket or `localhost`:
    the identity guard refuses it by itself (a lock the drill holds there is visible from the
    source), whatever the address check saw, and lets the lock go."""
    with (
        _source_as(stack, alias) as dsn,
        pgconn.connect(
            dsn, connect_timeout_s=5, statement_timeout_ms=5000, read_only=False
        ) as admin,
        pytest.raises(scratch.Unsafe, match="is the source server reached by another"),
    ):
        scratch.guard(admin, alias, pg_config(stack))
    assert stack.sql(_MARKERS, db="postgres") == [(0,)]


@pytest.mark.parametrize("host", ["127.0.0.2", "unix-socket"])
def test_drill_refuses_the_source_by_an_address_alias(stack: Stack, host: str) -> None:
    """127.0.0.2 (loopback, like 127.0.0.1) or the Unix socket with the source's port is the
    source: refused before connecting, an error (config, nothing verified), nothing created."""
    port = stack.ports["primary"]
    where = (
        f"/postgres?host={stack.root}&port={port}"
        if host == "unix-socket"
        else f"{host}:{port}/app"
    )
    cfg = backup_config(stack, scratch_dsn=f"postgresql://postgres@{where}")
    before = stack.sql(_DATABASES, db="postgres")
    listing = backup.discover(cfg)
    drill = restore.drill(cfg, pg_config(stack), listing.newest)
    assert drill.refused and "same address and port" in drill.refused, drill.refused
    found = restore_rules.evaluate_restore(listing, drill, cfg, drill.modified)
    assert conclude(found)[:2] == (Outcome.ERROR, ErrorReason.CONFIG)
    assert stack.sql(_DATABASES, db="postgres") == before


# --- the decision, from facts -----------------------------------------------------------------

SOURCE = sameserver.ServerFacts(7716, 1_780_000_000_000_000, False, 1, "0/9000060", "/srv/pg")


def server(**changes: Any) -> sameserver.ServerFacts:
    return dataclasses.replace(SOURCE, **changes)


@pytest.mark.parametrize(
    ("mine", "theirs", "seen", "words"),
    [
        pytest.param(SOURCE, SOURCE, True, "reached by another name", id="lock-seen"),
        pytest.param(SOURCE, SOURCE, False, "same system_identifier and postmaster", id="same-key"),
        pytest.param(
            server(system_identifier=1), SOURCE, True, "reached by another name", id="seen-wins"
        ),
        pytest.param(
            server(started_us=1),
            server(in_recovery=True),
            False,
            "may be the source's primary",
            id="source-is-a-standby",
        ),
        pytest.param(server(started_us=1, timeline=2), SOURCE, False, None, id="promoted-clone"),
        pytest.param(server(started_us=1, data_directory=None), SOURCE, False, None, id="snapshot"),
        pytest.param(server(system_identifier=1, started_us=1), SOURCE, False, None, id="other"),
        pytest.param(
            server(system_identifier=1, started_us=1),
            server(in_recovery=True),
            False,
            None,
            id="other-beside-a-standby-source",
        ),
    ],
)
def test_refusal_from_the_two_servers_facts(
    mine: sameserver.ServerFacts,
    theirs: sameserver.ServerFacts,
    seen: bool,
    words: str | None,
) -> None:
    """The source under any name is refused (a visible lock, or the same identifier and start
    time), so is a server sharing the identifier of a standby source (its primary?); a clone
    (same identifier, another start) and an unrelated server are not."""
    why = sameserver.refusal(mine, theirs, seen, "scratch:5432")
    assert (why is None) if words is None else (why is not None and words in why), why
