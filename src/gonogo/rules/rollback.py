"""Rollback readiness: the previous release and the pre-deploy backup are still available.

Check ids: ``rollback.command``, ``rollback.artefact``, ``rollback.backup``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.facts.rollback import ArtefactFacts, CommandFacts
from gonogo.model import Finding, expect, info

if TYPE_CHECKING:
    from gonogo.facts.backup import BackupListing


def evaluate_artefact(facts: ArtefactFacts) -> list[Finding]:
    """``rollback.artefact``: the previous release artefact exists and is not empty."""
    size = f", {facts.size:,} bytes" if facts.size else ""
    return [
        expect(
            "previous_artefact",
            facts.found,
            f"previous release {facts.location}: {facts.detail}{size}",
            facts.detail,
            "available",
        )
    ]


def evaluate_backup(listing: BackupListing, marker: str) -> list[Finding]:
    """``rollback.backup``: the newest or previous backup's name contains ``marker`` (the
    pre-deploy backup of this release, e.g. ``db_1.4.2``)."""
    candidates = [b for b in (listing.newest, listing.previous) if b is not None]
    match = next((b for b in candidates if marker and marker in b.name), None)
    seen = ", ".join(b.name for b in candidates) or "no backup"
    found = [
        info(
            "listing",
            f"{listing.count} backups in {listing.source}; newest: {seen}",
            listing.count,
            "backups",
        ),
        expect(
            "predeploy_backup",
            match is not None,
            f"pre-deploy backup named with {marker!r}: "
            + (
                f"{match.name}, {match.size:,} bytes, taken {match.modified.isoformat()}"
                if match
                else f"none among the newest ({seen})"
            ),
            match.name if match else None,
            marker,
        ),
    ]
    return found


def evaluate_command(facts: CommandFacts) -> list[Finding]:
    """``rollback.command``: the command is a regular file its user may execute."""
    if not facts.exists:
        state = "does not exist"
    elif not facts.is_file:
        state = "is not a regular file"
    elif not facts.executable:
        state = f"is not executable (mode {facts.mode:04o}, owner {facts.owner})"
    else:
        state = f"is executable (mode {facts.mode:04o}, owner {facts.owner})"
    ok = facts.exists and facts.is_file and facts.executable
    return [
        expect(
            "rollback_command",
            ok,
            f"{facts.path} on {facts.host} {state}",
            f"{facts.mode:04o}" if facts.exists else "missing",
            "an executable regular file",
        )
    ]
