"""Table tests of the restore drill's rule: drill facts built in memory -> which findings fail."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from gonogo.facts.restore import RestoreFacts, ServerFacts
from gonogo.model import ErrorReason, Outcome, Severity, conclude
from gonogo.rules import backup as backup_rules
from gonogo.rules import restore as rules
from rules.backup_factories import (
    DIGEST,
    HOUR,
    MINUTE,
    NOW,
    OIDS,
    ROWS,
    config,
    listing,
    names,
    obj,
    restored,
)

ACCOUNTS, BRANCHES = "public.pgbench_accounts", "public.pgbench_branches"
KILLED_AT_RTO = dict(restored=None, unverified=ErrorReason.TIMEOUT, stopped="rto", tables={}, total_s=14401.0, detail="restore stopped at rto_s=14400 s")
TIME_LIMIT = dict(restored=None, unverified=ErrorReason.CONFIG, stopped="time_limit", time_limit_s=940.0, tables={}, total_s=941.0, detail="the check's time limit stopped the restore")
NO_CONNECTION = dict(restored=None, unverified=ErrorReason.CONNECTIVITY, tables={}, detail="pg_restore could not connect to the drill database")
UNDECRYPTABLE = dict(restored=None, unverified=ErrorReason.AUTH, scratch=None, tables={}, detail="not restored: gpg exit 2")


@pytest.mark.parametrize(
    ("drill", "overrides", "expected"),
    [
        pytest.param(restored(), {}, set(), id="clean"),
        pytest.param(restored(refused="scratch is the source", restored=False, scratch=None), {}, {"target"}, id="refused-same-target"),
        pytest.param(restored(refused="the session landed on the source", restored=None), {}, {"target"}, id="refused-after-create-still-drops"),
        pytest.param(restored(restored=False, detail="pg_restore exit 1", tables={}), {}, {"restored"}, id="restore-failed"),
        pytest.param(restored(total_s=20000.0), {}, {"seconds"}, id="slower-than-rto"),
        pytest.param(restored(total_s=120.0), {"rto_s": 60}, {"seconds"}, id="tight-rto"),
        pytest.param(restored(**KILLED_AT_RTO), {}, {"restored", "seconds"}, id="killed-at-the-rto"),
        pytest.param(restored(**TIME_LIMIT), {}, {"restored", "seconds"}, id="stopped-by-the-check-time-limit"),
        pytest.param(restored(**NO_CONNECTION), {}, {"restored"}, id="tool-cannot-connect"),
        pytest.param(restored(**UNDECRYPTABLE), {}, {"restored"}, id="undecryptable-creates-nothing"),
        # tables: matched by name, then by OID
        pytest.param(restored(tables={ACCOUNTS: 500_000}, backup_oids={ACCOUNTS: 16471}, source_oids={ACCOUNTS: 16471, BRANCHES: 16400}), {}, {"table_set"}, id="source-table-left-out-of-the-backup"),
        pytest.param(restored(tables={ACCOUNTS: 500_000}, backup_oids={ACCOUNTS: 16471}, source_oids={ACCOUNTS: 16471, BRANCHES: 20000}), {}, set(), id="source-table-created-since-the-dump"),
        pytest.param(restored(tables={ACCOUNTS: 500_000}, backup_oids=None), {}, {"table_set"}, id="plain-dump-cannot-tell-new-from-left-out"),
        pytest.param(restored(tables={**ROWS, "public.old": 1}, backup_oids={**OIDS, "public.old": 16300}), {}, set(), id="table-dropped-from-the-source-since"),
        pytest.param(restored(source_tables={ACCOUNTS: 500_000, "public.branches_v2": 5}, source_oids={ACCOUNTS: 16471, "public.branches_v2": 16474}), {}, set(), id="table-renamed-since-the-dump"),
        pytest.param(restored(source_tables={ACCOUNTS: 500_000, "public.branches_v2": 900}, source_oids={ACCOUNTS: 16471, "public.branches_v2": 16474}), {}, {"row_counts"}, id="renamed-table-rows-still-compared"),
        # rows: row_slack always, row_tolerance beyond exact_within_minutes
        pytest.param(restored(fresh=True, source_tables={**ROWS, ACCOUNTS: 500_001}), {}, set(), id="one-insert-after-a-fresh-dump"),
        pytest.param(restored(fresh=True, source_tables={**ROWS, ACCOUNTS: 500_200}), {}, {"row_counts"}, id="fresh-dump-beyond-row-slack"),
        pytest.param(restored(fresh=True, source_tables={**ROWS, ACCOUNTS: 500_200}), {"row_tolerance": 0.5}, {"row_counts"}, id="fresh-dump-ignores-the-tolerance"),
        pytest.param(restored(source_tables={**ROWS, ACCOUNTS: 500_200}), {}, set(), id="30min-old-dump-within-slack-and-5pct"),
        pytest.param(restored(tables={**ROWS, BRANCHES: 0}, source_tables={**ROWS, BRANCHES: 1}), {}, set(), id="table-empty-at-dump-time-grew"),
        pytest.param(restored(modified=NOW - 2 * HOUR, source_tables={**ROWS, ACCOUNTS: 510_000}), {}, set(), id="2h-old-dump-within-5pct"),
        pytest.param(restored(modified=NOW - 2 * HOUR, source_tables={**ROWS, ACCOUNTS: 600_000}), {}, {"row_counts"}, id="2h-old-dump-beyond-5pct"),
        pytest.param(restored(source_tables={**ROWS, ACCOUNTS: 530_000}, source_estimated=(ACCOUNTS,)), {}, set(), id="estimated-source-within-10pct"),
        pytest.param(restored(source_tables={**ROWS, ACCOUNTS: 700_000}, source_estimated=(ACCOUNTS,)), {}, {"row_counts"}, id="estimated-source-beyond-10pct"),
        pytest.param(restored(tables={ACCOUNTS: 0, BRANCHES: 0}), {"row_tolerance": 0.5}, {"row_counts"}, id="emptied-backup-beyond-a-50pct-tolerance"),
        pytest.param(restored(tables={**ROWS, BRANCHES: 0}), {"row_slack": 0}, {"row_counts"}, id="small-table-emptied-without-slack"),
        pytest.param(restored(source_tables=None, source_error="cannot connect"), {}, {"source"}, id="source-unreadable"),
        pytest.param(restored(amcheck_ok=False, amcheck_detail="corruption"), {}, {"amcheck"}, id="amcheck-corruption"),
        pytest.param(restored(amcheck_ok=None, amcheck_detail="pg_amcheck could not run (exit 1)"), {}, {"amcheck"}, id="amcheck-could-not-run-fails-closed"),
        pytest.param(restored(amcheck_ok=None, amcheck_detail="not run"), {"amcheck": False}, set(), id="amcheck-disabled"),
        pytest.param(restored(stale=("gonogo_restore_dead00000000",)), {}, set(), id="stale-database-dropped-is-evidence"),
        pytest.param(restored(stale=("gonogo_restore_dead00000000",), stale_left=("gonogo_restore_dead00000000",)), {}, {"stale_left"}, id="stale-database-not-droppable"),
        pytest.param(restored(swept=("/tmp/gonogo-0/gonogo-gpg-x",)), {}, set(), id="swept-plaintext-is-evidence"),
        pytest.param(restored(scratch_dropped=False), {}, {"scratch_dropped"}, id="scratch-left-behind"),
    ],
)
def test_restore(drill: RestoreFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """backup.restore: restored, the source's tables and rows, within the RTO, cleaned up."""
    assert names(rules.evaluate_restore(listing(), drill, config(**overrides), NOW)) == expected


