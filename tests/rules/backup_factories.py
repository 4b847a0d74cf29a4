"""Builders of backup and restore-drill facts for the rule tables: real dataclasses, one line.

``restored()`` is a clean drill 30 minutes after the dump (beyond the default 5-minute window,
so row_slack + row_tolerance apply); pass ``fresh=True`` to take it 2 minutes after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from gonogo.facts.backup import ArchiveFacts, BackupListing, BackupObject
from gonogo.facts.restore import RestoreFacts
from gonogo.model import Finding
from gonogo.schema.data import BackupConfig

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
BUILTINS = (str, int, float, bool, type(None), list, dict)
DIGEST = "ab" * 32
ROWS = {"public.pgbench_accounts": 500_000, "public.pgbench_branches": 5}
# the tables' OIDs in the source when it was dumped (and now, unless a case changes them)
OIDS = {"public.pgbench_accounts": 16471, "public.pgbench_branches": 16474}


def obj(
    age: dt.timedelta = 30 * MINUTE, size: int = 10_000_000, name: str = "app.dump"
) -> BackupObject:
    """A backup file taken ``age`` before NOW."""
    return BackupObject(name, f"/backups/{name}", size, NOW - age)


def listing(
    newest: BackupObject | None = None, previous: BackupObject | None = None
) -> BackupListing:
    """A listing whose newest backup is 30 min old and whose previous one is a day older."""
    newest = newest or obj()
    previous = previous or obj(age=25 * HOUR, name="app-yesterday.dump")
    return BackupListing("/backups/*.dump", 2, newest, previous)


def archive(**changes: Any) -> ArchiveFacts:
    """A custom-format dump whose checksum matches and which pg_restore reads to the end."""
    base = ArchiveFacts(
        "app.dump", 10_000_000, DIGEST, DIGEST, "custom", None, None, "", True, "pg_restore read it"
    )
    return dataclasses.replace(base, **changes)


def encrypted(**changes: Any) -> ArchiveFacts:
    """The same dump as an AES-256 OpenPGP message (with MDC) that gpg decrypted."""
    base = archive(
        format="openpgp",
        inner_format="custom",
        decrypt_exit=0,
        decrypt_detail="ok",
        cipher="AES256",
        integrity_protected=True,
    )
    return dataclasses.replace(base, **changes)


def restored(*, fresh: bool = False, **changes: Any) -> RestoreFacts:
    """A drill that restored 500,005 rows in 2 minutes, matching the source, scratch dropped."""
    base = RestoreFacts(
        backup="app.dump",
        size=10_000_000,
        sha256=DIGEST,
        modified=NOW - (2 * MINUTE if fresh else 30 * MINUTE),
        source="db:5432/app",
        scratch_server="scratch:5432",
        scratch="scratch:5432/gonogo_restore_0123456789ab",
        restored=True,
        detail="pg_restore restored the custom archive",
        restore_s=110.0,
        verify_s=8.0,
        total_s=120.0,
        tables=dict(ROWS),
        backup_oids=dict(OIDS),
        source_tables=dict(ROWS),
        source_oids=dict(OIDS),
        amcheck_ok=True,
        amcheck_detail="pg_amcheck --heapallindexed: no corruption",
    )
    return dataclasses.replace(base, **changes)


def config(**overrides: Any) -> BackupConfig:
    return BackupConfig(directory="/backups", **overrides)


def names(findings: list[Finding]) -> set[str]:
    """Names of the failing findings (after checking every value crosses xdist as a builtin)."""
    assert findings, "a rule must always measure something"
    for f in findings:
        assert isinstance(f.measured, BUILTINS) and isinstance(f.threshold, BUILTINS), f
    return {f.name for f in findings if not f.ok}
