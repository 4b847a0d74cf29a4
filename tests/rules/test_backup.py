"""Table tests of the backup rules: listings, archive and restore facts built in memory."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gonogo.facts.backup import ArchiveFacts, BackupListing
from gonogo.model import ErrorReason
from gonogo.rules import backup as rules
from gonogo.rules import restore as restore_rules
from gonogo.schema.data import BackupConfig
from rules.backup_factories import (
    HOUR,
    MINUTE,
    NOW,
    archive,
    config,
    encrypted,
    listing,
    names,
    obj,
)


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
        pytest.param(encrypted(cipher="CAST5"), {"cipher"}, id="cast5"),
        pytest.param(encrypted(cipher="AES128"), {"cipher"}, id="aes128-not-in-the-plans"),
        pytest.param(encrypted(integrity_protected=False), {"cipher"}, id="aes256-without-mdc"),
    ],
)
def test_encryption(archived: ArchiveFacts, expected: set[str]) -> None:
    """backup.encryption: an OpenPGP message with an allowed cipher that the configured key
    decrypts into a dump (plans: AES-256)."""
    cfg = config(encrypted=True, passphrase="s3cret")
    assert names(rules.evaluate_encryption(listing(), archived, cfg)) == expected


@pytest.mark.parametrize(
    ("ciphers", "cipher", "ok"),
    [
        pytest.param(["AES128", "AES192", "AES256"], "AES128", True, id="any-aes-allows-aes128"),
        pytest.param(["aes-256"], "AES256", True, id="names-normalised"),
        pytest.param(["AES256"], "CAMELLIA256", False, id="camellia-not-allowed"),
    ],
)
def test_cipher_allow_list(ciphers: list[str], cipher: str, ok: bool) -> None:
    """[backup] ciphers is the allow-list; the algorithm gpg reported is the evidence."""
    cfg = config(encrypted=True, passphrase="s3cret", ciphers=ciphers)
    found = {f.name: f for f in rules.evaluate_encryption(listing(), encrypted(cipher=cipher), cfg)}
    assert found["cipher"].ok is ok and found["cipher"].measured == cipher
    assert cipher in found["cipher"].message


def test_unknown_cipher_name_is_a_config_error() -> None:
    """A cipher gpg does not know by that name is refused when the environment file loads."""
    with pytest.raises(ValidationError, match="unknown cipher"):
        config(ciphers=["ROT13"])


def test_cipher_not_reported_is_not_verified() -> None:
    """A decryption without DECRYPTION_INFO says nothing about the cipher: not verified."""
    cfg = config(encrypted=True, passphrase="s3cret")
    [found] = [f for f in rules.evaluate_encryption(listing(), encrypted(cipher=None), cfg) if not f.ok]
    assert found.name == "cipher" and found.unverified is ErrorReason.CONFIG


@pytest.mark.parametrize(
    ("archived", "reason"),
    [
        pytest.param(
            encrypted(decrypt_exit=2, readable=None, read_detail="not read: gpg could not decrypt it"),
            ErrorReason.AUTH,
            id="undecryptable",
        ),
        pytest.param(
            encrypted(decrypt_exit=None, readable=None, read_detail="no passphrase configured"),
            ErrorReason.CONFIG,
            id="no-key-configured",
        ),
    ],
)
def test_unread_archive_is_not_verified(archived: ArchiveFacts, reason: ErrorReason) -> None:
    """An archive that could not be decrypted was not read: integrity is not verified (an
    error with its reason), never reported as a corrupt backup."""
    [found] = [f for f in rules.evaluate_integrity(listing(), archived, config()) if not f.ok]
    assert (found.name, found.unverified, found.severity) == ("readable", reason, None)


def test_swept_plaintext_is_evidence() -> None:
    """Decrypted copies a killed run left, removed before reading, are named as evidence."""
    left = ("/tmp/gonogo-0/gonogo-gpg-abc",)
    found = {f.name: f for f in rules.evaluate_integrity(listing(), archive(swept=left), config())}
    assert found["stale_plaintext"].ok and found["stale_plaintext"].measured == list(left)


def test_encryption_not_required_is_info() -> None:
    """Without encrypted = true the rule only records the format."""
    assert names(rules.evaluate_encryption(listing(), archive(), config())) == set()


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
        "restore": lambda: restore_rules.evaluate_restore(empty, None, cfg, NOW),
    }[rule]()
    assert names(found) == {"backup"}
    assert "no backup matches /backups/*.dump" in found[0].message


def test_cipher_allow_list_reads_as_words() -> None:
    """The allowed ciphers are listed as words, not as a Python list."""
    cfg = config(encrypted=True, passphrase="s3cret", ciphers=["AES192", "AES256"])
    found = {f.name: f for f in rules.evaluate_encryption(listing(), encrypted(cipher="CAST5"), cfg)}
    assert found["cipher"].message.endswith("NOT allowed (ciphers = AES192, AES256)")
