"""The backup probes against real dumps and gpg: discovery, integrity, encryption."""

from __future__ import annotations

import datetime as dt
import stat
import subprocess
from pathlib import Path

import pytest

from gonogo.probes import backup, gpg
from gonogo.rules import backup as backup_rules
from probes.datastack import (
    PASSPHRASE,
    PG_BIN,
    Stack,
    backup_config,
    failing,
    gpg_leftovers,
    needs_servers,
)

pytestmark = needs_servers


# --- backups ------------------------------------------------------------------------------------


def test_good_dump_passes_integrity(stack: Stack) -> None:
    """A complete pg_dump -Fc with a matching .sha256 passes backup.integrity."""
    cfg = backup_config(stack)
    listing = backup.discover(cfg)
    assert listing.count == 1 and listing.newest is not None  # the .sha256 sidecar is not a backup
    archive = backup.inspect(cfg, listing.newest)
    assert archive.format == "custom" and archive.sha256 == archive.expected_sha256
    assert failing(backup_rules.evaluate_integrity(listing, archive, cfg)) == set()


def test_truncated_dump_fails_integrity_although_its_toc_lists(stack: Stack) -> None:
    """pg_restore -l passes a truncated dump; reading it to the end (-f /dev/null) does not."""
    cfg = backup_config(stack, "bad", "app-truncated.dump")
    truncated = stack.root / "backups" / "bad" / "app-truncated.dump"
    toc = subprocess.run(
        [str(PG_BIN / "pg_restore"), "-l", str(truncated)], capture_output=True, timeout=60
    )
    assert toc.returncode == 0  # the trap: the table of contents is at the front
    archive = backup.inspect(cfg, backup.discover(cfg).newest)
    assert archive.readable is False and "pg_restore exit 1" in archive.read_detail
    assert "readable" in failing(
        backup_rules.evaluate_integrity(backup.discover(cfg), archive, cfg)
    )


def test_wrong_checksum_fails_integrity(stack: Stack) -> None:
    """A sidecar that does not match the file fails backup.integrity."""
    cfg = backup_config(stack, "bad", "app-wrongsum.dump")
    listing = backup.discover(cfg)
    archive = backup.inspect(cfg, listing.newest)
    assert failing(backup_rules.evaluate_integrity(listing, archive, cfg)) == {"checksum"}


@pytest.mark.parametrize(
    ("name", "fmt", "readable"),
    [
        pytest.param("app.sql", "plain", True, id="plain"),
        pytest.param("cut.sql", "plain", False, id="plain-truncated"),
        pytest.param("app.sql.gz", "gzip", True, id="gzip"),
        pytest.param("cut.sql.gz", "gzip", False, id="gzip-truncated"),
    ],
)
def test_plain_sql_dumps(stack: Stack, name: str, fmt: str, readable: bool) -> None:
    """Plain SQL dumps (gzipped or not) are complete only with pg_dump's trailer at the end."""
    cfg = backup_config(stack, "plain", name)
    archive = backup.inspect(cfg, backup.discover(cfg).newest)
    assert (archive.format, archive.readable) == (fmt, readable), archive.read_detail


def test_encrypted_backup_decrypts_and_reads(stack: Stack, tmp_path: Path) -> None:
    """The gpg copy is an OpenPGP message that decrypts with the passphrase and reads end to end."""
    cfg = backup_config(
        stack, "encrypted", "*.gpg", encrypted=True, passphrase=PASSPHRASE, work_dir=tmp_path
    )
    listing = backup.discover(cfg)
    archive = backup.inspect(cfg, listing.newest)
    assert (archive.format, archive.decrypt_exit, archive.inner_format, archive.readable) == (
        "openpgp",
        0,
        "custom",
        True,
    )
    assert failing(backup_rules.evaluate_encryption(listing, archive, cfg)) == set()
    assert gpg_leftovers(tmp_path) == []


def test_wrong_passphrase_fails_encryption(stack: Stack, tmp_path: Path) -> None:
    """gpg exits 2 on a wrong passphrase: backup.encryption and backup.integrity both fail."""
    cfg = backup_config(
        stack,
        "encrypted",
        "*.gpg",
        encrypted=True,
        passphrase="not-the-passphrase",
        work_dir=tmp_path,
    )
    listing = backup.discover(cfg)
    archive = backup.inspect(cfg, listing.newest)
    assert archive.decrypt_exit == 2 and archive.readable is None
    assert failing(backup_rules.evaluate_encryption(listing, archive, cfg)) == {"decrypts"}
    assert "readable" in failing(backup_rules.evaluate_integrity(listing, archive, cfg))
    assert "not-the-passphrase" not in repr(archive) and gpg_leftovers(tmp_path) == []


def test_unencrypted_backup_fails_encryption(stack: Stack) -> None:
    """A plain pg_dump where encryption is required fails backup.encryption."""
    cfg = backup_config(stack, encrypted=True, passphrase=PASSPHRASE)
    listing = backup.discover(cfg)
    assert failing(
        backup_rules.evaluate_encryption(listing, backup.inspect(cfg, listing.newest), cfg)
    ) == {"openpgp"}


def test_stale_backup_fails_freshness_and_predeploy(stack: Stack) -> None:
    """A backup two days old fails the 24 h RPO and the pre-deploy window; a fresh one passes."""
    cfg = backup_config(stack)
    now = backup.discover(cfg).newest.modified + dt.timedelta(minutes=5)
    assert failing(backup_rules.evaluate_freshness(backup.discover(cfg), cfg, now)) == set()
    assert failing(backup_rules.evaluate_predeploy(backup.discover(cfg), cfg, now)) == set()
    later = now + dt.timedelta(days=2)
    assert failing(backup_rules.evaluate_freshness(backup.discover(cfg), cfg, later)) == {
        "age_hours"
    }
    assert failing(backup_rules.evaluate_predeploy(backup.discover(cfg), cfg, later)) == {
        "age_minutes"
    }


def test_no_backup_fails(stack: Stack) -> None:
    """An empty backup location fails freshness and predeploy with 'no backup'."""
    cfg = backup_config(stack, pattern="*.nothing")
    listing = backup.discover(cfg)
    now = dt.datetime.now(dt.UTC)
    assert listing.newest is None and failing(
        backup_rules.evaluate_predeploy(listing, cfg, now)
    ) == {"backup"}


def test_decrypted_copy_is_private_and_removed(stack: Stack, tmp_path: Path) -> None:
    """The plaintext of an encrypted backup is 0600 in a 0700 directory, gone after the block."""
    cfg = backup_config(
        stack, "encrypted", "*.gpg", encrypted=True, passphrase=PASSPHRASE, work_dir=tmp_path
    )
    newest = backup.discover(cfg).newest
    with gpg.decrypted(Path(newest.location), cfg) as decryption:
        plain = decryption.plain
        assert decryption.exit_code == 0 and plain is not None and backup.sniff(plain) == "custom"
        assert stat.S_IMODE(plain.stat().st_mode) == 0o600
        assert stat.S_IMODE(plain.parent.stat().st_mode) == 0o700
    assert not plain.exists() and gpg_leftovers(tmp_path) == []