@pytest.mark.parametrize(
    ("drill", "severities"),
    [
        pytest.param(restored(restored=False, detail="pg_restore exit 1", tables={}), {"restored": Severity.BLOCKER}, id="not-restored"),
        pytest.param(restored(tables={ACCOUNTS: 500_000}, source_oids={ACCOUNTS: 16471, BRANCHES: 16400}), {"table_set": Severity.BLOCKER}, id="table-left-out"),
        pytest.param(restored(tables={ACCOUNTS: 500_000}, backup_oids=None), {"table_set": None}, id="plain-dump-table-missing-stays-major"),
        pytest.param(restored(source_tables={**ROWS, ACCOUNTS: 1}), {"row_counts": Severity.BLOCKER}, id="rows-differ"),
        pytest.param(restored(amcheck_ok=False, amcheck_detail="corruption"), {"amcheck": Severity.BLOCKER}, id="corruption"),
        pytest.param(restored(total_s=20000.0), {"seconds": None}, id="rto-stays-major"),
        pytest.param(restored(**KILLED_AT_RTO), {"restored": None, "seconds": None}, id="killed-at-rto-stays-major"),
        pytest.param(restored(**NO_CONNECTION), {"restored": None}, id="cannot-connect-stays-major"),
        pytest.param(restored(amcheck_ok=None, amcheck_detail="could not run"), {"amcheck": None}, id="amcheck-unverified-stays-major"),
        pytest.param(restored(refused="scratch is the source", restored=False), {"target": None}, id="refusal-stays-major"),
        pytest.param(restored(source_tables=None, source_error="cannot connect"), {"source": None}, id="source-unreadable-stays-major"),
    ],
)
def test_restore_severity(drill: RestoreFacts, severities: dict[str, Severity | None]) -> None:
    """A backup proven bad escalates backup.restore to blocker; an unverified or slow drill
    stays major."""
    found = rules.evaluate_restore(listing(), drill, config(), NOW)
    assert {f.name: f.severity for f in found if not f.ok} == severities


