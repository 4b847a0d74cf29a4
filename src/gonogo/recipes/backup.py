"""Backup facts, gathered once per run: the listing of backups (``backup.*``, the restore
drill, ``rollback.backup``) and what reading the newest archive shows (integrity, encryption).
The listing names the check's target (the backups' location)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.probes import backup

if TYPE_CHECKING:
    from gonogo.facts.backup import ArchiveFacts, BackupListing
    from gonogo.gate import Gate


def where(gate: Gate) -> str:
    """The backups' location as the reports show it (``/backups/*.dump``)."""
    return backup.source_for(gate.require("backup")).describe()


def listing(gate: Gate) -> BackupListing:
    """The backups found, newest first."""
    cfg, location = gate.require("backup"), where(gate)
    gate.target(location)
    return gate.shared(f"backups:{location}", lambda: backup.discover(cfg))


def archive(gate: Gate, found: BackupListing) -> ArchiveFacts | None:
    """What reading the newest backup of ``found`` shows (None when there is none)."""
    newest, cfg = found.newest, gate.require("backup")
    if newest is None:
        return None
    return gate.shared(f"backup:{newest.location}", lambda: backup.inspect(cfg, newest))
