"""Facts about database backups: where the newest one is, and whether it can be read.

A :class:`BackupSource` lists backups and hands out local files. ``[backup] location`` names it
by scheme (``file:///var/backups/app``; ``SOURCES`` maps schemes to classes), so an object-store
source (``s3://``) is one new class with ``list``/``checksum_text``/``local`` and one entry in
``SOURCES`` (plus ``SOURCE_KINDS`` in the schema), without touching the checks.

Every external command (gpg, pg_restore) runs with a timeout; the passphrase goes to gpg on
stdin, never on a command line, and gpg runs in a throwaway home whose agent is stopped
afterwards. A decrypted copy is written 0600 inside a 0700 directory of the private work
directory (:mod:`gonogo.probes.workspace`) and removed when the block that uses it ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import gzip
import hashlib
import os
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from gonogo.errors import ProbeError
from gonogo.facts.backup import ArchiveFacts, BackupListing, BackupObject
from gonogo.model import ErrorReason
from gonogo.probes import gpg as gnupg
from gonogo.probes import workspace
from gonogo.probes.commands import last_line, run, tool
from gonogo.schema.data import BackupConfig

PLAIN_TRAILER = b"-- PostgreSQL database dump complete"
_OPENPGP_MESSAGE_TAGS = {1, 3, 9, 18, 20}  # PKESK, SKESK, (AEAD/SE)IPD: an encrypted message


class BackupSource(Protocol):
    """Where backups live. ``local`` yields a readable file (downloading it if needed)."""

    def describe(self) -> str: ...
    def list(self) -> list[BackupObject]: ...  # newest first
    def checksum_text(self, obj: BackupObject) -> str | None: ...  # the sha256sum sidecar
    def local(self, obj: BackupObject) -> contextlib.AbstractContextManager[Path]: ...


@dataclass(frozen=True, slots=True)
class DirectorySource:
    """Backups as files (or pg_dump directory-format dirs) in one directory, matched by a glob."""

    directory: Path
    pattern: str

    def describe(self) -> str:
        return f"{self.directory}/{self.pattern}"

    def list(self) -> list[BackupObject]:
        try:
            entries = [p for p in self.directory.iterdir() if fnmatch.fnmatch(p.name, self.pattern)]
        except OSError as err:
            raise ProbeError(
                f"backup directory {self.directory}: {err.strerror}; fix [backup] location",
                reason=ErrorReason.CONFIG,
            ) from err
        objects = [_object(p) for p in entries if not p.name.endswith(".sha256")]
        return sorted(objects, key=lambda o: (o.modified, o.name), reverse=True)

    def checksum_text(self, obj: BackupObject) -> str | None:
        sidecar = Path(obj.location + ".sha256")
        return sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.is_file() else None

    @contextlib.contextmanager
    def local(self, obj: BackupObject) -> Iterator[Path]:
        yield Path(obj.location)  # already local: nothing to download or clean up


def _object(path: Path) -> BackupObject:
    st = path.stat()
    size = (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        if path.is_dir()
        else st.st_size
    )
    return BackupObject(path.name, str(path), size, dt.datetime.fromtimestamp(st.st_mtime, dt.UTC))


# location scheme -> source; the schema accepts only these schemes (SOURCE_KINDS)
SOURCES: dict[str, Callable[[str, str], BackupSource]] = {
    "file": lambda where, pattern: DirectorySource(Path(where), pattern),
}


def source_for(cfg: BackupConfig) -> BackupSource:
    """The source ``[backup] location`` (or ``directory``) names."""
    kind, where = cfg.source
    return SOURCES[kind](where, cfg.pattern)


def discover(cfg: BackupConfig) -> BackupListing:
    """List the configured location and keep the two newest backups."""
    source = source_for(cfg)
    objects = source.list()
    return BackupListing(
        source=source.describe(),
        count=len(objects),
        newest=objects[0] if objects else None,
        previous=objects[1] if len(objects) > 1 else None,
    )


def inspect(cfg: BackupConfig, obj: BackupObject) -> ArchiveFacts:
    """Checksum, decrypt (if OpenPGP and a key is configured) and read the backup to the end."""
    source = source_for(cfg)
    with source.local(obj) as path:
        fmt = sniff(path)
        digest = None if path.is_dir() else sha256_of(path)
        expected = parse_sha256sum(source.checksum_text(obj))
        facts = ArchiveFacts(obj.name, obj.size, digest, expected, fmt, None, None, "", None, "")
        if fmt != "openpgp":
            return replace(facts, **_read_fields(path, fmt, cfg))
        if cfg.passphrase is None and cfg.gnupg_home is None:
            return replace(facts, read_detail="encrypted; no passphrase or gnupg_home configured")
        facts = replace(facts, swept=workspace.sweep(cfg.work_dir))
        with gnupg.decrypted(path, cfg) as gpg:
            facts = replace(
                facts,
                decrypt_exit=gpg.exit_code,
                decrypt_detail=gpg.detail,
                cipher=gpg.cipher,
                integrity_protected=gpg.integrity_protected,
            )
            if gpg.plain is None:
                return replace(facts, read_detail="not read: gpg could not decrypt it")
            inner = sniff(gpg.plain)
            return replace(facts, inner_format=inner, **_read_fields(gpg.plain, inner, cfg))


def _read_fields(path: Path, fmt: str, cfg: BackupConfig) -> dict[str, Any]:
    readable, detail = read_through(path, fmt, cfg)
    return {"readable": readable, "read_detail": detail}


def sniff(path: Path) -> str:
    """The dump format, from magic bytes (no tool needed)."""
    if path.is_dir():
        return "directory" if (path / "toc.dat").is_file() else "unknown"
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PGDMP"):
        return "custom"
    if head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if (
        head.startswith(b"-----BEGIN PGP MESSAGE-----")
        or _openpgp_tag(head) in _OPENPGP_MESSAGE_TAGS
    ):
        return "openpgp"
    if b"PostgreSQL database dump" in head[:1024]:
        return "plain"
    return "unknown"


def _openpgp_tag(head: bytes) -> int | None:
    if not head or not head[0] & 0x80:
        return None  # every OpenPGP packet header has the top bit set
    return head[0] & 0x3F if head[0] & 0x40 else (head[0] >> 2) & 0x0F


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_sha256sum(text: str | None) -> str | None:
    """The digest from ``sha256sum`` output (``HEX  name`` or ``HEX *name``)."""
    if text is None:
        return None
    token = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    if len(token) == 64 and all(c in "0123456789abcdef" for c in token):
        return token
    return "unparseable"


def read_through(path: Path, fmt: str, cfg: BackupConfig) -> tuple[bool, str]:
    """Read every byte the way a restore would; ``pg_restore -l`` is not enough (TOC only)."""
    if fmt in ("custom", "tar", "directory"):
        started = time.monotonic()
        cmd = [tool("pg_restore", cfg), "-f", os.devnull, str(path)]
        done = run(
            cmd, timeout_s=cfg.command_timeout_s, what=f"pg_restore -f /dev/null {path.name}"
        )
        took = time.monotonic() - started
        if done.returncode == 0:
            return True, f"pg_restore read the {fmt} archive in {took:.1f} s"
        return False, f"pg_restore exit {done.returncode}: {last_line(done.stderr)}"
    if fmt in ("plain", "gzip"):
        return plain_complete(path, gzipped=fmt == "gzip")
    return False, f"not a pg_dump archive (format {fmt})"


def plain_complete(path: Path, *, gzipped: bool) -> tuple[bool, str]:
    """Whether a (gzipped) plain SQL dump ends with pg_dump's trailer, which it writes last."""
    tail = b""
    try:
        with gzip.open(path, "rb") if gzipped else path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                tail = (tail + chunk)[-4096:]
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        return False, f"gzip stream is damaged or truncated ({err})"
    if PLAIN_TRAILER in tail:
        return True, "plain SQL dump ends with pg_dump's completion trailer"
    return False, "plain SQL dump lacks pg_dump's completion trailer (truncated?)"