@pytest.mark.parametrize(
    ("drill", "unverified"),
    [
        pytest.param(restored(**KILLED_AT_RTO), {"restored": ErrorReason.TIMEOUT, "seconds": None}, id="rto-fails-seconds-plainly"),
        pytest.param(restored(**TIME_LIMIT), {"restored": ErrorReason.CONFIG, "seconds": ErrorReason.CONFIG}, id="time-limit-is-not-verified"),
        pytest.param(restored(**NO_CONNECTION), {"restored": ErrorReason.CONNECTIVITY}, id="no-connection-is-not-verified"),
        pytest.param(restored(**UNDECRYPTABLE), {"restored": ErrorReason.AUTH}, id="undecryptable-is-not-verified"),
        pytest.param(restored(source_tables=None, source_error="timeout", source_reason=ErrorReason.TIMEOUT), {"source": ErrorReason.TIMEOUT}, id="source-timeout"),
        pytest.param(restored(amcheck_ok=None, amcheck_detail="pg_amcheck could not finish: timeout", amcheck_reason=ErrorReason.TIMEOUT), {"amcheck": ErrorReason.TIMEOUT}, id="amcheck-timeout"),
        pytest.param(restored(restored=False, detail="pg_restore exit 1", tables={}), {"restored": None}, id="bad-backup-is-a-plain-failure"),
        pytest.param(restored(refused="scratch is the source", restored=False, scratch=None), {"target": ErrorReason.CONFIG}, id="refused-before-connecting-is-config"),
        pytest.param(restored(refused="the session landed on the source", restored=None), {"target": ErrorReason.CONFIG}, id="refused-after-create-is-config"),
    ],
)
def test_what_is_not_verified(drill: RestoreFacts, unverified: dict[str, ErrorReason | None]) -> None:
    """Findings that leave the drill unverified carry their reason (the check is an error);
    a restore killed at the RTO fails only its seconds plainly (the check fails, major)."""
    found = rules.evaluate_restore(listing(), drill, config(), NOW)
    assert {f.name: f.unverified for f in found if not f.ok} == unverified


def test_time_limit_says_what_to_raise() -> None:
    """A drill the check's time limit stopped names the setting to raise above rto_s."""
    found = {f.name: f for f in rules.evaluate_restore(listing(), restored(**TIME_LIMIT), config(), NOW)}
    assert 'raise [checks."backup.restore"] timeout_s above rto_s' in found["seconds"].message
    assert found["seconds"].headline


