"""Backup rules: facts from :mod:`gonogo.probes.backup` and ``probes.restore`` + ``[backup]``.

Check ids served:

- ``backup.freshness``   the newest backup is younger than ``max_age_hours`` (the RPO)
- ``backup.integrity``   checksum matches, the archive reads end to end, size not collapsed
- ``backup.encryption``  the backup is an OpenPGP message and decrypts with the configured key
- ``backup.restore``     restored into a scratch database: tables and rows match, within the RTO

``backup.restore`` is a major check whose findings that prove the backup bad (it does not
restore, tables or rows differ from the source, pg_amcheck finds corruption) escalate to
blocker: the plans require restore tests to succeed 100%. What only leaves the drill unverified
or slow (refused target, source unreadable, pg_amcheck unable to run, RTO exceeded, scratch not
dropped) stays major, as an error or a refusal on a sensitive environment does.
- ``backup.predeploy``   a backup taken within ``predeploy_window_minutes`` before the deploy

``now`` is the run's start time: no rule reads the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from gonogo.model import Comparison, Finding, Severity, compare, expect, info
from gonogo.schema.data import BackupConfig

if TYPE_CHECKING:
    from gonogo.probes.backup import ArchiveFacts, BackupListing, BackupObject
    from gonogo.probes.restore import RestoreFacts

LE, GE, EQ = Comparison.LE, Comparison.GE, Comparison.EQ
CLOCK_SKEW_S = 300  # a backup "from the future" beyond this means a wrong clock or a wrong file
DUMP_FORMATS = ("custom", "tar", "directory", "plain", "gzip")
TOP_TABLES = 10  # per-table rows recorded as evidence (every mismatch is recorded too)
BLOCKER = Severity.BLOCKER


def _age_s_at(modified: dt.datetime, now: dt.datetime) -> float:
    age = (now - modified).total_seconds()
    # a file a moment "in the future" (clocks a little apart) is as old as the run: 0, not -0.0
    if -CLOCK_SKEW_S <= age <= 0:
        return 0.0  # max(-0.0, 0.0) would keep the sign
    return age


def _age_s(obj: BackupObject, now: dt.datetime) -> float:
    return _age_s_at(obj.modified, now)


def _none_found(listing: BackupListing) -> list[Finding]:
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
        return _none_found(listing)
    newest = listing.newest
    hours = round(_age_s(newest, now) / 3600, 2)
    return [
        info("newest", f"newest of {listing.count} backup(s): {newest.name}", newest.name),
        compare("age_hours", hours, LE, t.max_age_hours, unit="h", what=f"age of {newest.name}"),
        *_not_future(newest, now),
    ]


def evaluate_predeploy(listing: BackupListing, t: BackupConfig, now: dt.datetime) -> list[Finding]:
    if listing.newest is None:
        return _none_found(listing)
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
        return _none_found(listing)
    found = [
        info(
            "file", f"{archive.name}: {archive.size:,} bytes, {archive.format} format", archive.name
        )
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
    ok = archive.readable is True
    found.append(
        expect("readable", ok, archive.read_detail or "archive not read", archive.readable, True)
    )
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


def evaluate_encryption(
    listing: BackupListing, archive: ArchiveFacts | None, t: BackupConfig
) -> list[Finding]:
    if archive is None:
        return _none_found(listing)
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
    return found


def evaluate_restore(
    listing: BackupListing, facts: RestoreFacts | None, t: BackupConfig, now: dt.datetime
) -> list[Finding]:
    """Findings that prove the backup bad escalate to blocker; "not verified" ones stay major."""
    if facts is None:
        return _none_found(listing)
    age_s = _age_s_at(facts.modified, now)
    age_h = round(age_s / 3600, 2)
    found = [
        info(
            "file",
            f"{facts.backup}: {facts.size:,} bytes, sha256 {facts.sha256 or 'n/a'}, {age_h} h old",
            facts.backup,
        ),
        info("size_bytes", f"{facts.size:,} bytes", facts.size, "bytes"),
        info("age_hours", f"backup age {age_h} h", age_h, "h"),
    ]
    if facts.refused is not None:
        return [
            *found,
            expect(
                "target", False, f"refused: {facts.refused}", facts.scratch_server, "not the source"
            ),
        ]
    found += _stale(facts)
    into = f"into {facts.scratch}" if facts.scratch else "(no scratch database created)"
    found.append(
        expect(
            "restored",
            facts.restored,
            f"{facts.detail} {into}",
            facts.restored,
            True,
            severity=BLOCKER,
        )
    )
    steps = f"decrypt {facts.decrypt_s:.1f} s + restore {facts.restore_s:.1f} s + verify"
    what = f"restore drill seconds ({steps})"
    seconds = compare("seconds", facts.total_s, LE, t.rto_s, unit="s", what=what)
    found.append(replace(seconds, headline=True))  # restore time vs RTO: a key figure
    if facts.restored:
        found += _compare_tables(facts, t, age_s / 60)
        found.append(_amcheck(facts, t))
    if facts.scratch is not None:
        why = (
            "scratch database dropped"
            if facts.scratch_dropped
            else f"scratch {facts.scratch} was NOT dropped: drop it by hand"
        )
        found.append(
            expect("scratch_dropped", facts.scratch_dropped, why, facts.scratch_dropped, True)
        )
    return found


def _stale(facts: RestoreFacts) -> list[Finding]:
    if not facts.stale:
        return []
    dropped = [n for n in facts.stale if n not in facts.stale_left]
    found = [
        info(
            "stale_dropped",
            f"dropped {len(dropped)} database(s) a killed drill left on {facts.scratch_server}: "
            + ", ".join(dropped),
            dropped,
        )
    ]
    if facts.stale_left:
        why = f"cannot drop leftovers of killed drills on {facts.scratch_server}: " + ", ".join(
            facts.stale_left
        )
        found.append(expect("stale_left", False, why, list(facts.stale_left), []))
    return found


def _compare_tables(facts: RestoreFacts, t: BackupConfig, age_min: float) -> list[Finding]:
    rows = sum(facts.tables.values())
    found = [
        info("tables", f"{len(facts.tables)} tables restored", len(facts.tables)),
        info("rows", f"{rows:,} rows restored", rows, "rows"),
    ]
    if facts.source_tables is None:
        return [
            *found,
            expect("source", False, f"cannot compare with the source: {facts.source_error}"),
        ]
    source = facts.source_tables
    restored_names, source_names = set(facts.tables), set(source)
    missing, extra = sorted(source_names - restored_names), sorted(restored_names - source_names)
    why = (
        "same tables as the source"
        if not missing and not extra
        else f"missing from backup: {missing or '-'}; not in source: {extra or '-'}"
    )
    found.append(
        expect(
            "table_set",
            not missing and not extra,
            why,
            sorted(restored_names),
            sorted(source_names),
            severity=BLOCKER,
        )
    )
    common = sorted(restored_names & source_names)
    return [*found, _row_counts(facts, source, common, t, age_min), _per_table(facts, common)]


def _row_counts(
    facts: RestoreFacts, source: dict[str, int], common: list[str], t: BackupConfig, age_min: float
) -> Finding:
    """Exact for a dump younger than exact_within_minutes, within row_tolerance beyond; a
    source count that is an estimate gets at least estimate_tolerance."""
    exact = age_min <= t.exact_within_minutes
    tolerance = 0.0 if exact else t.row_tolerance
    rule = (
        f"exact: dump {age_min:.0f} min old (<= exact_within_minutes {t.exact_within_minutes:g})"
        if exact
        else f"within {tolerance:.1%}: dump {age_min / 60:.1f} h old"
    )
    off = []
    for name in common:
        have, want = facts.tables[name], source[name]
        estimated = name in facts.source_estimated
        allowed = max(tolerance, t.estimate_tolerance) if estimated else tolerance
        if abs(have - want) > allowed * max(want, 1):
            off.append(
                f"{name}: {have:,} restored vs {want:,}{' (estimated)' if estimated else ''}"
            )
    rows = sum(facts.tables[n] for n in common)
    want_total = sum(source[n] for n in common)
    why = (
        f"{rows:,} rows match the source ({rule})"
        if not off
        else f"{len(off)} table(s) differ ({rule}): " + "; ".join(off)
    )
    return Finding("row_counts", not off, why, rows, want_total, "rows", EQ, severity=BLOCKER)


def _per_table(facts: RestoreFacts, common: list[str]) -> Finding:
    """Rows restored vs source per table: every mismatch first, then the largest tables."""
    assert facts.source_tables is not None
    source, estimated = facts.source_tables, facts.source_estimated
    differ = [n for n in common if facts.tables[n] != source[n]]
    largest = [n for n in sorted(common, key=lambda n: (-source[n], n)) if n not in differ]
    shown = [*differ, *largest[: max(TOP_TABLES - len(differ), 0)]]
    per_table = {
        n: {"restored": facts.tables[n], "source": source[n], "source_estimated": n in estimated}
        for n in shown
    }
    note = f" (source rows estimated for {', '.join(estimated)})" if estimated else ""
    what = f"rows restored vs source for {len(shown)} of {len(common)} tables{note}"
    return info("table_rows", what, per_table, "rows")


def _amcheck(facts: RestoreFacts, t: BackupConfig) -> Finding:
    if facts.amcheck_ok is True:
        return expect("amcheck", True, facts.amcheck_detail, True, True)
    if facts.amcheck_ok is False:
        return expect("amcheck", False, facts.amcheck_detail, False, True, severity=BLOCKER)
    if not t.amcheck:
        return info("amcheck", "pg_amcheck disabled ([backup] amcheck = false)")
    # asked for and not run: the restored data was not verified (fail closed, not a blocker)
    why = f"restored data not verified: {facts.amcheck_detail}"
    return expect("amcheck", False, why, None, True)
