"""The backup listing, read once per run for every check that judges it (``backup.*`` and
``rollback.backup``); names the check's target (the location and pattern)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.probes import backup

if TYPE_CHECKING:
    from gonogo.gate import Gate
    from gonogo.probes.backup import BackupListing


def listing(gate: Gate) -> BackupListing:
    """The newest and previous backups of ``[backup]``."""
    cfg = gate.require("backup")
    where = backup.source_for(cfg).describe()
    gate.target(where)
    return gate.shared(f"backups:{where}", lambda: backup.discover(cfg))
