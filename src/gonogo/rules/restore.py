"""The restore drill's rule: facts from :mod:`gonogo.probes.restore` + ``[backup]`` thresholds.

Check id served: ``backup.restore``, restored into a scratch database on a separate server, the
source's tables and rows, pg_amcheck clean, within the RTO.

``backup.restore`` is a major check whose findings that prove the backup bad escalate to
blocker: it does not restore, a source table is not in it, rows differ beyond the tolerance,
pg_amcheck finds corruption (the plans require restore tests to succeed 100%). What only leaves
the drill unverified stays major and makes the check an error: refused target, gpg cannot
decrypt it, the restore tool cannot connect, the check's time limit stopped it, source
unreadable, pg_amcheck unable to run. A restore stopped at the RTO fails the ``seconds``
finding only (major: slower than the RTO is not a bad backup); so does a scratch database left
behind.

Rows against the live source: a table may differ by ``row_slack`` rows (writes since the dump),
plus ``row_tolerance`` of the source's rows when the dump is older than
``exact_within_minutes``. Tables are matched by name and, for archives, by OID: a table renamed
since the dump is compared under its new name, one dropped or created since the dump (a newer
OID than any in the dump) is recorded, and only a source table the backup left out fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

from gonogo.model import Comparison, ErrorReason, Finding, Severity, compare, expect, info
from gonogo.rules.backup import age_s_at, none_found, not_verified, swept
from gonogo.schema.data import BackupConfig

if TYPE_CHECKING:
    from gonogo.facts.backup import BackupListing
    from gonogo.facts.restore import RestoreFacts

TOP_TABLES = 10  # per-table rows recorded as evidence (every mismatch is recorded too)
BLOCKER = Severity.BLOCKER


def evaluate_restore(
    listing: BackupListing, facts: RestoreFacts | None, t: BackupConfig, now: dt.datetime
) -> list[Finding]:
    """Findings that prove the backup bad escalate to blocker; "not verified" ones stay major."""
    if facts is None:
        return none_found(listing)
    age_s = age_s_at(facts.modified, now)
    age_h = round(age_s / 3600, 2)
    found = [
        info(
            "file",
            f"{facts.backup}: {facts.size:,} bytes, sha256 {facts.sha256 or 'n/a'}, {age_h} h old",
            facts.backup,
        ),
        info("size_bytes", f"{facts.size:,} bytes", facts.size, "bytes"),
        info("age_hours", f"backup age {age_h} h", age_h, "h"),
        *swept(facts.swept),
        *_stale(facts),
        *_identity(facts),
    ]
    if facts.refused is not None:
        # a refused drill verified nothing: an error (config: point scratch_dsn elsewhere)
        why = f"refused, nothing verified: {facts.refused}"
        target = not_verified(
            "target", why, ErrorReason.CONFIG, facts.scratch_server, "not the source"
        )
        return [*found, target, *_dropped(facts)]
    found += [_restored(facts), _seconds(facts, t)]
    if facts.restored:
        found += _compare_tables(facts, t, age_s / 60)
        found.append(_amcheck(facts, t))
    return [*found, *_dropped(facts)]


def _restored(facts: RestoreFacts) -> Finding:
    into = f"into {facts.scratch}" if facts.scratch else "(no scratch database created)"
    message = f"{facts.detail} {into}"
    if facts.restored is None:
        reason = facts.unverified or ErrorReason.CONFIG
        return not_verified("restored", f"not verified: {message}", reason, None, True)
    return expect("restored", facts.restored, message, facts.restored, True, severity=BLOCKER)


def _seconds(facts: RestoreFacts, t: BackupConfig) -> Finding:
    """Restore time vs RTO, a key figure; measured only when a restore ran to its end or to
    the RTO."""
    steps = _steps(facts)
    if facts.restored is True or facts.stopped == "rto":
        what = f"restore drill seconds ({steps})"
        seconds = compare("seconds", facts.total_s, Comparison.LE, t.rto_s, unit="s", what=what)
    elif facts.stopped == "time_limit":
        limit = f"{facts.time_limit_s:g} s" if facts.time_limit_s is not None else "?"
        why = (
            f"restore time not measured: the drill's time limit ({limit}) ended it before "
            f'rto_s={t.rto_s:g} s; raise [checks."backup.restore"] timeout_s above rto_s'
        )
        seconds = replace(
            not_verified("seconds", why, ErrorReason.CONFIG, facts.total_s, t.rto_s), unit="s"
        )
    else:
        why = f"no restore time to compare with rto_s={t.rto_s:.0f} s ({steps}): not restored"
        seconds = info("seconds", why, facts.total_s, "s")
    return replace(seconds, headline=True)  # restore time vs RTO: a key figure


def _steps(facts: RestoreFacts) -> str:
    """Where the drill's time went: every step with its seconds (the rest is fetching the
    backup, creating and dropping the scratch database)."""
    parts = {"decrypt": facts.decrypt_s, "restore": facts.restore_s, "verify": facts.verify_s}
    rest = round(facts.total_s - sum(parts.values()), 1)
    if rest >= 0.1:
        parts["setup and cleanup"] = rest
    return " + ".join(f"{step} {seconds:.1f} s" for step, seconds in parts.items())


def _identity(facts: RestoreFacts) -> list[Finding]:
    """Which server the drill restored into, and, for a clone of the source (same
    system_identifier), what told it apart from the source."""
    mine, theirs = facts.scratch_identity, facts.source_identity
    if mine is None or theirs is None:
        return []
    measured = {"scratch": asdict(mine), "source": asdict(theirs)}
    if mine.system_identifier != theirs.system_identifier:
        why = (
            f"scratch {facts.scratch_server}: system_identifier {mine.system_identifier}, "
            f"the source's {theirs.system_identifier}"
        )
        return [info("scratch_identity", why, measured)]
    parts = [
        f"postmaster started {_when(mine.started_us)} vs {_when(theirs.started_us)}",
        f"timeline {mine.timeline} vs {theirs.timeline}",
        f"WAL at {mine.wal_lsn} vs {theirs.wal_lsn}",
    ]
    if mine.data_directory and theirs.data_directory:
        parts.append(f"data directory {mine.data_directory} vs {theirs.data_directory}")
    why = (
        f"scratch {facts.scratch_server} shares the source's system_identifier "
        f"{mine.system_identifier} (a clone of it) but is another running server: a lock the "
        f"drill held there was not visible from the source ({'; '.join(parts)})"
    )
    return [info("scratch_identity", why, measured)]


def _when(started_us: int) -> str:
    seconds, micros = divmod(started_us, 1_000_000)
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC) + dt.timedelta(microseconds=micros)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dropped(facts: RestoreFacts) -> list[Finding]:
    if facts.scratch is None:
        return []
    why = (
        "scratch database dropped"
        if facts.scratch_dropped
        else f"scratch {facts.scratch} was NOT dropped: drop it by hand"
    )
    return [expect("scratch_dropped", facts.scratch_dropped, why, facts.scratch_dropped, True)]


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
        why = f"cannot compare with the source: {facts.source_error}"
        reason = facts.source_reason or ErrorReason.CONNECTIVITY
        return [*found, not_verified("source", why, reason)]
    pairs, table_set = _table_set(facts)
    return [
        *found,
        table_set,
        _row_counts(facts, facts.source_tables, pairs, t, age_min),
        _per_table(facts, pairs),
    ]


def _table_set(facts: RestoreFacts) -> tuple[dict[str, str], Finding]:
    """Restored table -> source table (by name, else by OID: renamed), and the set finding."""
    assert facts.source_tables is not None
    source, restored = facts.source_tables, facts.tables
    pairs = {name: name for name in restored if name in source}
    only_backup = sorted(set(restored) - set(source))
    only_source = sorted(set(source) - set(restored))
    backup_oids = facts.backup_oids or {}
    by_oid = {facts.source_oids[n]: n for n in only_source if n in facts.source_oids}
    renamed = {n: by_oid[backup_oids[n]] for n in only_backup if backup_oids.get(n) in by_oid}
    pairs.update(renamed)
    dropped = [n for n in only_backup if n not in renamed]
    rest = [n for n in only_source if n not in renamed.values()]
    newest = max(backup_oids.values(), default=None)
    created = [n for n in rest if newest is not None and facts.source_oids.get(n, 0) > newest]
    left_out = [n for n in rest if n not in created]
    notes = [
        ("renamed since the dump", [f"{a} -> {b}" for a, b in renamed.items()]),
        ("dropped from the source since the dump", dropped),
        ("created since the dump", created),
        ("in the source but NOT in the backup", left_out),
    ]
    said = "; ".join(f"{what}: {', '.join(names)}" for what, names in notes if names)
    why = said or "same tables as the source"
    severity: Severity | None = BLOCKER
    if left_out and facts.backup_oids is None:
        why += " (a plain SQL dump records no OIDs to tell a table created since the dump)"
        severity = None  # cannot tell a backup that left it out from a schema change
    finding = expect(
        "table_set", not left_out, why, sorted(restored), sorted(source), severity=severity
    )
    return pairs, finding


def _row_counts(
    facts: RestoreFacts,
    source: dict[str, int],
    pairs: dict[str, str],
    t: BackupConfig,
    age_min: float,
) -> Finding:
    """Within row_slack rows per table, plus row_tolerance of the source's rows for a dump
    older than exact_within_minutes; a source count that is an estimate gets at least
    estimate_tolerance."""
    fresh = age_min <= t.exact_within_minutes
    tolerance = 0.0 if fresh else t.row_tolerance
    window = f"dump {age_min:.0f} min old"
    rule = (
        f"within {t.row_slack} rows: {window} (<= exact_within_minutes {t.exact_within_minutes:g})"
        if fresh
        else f"within {t.row_slack} rows + {tolerance:.1%}: {window}"
    )
    off = []
    for name, source_name in sorted(pairs.items()):
        have, want = facts.tables[name], source[source_name]
        estimated = source_name in facts.source_estimated
        relative = max(tolerance, t.estimate_tolerance) if estimated else tolerance
        if abs(have - want) > t.row_slack + relative * want:
            shown = name if name == source_name else f"{name} (now {source_name})"
            note = " (estimated)" if estimated else ""
            off.append(f"{shown}: {have:,} restored vs {want:,}{note}")
    rows = sum(facts.tables[n] for n in pairs)
    want_total = sum(source[s] for s in pairs.values())
    why = (
        f"{rows:,} rows match the source ({rule})"
        if not off
        else f"{len(off)} table(s) differ ({rule}): " + "; ".join(off)
    )
    return Finding(
        "row_counts", not off, why, rows, want_total, "rows", Comparison.EQ, severity=BLOCKER
    )


def _per_table(facts: RestoreFacts, pairs: dict[str, str]) -> Finding:
    """Rows restored vs source per table: every difference first, then the largest tables."""
    assert facts.source_tables is not None
    source, estimated = facts.source_tables, facts.source_estimated
    common = sorted(pairs)
    differ = [n for n in common if facts.tables[n] != source[pairs[n]]]
    largest = [n for n in sorted(common, key=lambda n: (-source[pairs[n]], n)) if n not in differ]
    shown = [*differ, *largest[: max(TOP_TABLES - len(differ), 0)]]
    per_table = {
        n: {
            "restored": facts.tables[n],
            "source": source[pairs[n]],
            "source_estimated": pairs[n] in estimated,
            **({"source_table": pairs[n]} if pairs[n] != n else {}),
        }
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
    return not_verified("amcheck", why, facts.amcheck_reason or ErrorReason.CONFIG, None, True)
