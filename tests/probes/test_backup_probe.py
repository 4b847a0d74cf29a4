"""The backup probes against real dumps and gpg: discovery, integrity, encryption."""

from __future__ import annotations

import datetime as dt
import os
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from gonogo.errors import ProbeError
from gonogo.model import ErrorReason
from gonogo.probes import backup, gpg, workspace
from gonogo.rules import backup as backup_rules
from probes.datastack import (
    PASSPHRASE,
    PG_BIN,
    Stack,
    backup_config,
    encrypted_config,
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
    cfg = encrypted_config(stack, work_dir=tmp_path)
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
    """gpg exits 2 on a wrong passphrase: backup.encryption fails and backup.integrity is not
    verified (nothing was read), rather than reported corrupt."""
    cfg = encrypted_config(stack, passphrase="not-the-passphrase", work_dir=tmp_path)
    listing = backup.discover(cfg)
    archive = backup.inspect(cfg, listing.newest)
    assert archive.decrypt_exit == 2 and archive.readable is None
    assert failing(backup_rules.evaluate_encryption(listing, archive, cfg)) == {"decrypts"}
    [unread] = [f for f in backup_rules.evaluate_integrity(listing, archive, cfg) if not f.ok]
    assert unread.name == "readable" and unread.unverified is ErrorReason.AUTH  # not corrupt
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
    cfg = encrypted_config(stack, work_dir=tmp_path)
    newest = backup.discover(cfg).newest
    with gpg.decrypted(Path(newest.location), cfg) as decryption:
        plain = decryption.plain
        assert decryption.exit_code == 0 and plain is not None and backup.sniff(plain) == "custom"
        assert stat.S_IMODE(plain.stat().st_mode) == 0o600
        assert stat.S_IMODE(plain.parent.stat().st_mode) == 0o700
    assert not plain.exists() and gpg_leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("where", "cipher", "expected"),
    [
        pytest.param("encrypted", "AES256", set(), id="aes256"),
        pytest.param("encrypted-cast5", "CAST5", {"cipher"}, id="cast5"),
    ],
)
def test_cipher_comes_from_gpg(
    stack: Stack, tmp_path: Path, where: str, cipher: str, expected: set[str]
) -> None:
    """gpg's DECRYPTION_INFO names the cipher (recorded as evidence); CAST5 decrypts fine but is
    not the plans' AES-256, so backup.encryption fails on it alone."""
    cfg = encrypted_config(stack, where, work_dir=tmp_path)
    listing = backup.discover(cfg)
    archive = backup.inspect(cfg, listing.newest)
    assert (archive.cipher, archive.integrity_protected, archive.readable) == (cipher, True, True)
    found = backup_rules.evaluate_encryption(listing, archive, cfg)
    assert failing(found) == expected
    assert next(f for f in found if f.name == "cipher").measured == cipher


# --- the private work directory -------------------------------------------------------------------


def _owned_dir(root: Path, owner: str | None, *, age_s: float = 0.0) -> Path:
    made = root / f"{workspace.PREFIX}{len(list(root.iterdir()))}"
    made.mkdir(mode=0o700)
    (made / "plain").write_bytes(b"decrypted rows")
    if owner is not None:
        (made / workspace.OWNER).write_text(owner)
    if age_s:
        then = time.time() - age_s
        os.utime(made, (then, then))
    return made


def test_sweep_removes_only_directories_of_dead_processes(tmp_path: Path) -> None:
    """A killed run's decrypted copy (owner PID gone, or the PID reused by another process) is
    removed and named; a live owner's, another host's, and one just being set up are kept."""
    host, me = socket.gethostname(), os.getpid()
    child = subprocess.Popen(["true"])
    child.wait()  # a PID that has surely exited
    gone = _owned_dir(tmp_path, f"{child.pid} 1 {host}\n")
    reused = _owned_dir(tmp_path, f"{me} 1 {host}\n")  # our PID, another start time
    live = _owned_dir(tmp_path, workspace._me())
    elsewhere = _owned_dir(tmp_path, f"{child.pid} 1 another-host\n")
    fresh = _owned_dir(tmp_path, None)
    abandoned = _owned_dir(tmp_path, None, age_s=2 * workspace.SETUP_GRACE_S)
    removed = workspace.sweep(tmp_path)
    assert sorted(removed) == sorted(str(p) for p in (gone, reused, abandoned))
    assert all(p.is_dir() for p in (live, elsewhere, fresh))


def test_default_work_dir_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default work directory is <temp>/gonogo-<uid>, 0700; one that is a symlink (someone
    could point it anywhere) is refused as a configuration error."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    root = workspace.root(None)
    assert root == tmp_path / f"gonogo-{os.getuid()}" and stat.S_IMODE(root.stat().st_mode) == 0o700
    with workspace.private_dir(None) as made:
        assert stat.S_IMODE(made.stat().st_mode) == 0o700 and (made / workspace.OWNER).is_file()
    assert not made.exists()
    root.rmdir()
    (tmp_path / "elsewhere").mkdir()
    root.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ProbeError, match="not a directory of this user"):
        workspace.root(None)