def test_table_changes_since_the_dump_are_recorded() -> None:
    """A rename, a drop and a creation on the source since the dump are named in the table_set
    finding, which still passes; rows of the renamed table are compared under its new name."""
    drill = restored(
        tables={**ROWS, "public.old": 3},
        backup_oids={**OIDS, "public.old": 16300},
        source_tables={ACCOUNTS: 500_000, "public.branches_v2": 5, "public.new": 7},
        source_oids={ACCOUNTS: 16471, "public.branches_v2": 16474, "public.new": 17000},
    )
    found = {f.name: f for f in rules.evaluate_restore(listing(), drill, config(), NOW)}
    message = found["table_set"].message
    assert found["table_set"].ok and found["row_counts"].ok
    assert f"renamed since the dump: {BRANCHES} -> public.branches_v2" in message
    assert "dropped from the source since the dump: public.old" in message
    assert "created since the dump: public.new" in message
    assert found["table_rows"].measured[BRANCHES]["source_table"] == "public.branches_v2"


def test_restore_evidence_names_no_database_it_did_not_create() -> None:
    """When decryption fails, the evidence says no scratch database was created."""
    found = {f.name: f for f in rules.evaluate_restore(listing(), restored(**UNDECRYPTABLE), config(), NOW)}
    assert "no scratch database created" in found["restored"].message
    assert "gonogo_restore_" not in found["restored"].message
    assert "scratch_dropped" not in found


def test_refusal_after_create_still_reports_the_drop() -> None:
    """A session that landed elsewhere stops the drill; the database it created is dropped and
    that is evidence too."""
    drill = restored(refused="the drill's connection reached the SOURCE server", restored=None)
    found = {f.name: f for f in rules.evaluate_restore(listing(), drill, config(), NOW)}
    assert not found["target"].ok and "SOURCE" in found["target"].message
    assert found["scratch_dropped"].ok


def test_restore_records_rows_per_table() -> None:
    """Per-table rows (restored vs source) are evidence: every mismatch, then the largest."""
    tables = {f"public.t{i:02}": 100 + i for i in range(15)}
    source = {**tables, "public.t00": 7}
    drill = restored(tables=tables, source_tables=source, backup_oids=None, source_oids={})
    found = {f.name: f for f in rules.evaluate_restore(listing(), drill, config(row_slack=0), NOW)}
    per_table = found["table_rows"].measured
    assert len(per_table) == rules.TOP_TABLES and next(iter(per_table)) == "public.t00"
    assert per_table["public.t00"] == {"restored": 100, "source": 7, "source_estimated": False}
    assert "public.t14" in per_table  # the largest table
    assert "public.t00: 100 restored vs 7" in found["row_counts"].message


@pytest.mark.parametrize("ahead", [dt.timedelta(0), dt.timedelta(seconds=1), 4 * MINUTE])
def test_age_of_a_just_taken_backup_is_zero(ahead: dt.timedelta) -> None:
    """A backup dated a moment after the run's start (clocks slightly apart) is 0 h old, never
    -0.0 h; beyond the clock-skew allowance it is a clock finding."""
    drill = restored(modified=NOW + ahead)
    found = {f.name: f for f in rules.evaluate_restore(listing(), drill, config(), NOW)}
    assert found["age_hours"].measured == 0.0 and "-0.0" not in found["file"].message
    fresh = {f.name: f for f in backup_rules.evaluate_freshness(listing(obj(age=-ahead)), config(), NOW)}
    assert fresh["age_hours"].measured == 0.0 and "-0" not in fresh["age_hours"].message


def test_restore_evidence() -> None:
    """The drill records file, size, sha256, age, tables, rows and seconds as evidence."""
    findings = {f.name: f for f in rules.evaluate_restore(listing(), restored(), config(), NOW)}
    assert DIGEST in findings["file"].message
    assert findings["size_bytes"].measured == 10_000_000
    assert findings["age_hours"].measured == 0.5
    assert findings["tables"].measured == 2
    assert findings["rows"].measured == 500_005
    assert findings["seconds"].measured == 120.0 and findings["seconds"].threshold == 14400
    assert [name for name, f in findings.items() if f.headline] == ["seconds"]  # a key figure


