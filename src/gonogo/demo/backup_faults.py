"""Backup faults: damage a copy of the backups directory, keep the pristine one aside.

The first active backup fault moves the pristine directory to the fault stash; every change of
the active set rebuilds the live directory from it and applies each active fault in turn, so
faults compose and the last revert simply moves the pristine directory back.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from gonogo.demo.backups import DUMP_NAME, STAMP, dump_name, dumps, sha256_file, write_checksum
from gonogo.demo.components import Components

Damage = Callable[[Components, Path], None]
STALE_BY = dt.timedelta(days=3)


def _newest(directory: Path) -> Path | None:
    found = dumps(directory)
    return found[-1] if found else None


def _stale(c: Components, directory: Path) -> None:
    """Every dump and its sidecars 3 days older, by name and by mtime."""
    for dump in dumps(directory):
        match = DUMP_NAME.match(dump.name)
        assert match is not None  # dumps() only returns matching names
        when = dt.datetime.strptime(match["stamp"], STAMP).replace(tzinfo=dt.UTC)
        target = directory / dump_name(when - STALE_BY)
        for old, new in ((dump, target), (Path(f"{dump}.gpg"), Path(f"{target}.gpg"))):
            if old.exists():
                mtime = old.stat().st_mtime - STALE_BY.total_seconds()
                old.rename(new)
                os.utime(new, (mtime, mtime))
            checksum = Path(f"{old}.sha256")
            if checksum.exists():
                mtime = checksum.stat().st_mtime - STALE_BY.total_seconds()
                digest = checksum.read_text().split()[0]
                checksum.unlink()
                write_checksum(new, digest)
                os.utime(Path(f"{new}.sha256"), (mtime, mtime))


def _reseal(
    c: Components, dump: Path, passphrase: str, stamp: float, cipher: str = "AES256"
) -> None:
    """Re-encrypt ``dump`` into its ``.gpg`` copy and checksum both, dated ``stamp``."""
    target = Path(f"{dump}.gpg")
    c.backups.encrypt([(dump, passphrase, target)], cipher=cipher)
    write_checksum(dump)
    write_checksum(target)
    for path in (dump, Path(f"{dump}.sha256"), target, Path(f"{target}.sha256")):
        os.utime(path, (stamp, stamp))


def _truncate(c: Components, directory: Path) -> None:
    """The newest dump cut in half (and its encrypted copy made from the cut dump), checksums
    recomputed, so only a read-through of the archive notices."""
    newest = _newest(directory)
    if newest is None:
        return
    stamp = newest.stat().st_mtime
    with newest.open("r+b") as fh:
        fh.truncate(newest.stat().st_size // 2)
    _reseal(c, newest, c.secrets.backup_passphrase, stamp)


def _wrong_checksum(c: Components, directory: Path) -> None:
    newest = _newest(directory)
    if newest is not None:
        for archive in (newest, Path(f"{newest}.gpg")):
            checksum = Path(f"{archive}.sha256")
            if not archive.exists():
                continue
            stamp = checksum.stat().st_mtime if checksum.exists() else archive.stat().st_mtime
            wrong = sha256_file(archive)[::-1]  # same shape, different value
            write_checksum(archive, wrong)
            os.utime(checksum, (stamp, stamp))


def _unencrypted(c: Components, directory: Path) -> None:
    """The encryption step silently skipped: each ``.gpg`` holds the plain dump."""
    for dump in dumps(directory):
        target = Path(f"{dump}.gpg")
        stamp = dump.stat().st_mtime
        shutil.copy2(dump, target)
        write_checksum(target)
        os.utime(Path(f"{target}.sha256"), (stamp, stamp))


def _reseal_newest(c: Components, directory: Path, passphrase: str, cipher: str = "AES256") -> None:
    """Re-encrypt the newest dump with ``passphrase`` and ``cipher``, dated as its ``.gpg`` was."""
    newest = _newest(directory)
    if newest is None:
        return
    target = Path(f"{newest}.gpg")
    stamp = target.stat().st_mtime if target.exists() else newest.stat().st_mtime
    _reseal(c, newest, passphrase, stamp, cipher)


def _undecryptable(c: Components, directory: Path) -> None:
    """The newest dump encrypted with a passphrase other than the configured one."""
    _reseal_newest(c, directory, c.secrets.backup_passphrase[::-1] + "-wrong")


def _weak_cipher(c: Components, directory: Path) -> None:
    """The newest dump encrypted with CAST5 (gpg 1.x's old default), checksums right: only the
    cipher gpg reports gives it away."""
    _reseal_newest(c, directory, c.secrets.backup_passphrase, cipher="CAST5")


def _shrunk(c: Components, directory: Path) -> None:
    """The newest dump replaced by a real dump of the schema alone (a backup job that lost its
    data), sealed like a good one: only its size, and the restore drill, give it away."""
    newest = _newest(directory)
    if newest is None:
        return
    match = DUMP_NAME.match(newest.name)
    assert match is not None  # dumps() only returns matching names
    when = dt.datetime.strptime(match["stamp"], STAMP).replace(tzinfo=dt.UTC)
    stamp = newest.stat().st_mtime
    c.backups.dump(when, directory, schema_only=True)  # same name: replaces the dump
    _reseal(c, newest, c.secrets.backup_passphrase, stamp)


def _empty(c: Components, directory: Path) -> None:
    for entry in directory.iterdir():
        entry.unlink()


DAMAGE: dict[str, Damage] = {
    "stale-backup": _stale,
    "truncated-backup": _truncate,
    "wrong-checksum": _wrong_checksum,
    "backup-unencrypted": _unencrypted,
    "backup-undecryptable": _undecryptable,
    "no-backup": _empty,
    "backup-shrunk": _shrunk,
    "backup-weak-cipher": _weak_cipher,
}


def rebuild(c: Components, active: Iterable[str]) -> None:
    """Make the live backups directory reflect the active backup faults (in order)."""
    live, pristine = c.layout.backups, c.layout.stash / "backups"
    damages = [DAMAGE[name] for name in active if name in DAMAGE]
    if not damages:
        if pristine.exists():
            shutil.rmtree(live, ignore_errors=True)
            pristine.rename(live)
        return
    if not pristine.exists():
        pristine.parent.mkdir(parents=True, exist_ok=True)
        live.rename(pristine)
    shutil.rmtree(live, ignore_errors=True)
    shutil.copytree(pristine, live, copy_function=shutil.copy2)  # copy2 keeps the mtimes
    for damage in damages:
        damage(c, live)
