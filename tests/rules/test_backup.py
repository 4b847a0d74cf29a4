"""Table tests of the backup rules: listings, archive and restore facts built in memory."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from gonogo.model import Finding, Severity
from gonogo.probes.backup import ArchiveFacts, BackupListing, BackupObject
from gonogo.probes.restore import RestoreFacts
from gonogo.rules import backup as rules
from gonogo.schema.data import BackupConfig

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
BUILTINS = (str, int, float, bool, type(None), list, dict)
DIGEST = "ab" * 32
ROWS = {"public.pgbench_accounts": 500_000, "public.pgbench_branches": 5}


# --- builders ---------------------------------------------------------------------------------


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
    """The same dump as an OpenPGP message that gpg decrypted with the configured passphrase."""
    base = archive(format="openpgp", inner_format="custom", decrypt_exit=0, decrypt_detail="ok")
    return dataclasses.replace(base, **changes)


def restored(**changes: Any) -> RestoreFacts:
    """A drill that restored 500,005 rows in 2 minutes, matching the source, scratch dropped."""
    base = RestoreFacts(
        backup="app.dump",
        size=10_000_000,
        sha256=DIGEST,
        modified=NOW - 30 * MINUTE,
        source="db:5432/app",
        scratch_server="scratch:5432",
        scratch="scratch:5432/gonogo_restore_0123456789ab",
        restored=True,
        detail="pg_restore restored the custom archive",
        restore_s=110.0,
        total_s=120.0,
        tables=dict(ROWS),
        source_tables=dict(ROWS),
        amcheck_ok=True,
        amcheck_detail="pg_amcheck --heapallindexed: no corruption",
    )
    return dataclasses.replace(base, **changes)


def config(**overrides: Any) -> BackupConfig:
    return BackupConfig(directory="/backups", **overrides)


def names(findings: list[Finding]) -> set[str]:
    assert findings, "a rule must always measure something"
    for f in findings:  # measured values cross xdist as plain builtins
        assert isinstance(f.measured, BUILTINS) and isinstance(f.threshold, BUILTINS), f
    return {f.name for f in findings if not f.ok}


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(listing(), {}, set(), id="30-minutes-old"),
        pytest.param(listing(obj(age=23 * HOUR)), {}, set(), id="23h-within-rpo"),
        pytest.param(listing(obj(age=30 * HOUR)), {}, {"age_hours"}, id="30h-stale"),
        pytest.param(
            listing(obj(age=2 * HOUR)), {"max_age_hours": 1}, {"age_hours"}, id="wal-rpo-1h"
        ),
        pytest.param(
            BackupListing("/backups/*.dump", 0, None, None), {}, {"backup"}, id="no-backup"
        ),
        pytest.param(listing(obj(age=-2 * HOUR)), {}, {"clock"}, id="from-the-future"),
    ],
)
def test_freshness(given: BackupListing, overrides: dict[str, Any], expected: set[str]) -> None:
    """backup.freshness: the newest backup is younger than max_age_hours (the RPO)."""
    assert names(rules.evaluate_freshness(given, config(**overrides), NOW)) == expected


@pytest.mark.parametrize(
    ("given", "overrides", "expected"),
    [
        pytest.param(listing(), {}, set(), id="30-minutes-before"),
        pytest.param(listing(obj(age=90 * MINUTE)), {}, {"age_minutes"}, id="90-minutes-before"),
        pytest.param(
            listing(obj(age=90 * MINUTE)),
            {"predeploy_window_minutes": 120},
            set(),
            id="wider-window",
        ),
        pytest.param(
            BackupListing("/b/*.dump", 0, None, None), {}, {"backup"}, id="deploy-without-backup"
        ),
    ],
)
def test_predeploy(given: BackupListing, overrides: dict[str, Any], expected: set[str]) -> None:
    """backup.predeploy: no deploy without a backup taken within the window before it."""
    assert names(rules.evaluate_predeploy(given, config(**overrides), NOW)) == expected


@pytest.mark.parametrize(
    ("given", "archived", "overrides", "expected"),
    [
        pytest.param(listing(), archive(), {}, set(), id="clean"),
        pytest.param(
            listing(), archive(expected_sha256="cd" * 32), {}, {"checksum"}, id="wrong-checksum"
        ),
        pytest.param(
            listing(),
            archive(expected_sha256="unparseable"),
            {},
            {"checksum"},
            id="garbled-sidecar",
        ),
        pytest.param(listing(), archive(expected_sha256=None), {}, set(), id="no-sidecar-allowed"),
        pytest.param(
            listing(),
            archive(expected_sha256=None),
            {"require_checksum": True},
            {"checksum"},
            id="no-sidecar-required",
        ),
        pytest.param(
            listing(),
            archive(readable=False, read_detail="pg_restore exit 1"),
            {},
            {"readable"},
            id="truncated",
        ),
        pytest.param(
            listing(),
            encrypted(readable=None, read_detail="not decrypted"),
            {},
            {"readable"},
            id="unreadable-encrypted",
        ),
        pytest.param(
            listing(obj(size=1_000_000)),
            archive(size=1_000_000),
            {},
            {"size_ratio"},
            id="shrank-to-a-tenth",
        ),
        pytest.param(
            listing(obj(size=6_000_000)), archive(size=6_000_000), {}, set(), id="shrank-to-60pct"
        ),
        pytest.param(BackupListing("/b", 1, obj(), None), archive(), {}, set(), id="first-backup"),
    ],
)
def test_integrity(
    given: BackupListing, archived: ArchiveFacts, overrides: dict[str, Any], expected: set[str]
) -> None:
    """backup.integrity: checksum matches, reads end to end, size not collapsed."""
    assert names(rules.evaluate_integrity(given, archived, config(**overrides))) == expected


@pytest.mark.parametrize(
    ("archived", "expected"),
    [
        pytest.param(encrypted(), set(), id="decrypts"),
        pytest.param(archive(), {"openpgp"}, id="unencrypted"),
        pytest.param(
            encrypted(decrypt_exit=2, decrypt_detail="Bad session key", inner_format=None),
            {"decrypts"},
            id="wrong-passphrase",
        ),
        pytest.param(
            encrypted(decrypt_exit=None, read_detail="no passphrase"),
            {"decrypts"},
            id="not-attempted",
        ),
        pytest.param(encrypted(inner_format="unknown"), {"content"}, id="decrypts-to-garbage"),
    ],
)
def test_encryption(archived: ArchiveFacts, expected: set[str]) -> None:
    """backup.encryption: an OpenPGP message that the configured key decrypts into a dump."""
    cfg = config(encrypted=True, passphrase="s3cret")
    assert names(rules.evaluate_encryption(listing(), archived, cfg)) == expected


def test_encryption_not_required_is_info() -> None:
    """Without encrypted = true the rule only records the format."""
    assert names(rules.evaluate_encryption(listing(), archive(), config())) == set()


@pytest.mark.parametrize(
    ("drill", "overrides", "expected"),
    [
        pytest.param(restored(), {}, set(), id="clean"),
        pytest.param(
            restored(refused="scratch is the source", restored=False),
            {},
            {"target"},
            id="refused-same-target",
        ),
        pytest.param(
            restored(restored=False, detail="pg_restore exit 1", tables={}),
            {},
            {"restored"},
            id="restore-failed",
        ),
        pytest.param(restored(total_s=20000.0), {}, {"seconds"}, id="slower-than-rto"),
        pytest.param(restored(total_s=120.0), {"rto_s": 60}, {"seconds"}, id="tight-rto"),
        pytest.param(
            restored(tables={"public.pgbench_accounts": 500_000}),
            {},
            {"table_set"},
            id="table-missing",
        ),
        pytest.param(
            restored(tables={**ROWS, "public.old": 1}), {}, {"table_set"}, id="table-extra"
        ),
        pytest.param(
            restored(source_tables={**ROWS, "public.pgbench_accounts": 500_100}),
            {},
            {"row_counts"},
            id="rows-differ-exact",
        ),
        pytest.param(
            restored(source_tables={**ROWS, "public.pgbench_accounts": 500_100}),
            {"row_tolerance": 0.01},
            {"row_counts"},
            id="fresh-dump-is-exact-whatever-the-tolerance",
        ),
        pytest.param(
            restored(
                modified=NOW - 2 * HOUR, source_tables={**ROWS, "public.pgbench_accounts": 510_000}
            ),
            {},
            set(),
            id="2h-old-dump-within-5pct",
        ),
        pytest.param(
            restored(
                modified=NOW - 2 * HOUR, source_tables={**ROWS, "public.pgbench_accounts": 600_000}
            ),
            {},
            {"row_counts"},
            id="2h-old-dump-beyond-5pct",
        ),
        pytest.param(
            restored(source_tables={**ROWS, "public.pgbench_accounts": 500_100}),
            {"exact_within_minutes": 10, "row_tolerance": 0.01},
            set(),
            id="30min-old-dump-outside-a-10min-window",
        ),
        pytest.param(
            restored(
                source_tables={**ROWS, "public.pgbench_accounts": 530_000},
                source_estimated=("public.pgbench_accounts",),
            ),
            {},
            set(),
            id="estimated-source-within-10pct",
        ),
        pytest.param(
            restored(
                source_tables={**ROWS, "public.pgbench_accounts": 700_000},
                source_estimated=("public.pgbench_accounts",),
            ),
            {},
            {"row_counts"},
            id="estimated-source-beyond-10pct",
        ),
        pytest.param(
            restored(tables={**ROWS, "public.pgbench_branches": 0}),
            {"row_tolerance": 0.5, "exact_within_minutes": 0},
            {"row_counts"},
            id="empty-table-beyond-any-tolerance",
        ),
        pytest.param(
            restored(source_tables=None, source_error="cannot connect"),
            {},
            {"source"},
            id="source-unreadable",
        ),
        pytest.param(
            restored(amcheck_ok=False, amcheck_detail="corruption"),
            {},
            {"amcheck"},
            id="amcheck-corruption",
        ),
        pytest.param(
            restored(amcheck_ok=None, amcheck_detail="pg_amcheck could not run (exit 1)"),
            {},
            {"amcheck"},
            id="amcheck-could-not-run-fails-closed",
        ),
        pytest.param(
            restored(amcheck_ok=None, amcheck_detail="not run"),
            {"amcheck": False},
            set(),
            id="amcheck-disabled",
        ),
        pytest.param(
            restored(stale=("gonogo_restore_dead00000000",)),
            {},
            set(),
            id="stale-database-dropped-is-evidence",
        ),
        pytest.param(
            restored(
                stale=("gonogo_restore_dead00000000",), stale_left=("gonogo_restore_dead00000000",)
            ),
            {},
            {"stale_left"},
            id="stale-database-not-droppable",
        ),
        pytest.param(
            restored(restored=False, scratch=None, tables={}, detail="not restored: gpg exit 2"),
            {},
            {"restored"},
            id="undecryptable-creates-nothing",
        ),
        pytest.param(
            restored(scratch_dropped=False), {}, {"scratch_dropped"}, id="scratch-left-behind"
        ),
    ],
)
def test_restore(drill: RestoreFacts, overrides: dict[str, Any], expected: set[str]) -> None:
    """backup.restore: restored, same tables and rows as the source, within the RTO, cleaned up."""
    assert names(rules.evaluate_restore(listing(), drill, config(**overrides), NOW)) == expected


@pytest.mark.parametrize(
    ("drill", "severities"),
    [
        pytest.param(
            restored(restored=False, detail="pg_restore exit 1", tables={}),
            {"restored": Severity.BLOCKER},
            id="not-restored",
        ),
        pytest.param(
            restored(tables={"public.pgbench_accounts": 500_000}),
            {"table_set": Severity.BLOCKER},
            id="table-missing",
        ),
        pytest.param(
            restored(source_tables={**ROWS, "public.pgbench_accounts": 1}),
            {"row_counts": Severity.BLOCKER},
            id="rows-differ",
        ),
        pytest.param(
            restored(amcheck_ok=False, amcheck_detail="corruption"),
            {"amcheck": Severity.BLOCKER},
            id="corruption",
        ),
        pytest.param(restored(total_s=20000.0), {"seconds": None}, id="rto-stays-major"),
        pytest.param(
            restored(amcheck_ok=None, amcheck_detail="could not run"),
            {"amcheck": None},
            id="amcheck-unverified-stays-major",
        ),
        pytest.param(
            restored(refused="scratch is the source", restored=False),
            {"target": None},
            id="refusal-stays-major",
        ),
        pytest.param(
            restored(source_tables=None, source_error="cannot connect"),
            {"source": None},
            id="source-unreadable-stays-major",
        ),
    ],
)
def test_restore_severity(drill: RestoreFacts, severities: dict[str, Severity | None]) -> None:
    """A backup proven bad escalates backup.restore to blocker; an unverified or slow drill
    stays major."""
    found = rules.evaluate_restore(listing(), drill, config(), NOW)
    assert {f.name: f.severity for f in found if not f.ok} == severities


def test_restore_evidence_names_no_database_it_did_not_create() -> None:
    """When decryption fails, the evidence says no scratch database was created."""
    drill = restored(restored=False, scratch=None, tables={}, detail="not restored: gpg exit 2")
    found = {f.name: f for f in rules.evaluate_restore(listing(), drill, config(), NOW)}
    assert "no scratch database created" in found["restored"].message
    assert "gonogo_restore_" not in found["restored"].message
    assert "scratch_dropped" not in found


def test_restore_records_rows_per_table() -> None:
    """Per-table rows (restored vs source) are evidence: every mismatch, then the largest."""
    tables = {f"public.t{i:02}": 100 + i for i in range(15)}
    source = {**tables, "public.t00": 7}
    drill = restored(tables=tables, source_tables=source)
    found = {f.name: f for f in rules.evaluate_restore(listing(), drill, config(), NOW)}
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
    fresh = {f.name: f for f in rules.evaluate_freshness(listing(obj(age=-ahead)), config(), NOW)}
    assert fresh["age_hours"].measured == 0.0 and "-0" not in fresh["age_hours"].message


@pytest.mark.parametrize(
    ("fields", "source"),
    [
        pytest.param(
            {"directory": "/var/backups/app"}, ("file", "/var/backups/app"), id="directory"
        ),
        pytest.param(
            {"location": "file:///var/backups/app"}, ("file", "/var/backups/app"), id="file-url"
        ),
        pytest.param(
            {"location": "/var/backups/app"}, ("file", "/var/backups/app"), id="plain-path"
        ),
    ],
)
def test_backup_location(fields: dict[str, str], source: tuple[str, str]) -> None:
    """[backup] location (file:// URL or path) or the older directory key name the source."""
    assert BackupConfig(**fields).source == source


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        pytest.param({}, "exactly one", id="neither"),
        pytest.param({"location": "file:///a", "directory": "/b"}, "exactly one", id="both"),
        pytest.param(
            {"location": "s3://bucket/app"}, "s3:// is not supported", id="object-store-later"
        ),
        pytest.param({"location": "backups"}, "absolute", id="relative"),
    ],
)
def test_backup_location_errors(fields: dict[str, str], words: str) -> None:
    """A location without a source class, or two locations, is a configuration error."""
    with pytest.raises(ValidationError, match=words):
        BackupConfig(**fields)


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


def test_passphrase_never_in_findings() -> None:
    """No finding of the encryption or integrity rules carries the passphrase."""
    cfg = config(encrypted=True, passphrase="s3cret-pass")
    found = rules.evaluate_encryption(listing(), encrypted(decrypt_exit=2), cfg)
    found += rules.evaluate_integrity(listing(), encrypted(readable=None), cfg)
    assert all("s3cret-pass" not in repr(f.to_wire()) for f in found)
    assert "s3cret-pass" not in repr(cfg)


@pytest.mark.parametrize("rule", ["integrity", "encryption", "restore"])
def test_no_backup_fails_every_backup_check(rule: str) -> None:
    """With no backup at all, integrity, encryption and the drill fail with 'no backup'."""
    empty = BackupListing("/backups/*.dump", 0, None, None)
    cfg = config(encrypted=True, passphrase="x")
    found = {
        "integrity": lambda: rules.evaluate_integrity(empty, None, cfg),
        "encryption": lambda: rules.evaluate_encryption(empty, None, cfg),
        "restore": lambda: rules.evaluate_restore(empty, None, cfg, NOW),
    }[rule]()
    assert names(found) == {"backup"}
    assert "no backup matches /backups/*.dump" in found[0].message
