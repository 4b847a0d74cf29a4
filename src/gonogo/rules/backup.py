"""Backup rules: facts from :mod:`gonogo.probes.backup` + ``[backup]`` thresholds.

Check ids served:

- ``backup.freshness``   the newest backup is younger than ``max_age_hours`` (the RPO)
- ``backup.integrity``   checksum matches, the archive reads end to end, size not collapsed
- ``backup.encryption``  an OpenPGP message with an allowed cipher that the configured key
  decrypts into a dump
- ``backup.predeploy``   a backup taken within ``predeploy_window_minutes`` before the deploy
- ``backup.restore``     see :mod:`gonogo.rules.restore`

An archive gpg could not decrypt is not verified (the key may be the gate's problem), not
unreadable: ``backup.integrity`` then ends as an error, ``backup.encryption`` fails.

``now`` is the run's start time: no rule reads the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from gonogo.model import Comparison, ErrorReason, Finding, compare, expect, info
from gonogo.schema.data import BackupConfig

if TYPE_CHECKING:
    from gonogo.facts.backup import ArchiveFacts, BackupListing, BackupObject

LE, GE, EQ = Comparison.LE, Comparison.GE, Comparison.EQ
CLOCK_SKEW_S = 300  # a backup "from the future" beyond this means a wrong clock or a wrong file
DUMP_FORMATS = ("custom", "tar", "directory", "plain", "gzip")


def not_verified(
    name: str, message: str, reason: ErrorReason, measured: Any = None, threshold: Any = None
) -> Finding:
    """A finding that could not be concluded either way: the check ends as an error."""
    return Finding(name, False, message, measured, threshold, comparison=EQ, unverified=reason)


def swept(paths: tuple[str, ...]) -> list[Finding]:
    """Evidence of the decrypted copies a killed run had left, removed before this read."""
    if not paths:
        return []
    why = f"removed {len(paths)} decrypted cop(ies) a killed run left: " + ", ".join(paths)
    return [info("stale_plaintext", why, list(paths))]


def age_s_at(modified: dt.datetime, now: dt.datetime) -> float:
    age = (now - modified).total_seconds()
    # a file a moment "in the future" (clocks a little apart) is as old as the run: 0, not -0.0
    if -CLOCK_SKEW_S <= age <= 0:
        return 0.0  # max(-0.0, 0.0) would keep the sign
    return age


def _age_s(obj: BackupObject, now: dt.datetime) -> float:
    return age_s_at(obj.modified, now)


def none_found(listing: BackupListing) -> list[Finding]:
    return [expect("backup", False, f"no backup matches {listing.source}", 0, ">= 1")]


def _not_future(obj: BackupObject, now: dt.datetime) -> list[Finding]:
    if _age_s(obj, now) >= -CLOCK_SKEW_S:
        return []
    when = obj.modified.isoformat(timespec="seconds")
    return [
        expect("clock", False, f"{obj.name} is dated {when}, in the future: check clocks", when)
    ]


def evaluate_freshness(listing: BackupListing, t: BackupConfig, now: dt.datetime) -> list[Finding]:
    if listing.newest is None:
        return none_found(listing)
    newest = listing.newest
    hours = round(_age_s(newest, now) / 3600, 2)
    return [
        info("newest", f"newest of {listing.count} backup(s): {newest.name}", newest.name),
        compare("age_hours", hours, LE, t.max_age_hours, unit="h", what=f"age of {newest.name}"),
        *_not_future(newest, now),
    ]


def evaluate_predeploy(listing: BackupListing, t: BackupConfig, now: dt.datetime) -> list[Finding]:
    if listing.newest is None:
        return none_found(listing)
    newest = listing.newest
    minutes = round(_age_s(newest, now) / 60, 1)
    what = f"minutes since the pre-deploy backup {newest.name} was taken"
    return [
        compare("age_minutes", minutes, LE, t.predeploy_window_minutes, unit="min", what=what),
        *_not_future(newest, now),
    ]


def evaluate_integrity(
    listing: BackupListing, archive: ArchiveFacts | None, t: BackupConfig
) -> list[Finding]:
    if archive is None:
        return none_found(listing)
    found = [
        info(
            "file", f"{archive.name}: {archive.size:,} bytes, {archive.format} format", archive.name
        ),
        *swept(archive.swept),
    ]
    expected, digest = archive.expected_sha256, archive.sha256
    if expected is None:
        why = f"no {archive.name}.sha256 next to the backup"
        found.append(
            expect("checksum", False, why, None, "sha256")
            if t.require_checksum
            else info("checksum", why)
        )
    elif expected == "unparseable":
        found.append(
            expect(
                "checksum",
                False,
                f"{archive.name}.sha256 is not sha256sum output",
                expected,
                "sha256",
            )
        )
    else:
        same = digest == expected
        why = f"sha256 {'matches' if same else 'DIFFERS from'} {archive.name}.sha256"
        found.append(expect("checksum", same, why, digest, expected))
    found.append(_readable(archive))
    previous = listing.previous
    if previous is not None and previous.size > 0:
        ratio = round(archive.size / previous.size, 3)
        what = (
            f"size vs previous backup {previous.name} ({archive.size:,} / {previous.size:,} bytes)"
        )
        found.append(compare("size_ratio", ratio, GE, t.min_size_ratio, what=what))
    else:
        found.append(info("size_ratio", "no previous backup to compare the size with"))
    return found


def _readable(archive: ArchiveFacts) -> Finding:
    detail = archive.read_detail or "archive not read"
    if archive.readable is not None:
        return expect("readable", archive.readable, detail, archive.readable, True)
    # never read: a key the gate lacks is not corruption (backup.encryption judges the key)
    cannot_decrypt = archive.decrypt_exit not in (None, 0)
    reason = ErrorReason.AUTH if cannot_decrypt else ErrorReason.CONFIG
    return not_verified("readable", f"not verified: {detail}", reason, None, True)


def evaluate_encryption(
    listing: BackupListing, archive: ArchiveFacts | None, t: BackupConfig
) -> list[Finding]:
    if archive is None:
        return none_found(listing)
    if not t.encrypted:
        return [
            info(
                "encrypted",
                f"{archive.name} is {archive.format} (encryption not required)",
                archive.format,
            )
        ]
    is_pgp = archive.format == "openpgp"
    state = "an OpenPGP message" if is_pgp else f"NOT encrypted ({archive.format} format)"
    why = f"{archive.name} is {state}"
    found = [expect("openpgp", is_pgp, why, archive.format, "openpgp")]
    if not is_pgp:
        return found
    if archive.decrypt_exit is None:
        found.append(expect("decrypts", False, archive.read_detail, None, 0))
        return found
    ok = archive.decrypt_exit == 0
    why = (
        "decrypts with the configured key"
        if ok
        else f"gpg cannot decrypt it (exit {archive.decrypt_exit}: {archive.decrypt_detail})"
    )
    found.append(expect("decrypts", ok, why, archive.decrypt_exit, 0))
    if ok:
        inner = archive.inner_format
        found.append(
            expect(
                "content",
                inner in DUMP_FORMATS,
                f"decrypted content is a {inner} dump",
                inner,
                "pg_dump",
            )
        )
        found.append(_cipher(archive, t))
    return found


def _cipher(archive: ArchiveFacts, t: BackupConfig) -> Finding:
    allowed = list(t.ciphers)
    if archive.cipher is None:
        why = "gpg did not report the cipher (no DECRYPTION_INFO status; gpg 2.1+ reports it)"
        return not_verified("cipher", why, ErrorReason.CONFIG, None, allowed)
    how = {True: ", integrity protected", False: ", NOT integrity protected", None: ""}[
        archive.integrity_protected
    ]
    ok = archive.cipher in allowed and archive.integrity_protected is not False
    verdict = "allowed" if ok else "NOT allowed"
    why = f"encrypted with {archive.cipher}{how}: {verdict} (ciphers = {', '.join(allowed)})"
    return expect("cipher", ok, why, archive.cipher, allowed)
