"""What a restore drill did and measured, and which servers it reached (:mod:`gonogo.probes.restore`
→ :mod:`gonogo.rules.restore`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gonogo.model import ErrorReason


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """Who a connection reached.

    Attributes:
        system_identifier: of the cluster (shared by every physical copy of it).
        started_us: the postmaster's start, microseconds since the epoch.
        in_recovery: a standby.
        timeline: the current timeline (a standby: of its last checkpoint).
        wal_lsn: current WAL position (a standby: last replayed).
        data_directory: None when hidden from the role (needs ``pg_read_all_settings``).
    """

    system_identifier: int
    started_us: int
    in_recovery: bool
    timeline: int
    wal_lsn: str
    data_directory: str | None

    @property
    def key(self) -> tuple[int, int]:
        """What tells one running server from every other: identifier and start time."""
        return self.system_identifier, self.started_us


@dataclass(frozen=True, slots=True)
class RestoreFacts:
    """What the drill did and measured.

    Attributes:
        backup / size / sha256 / modified: the backup that was restored.
        source: ``host:port/db`` of the source; scratch_server: ``host:port`` of the scratch
            server; scratch: ``host:port/db`` of the database created (None: none was).
        refused: why the drill did not run or stopped (the target is not safe), else None.
        stale / stale_left: databases of killed drills found at the start / not droppable.
        swept: decrypted copies of killed runs removed from the work directory at the start.
        restored: True restored; False the backup does not restore (a bad backup); None not
            proven either way (``unverified`` says why: gpg could not decrypt it, the tool could
            not connect, it was stopped at the RTO or the time limit). ``detail``: what happened.
        stopped: ``"rto"`` or ``"time_limit"`` when the restore was killed (else None);
            time_limit_s: the drill's time limit (None: only the RTO).
        decrypt_s / restore_s / verify_s / total_s: wall-clock seconds (verify: row counts
            and pg_amcheck on the restored database; total: fetch to drop).
        tables: rows per restored table; backup_oids: each table's OID in the source at dump
            time (the archive's table of contents; None for plain SQL dumps).
        source_tables: rows per table in the source now (None when the source could not be
            read: ``source_error``, ``source_reason``); source_oids: their OIDs; source_estimated: the source
            tables whose rows are the statistics' estimate, not ``count(*)``.
        amcheck_ok: pg_amcheck found no corruption (None: not run; ``amcheck_detail`` why,
            ``amcheck_reason`` timeout or config).
        scratch_dropped: the scratch database no longer exists after the drill.
        scratch_identity / source_identity: the two servers as the guard saw them (None: the
            drill was refused or stopped before).
    """

    backup: str
    size: int
    sha256: str | None
    modified: dt.datetime
    source: str
    scratch_server: str
    scratch: str | None = None
    refused: str | None = None
    stale: tuple[str, ...] = ()
    stale_left: tuple[str, ...] = ()
    swept: tuple[str, ...] = ()
    restored: bool | None = False
    unverified: ErrorReason | None = None
    stopped: str | None = None
    time_limit_s: float | None = None
    detail: str = ""
    decrypt_s: float = 0.0
    restore_s: float = 0.0
    verify_s: float = 0.0
    total_s: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)
    backup_oids: dict[str, int] | None = None
    source_tables: dict[str, int] | None = None
    source_oids: dict[str, int] = field(default_factory=dict)
    source_estimated: tuple[str, ...] = ()
    source_error: str | None = None
    source_reason: ErrorReason | None = None
    amcheck_ok: bool | None = None
    amcheck_detail: str = "not run"
    amcheck_reason: ErrorReason | None = None
    scratch_dropped: bool = True
    scratch_identity: ServerFacts | None = None
    source_identity: ServerFacts | None = None


@dataclass(frozen=True, slots=True)
class TableCounts:
    """Rows and OID per user table, and the tables whose rows are an estimate."""

    rows: dict[str, int]
    oids: dict[str, int]
    estimated: tuple[str, ...]