@pytest.mark.parametrize(
    ("drill", "words"),
    [
        pytest.param(restored(), "decrypt 0.0 s + restore 110.0 s + verify 8.0 s + setup and cleanup 2.0 s", id="every-step-timed"),
        pytest.param(restored(decrypt_s=3.5, restore_s=100.0, verify_s=16.5), "decrypt 3.5 s + restore 100.0 s + verify 16.5 s)", id="no-rest-to-name"),
        pytest.param(restored(**KILLED_AT_RTO, restore_s=14399.0, verify_s=0.0), "restore 14399.0 s + verify 0.0 s + setup and cleanup 2.0 s", id="killed-at-the-rto"),
    ],
)
def test_restore_time_names_every_step_with_its_seconds(drill: RestoreFacts, words: str) -> None:
    """The restore key figure gives each step its time (verify too), and the rest of the
    drill's time as setup and cleanup: the parts add up to the measured total."""
    found = {f.name: f for f in rules.evaluate_restore(listing(), drill, config(), NOW)}
    assert words in found["seconds"].message, found["seconds"].message
    assert "verify)" not in found["seconds"].message and "verify +" not in found["seconds"].message


def test_refused_drill_is_an_error_not_a_failure() -> None:
    """A refused drill verified nothing: its check ends as an error (config), with the refusal
    and the scratch server in the evidence, never as a failed backup."""
    drill = restored(refused="scratch 127.0.0.1:5432 is the source server", restored=False, scratch=None)
    found = rules.evaluate_restore(listing(), drill, config(), NOW)
    assert conclude(found)[:2] == (Outcome.ERROR, ErrorReason.CONFIG)
    target = next(f for f in found if f.name == "target")
    assert "is the source server" in target.message and target.measured == "scratch:5432"


def test_no_restore_time_when_nothing_restored() -> None:
    """A drill that restored nothing has no time to compare with the RTO: recorded, not passed
    off as fast."""
    found = {f.name: f for f in rules.evaluate_restore(listing(), restored(**NO_CONNECTION), config(), NOW)}
    assert found["seconds"].ok and found["seconds"].comparison.value == "info"
    assert "no restore time" in found["seconds"].message


SOURCE_SERVER = ServerFacts(7716, 1_780_000_000_000_000, False, 1, "0/9000060", "/srv/pg/main")


@pytest.mark.parametrize(
    ("scratch_server", "words"),
    [
        pytest.param(
            dataclasses.replace(SOURCE_SERVER, started_us=1_780_000_100_000_001, timeline=2, wal_lsn="0/A0000A0", data_directory="/srv/drill"),
            "shares the source's system_identifier 7716 (a clone of it) but is another running server: a lock the drill held there was not visible from the source (postmaster started 2026-05-28T20:28:20.000001Z vs 2026-05-28T20:26:40.000000Z; timeline 2 vs 1; WAL at 0/A0000A0 vs 0/9000060; data directory /srv/drill vs /srv/pg/main)",
            id="clone",
        ),
        pytest.param(
            dataclasses.replace(SOURCE_SERVER, started_us=1, data_directory=None),
            "timeline 1 vs 1; WAL at 0/9000060 vs 0/9000060)",
            id="snapshot-data-directory-hidden",
        ),
        pytest.param(
            dataclasses.replace(SOURCE_SERVER, system_identifier=1234),
            "scratch scratch:5432: system_identifier 1234, the source's 7716",
            id="unrelated-server",
        ),
    ],
)
def test_scratch_identity_is_evidence(scratch_server: ServerFacts, words: str) -> None:
    """The drill records which server it restored into; for a clone of the source (same
    system_identifier) what told it apart, as plain builtins."""
    drill = restored(scratch_identity=scratch_server, source_identity=SOURCE_SERVER)
    found = {f.name: f for f in rules.evaluate_restore(listing(), drill, config(), NOW)}
    assert found["scratch_identity"].ok and words in found["scratch_identity"].message
    assert found["scratch_identity"].measured["source"]["system_identifier"] == 7716
