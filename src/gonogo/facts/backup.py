"""What the backup probe found: the listing of backups and what reading the newest archive showed
(:mod:`gonogo.probes.backup` → :mod:`gonogo.rules.backup`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BackupObject:
    """One backup as listed by a source (``modified`` is UTC; ``location`` names it for humans)."""

    name: str
    location: str
    size: int
    modified: dt.datetime


@dataclass(frozen=True, slots=True)
class BackupListing:
    """The newest and previous backup (None when there are none) and how many were found."""

    source: str
    count: int
    newest: BackupObject | None
    previous: BackupObject | None


@dataclass(frozen=True, slots=True)
class ArchiveFacts:
    """What reading the newest backup end to end showed.

    Attributes:
        name / size: the backup file.
        sha256: computed digest; expected_sha256: from ``<file>.sha256`` (None: no sidecar,
            ``"unparseable"``: a sidecar that is not sha256sum output).
        format: as stored (``custom``, ``tar``, ``directory``, ``plain``, ``gzip``, ``openpgp``,
            ``unknown``); inner_format: after decryption (None if not decrypted).
        decrypt_exit: gpg's exit status (None: not attempted), decrypt_detail: its last message.
        readable: the archive read to the end (None: could not try), read_detail: how.
        cipher: the OpenPGP message's symmetric cipher (``AES256``...; None: not encrypted or
            gpg did not say); integrity_protected: it carries an MDC or is AEAD.
        swept: decrypted copies a killed run had left in the work directory, removed first.
    """

    name: str
    size: int
    sha256: str | None
    expected_sha256: str | None
    format: str
    inner_format: str | None
    decrypt_exit: int | None
    decrypt_detail: str
    readable: bool | None
    read_detail: str
    cipher: str | None = None
    integrity_protected: bool | None = None
    swept: tuple[str, ...] = ()
