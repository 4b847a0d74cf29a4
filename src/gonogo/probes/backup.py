"""Facts about database backups: where the newest one is, and whether it can be read.

A :class:`BackupSource` lists backups and hands out local files. ``[backup] location`` names it
by scheme (``file:///var/backups/app``; ``SOURCES`` maps schemes to classes), so an object-store
source (``s3://``) is one new class with ``list``/``checksum_text``/``local`` and one entry in
``SOURCES`` (plus ``SOURCE_KINDS`` in the schema), without touching the checks.

Every external command (gpg, pg_restore) runs with a timeout; the passphrase goes to gpg on
stdin, never on a command line, and gpg runs in a throwaway home whose agent is stopped
afterwards. A decrypted copy is written 0600 inside a 0700 temp directory and removed when the
block that uses it ends, whatever happened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import gzip
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Protocol

from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.model import ErrorReason
from gonogo.schema.data import BackupConfig

PLAIN_TRAILER = b"-- PostgreSQL database dump complete"
_OPENPGP_MESSAGE_TAGS = {1, 3, 9, 18, 20}  # PKESK, SKESK, (AEAD/SE)IPD: an encrypted message


@dataclass(frozen=True, slots=True)
class BackupObject:
    """One backup as listed by a source (``modified`` is UTC; ``location`` names it for humans)."""

    name: str
    location: str
    size: int
    modified: dt.datetime


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


@dataclass(frozen=True, slots=True)
class BackupListing:
    """The newest and previous backup (None when there are none) and how many were found."""

    source: str
    count: int
    newest: BackupObject | None
    previous: BackupObject | None


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


@dataclass(frozen=True, slots=True)
class ArchiveFacts:
    """What reading the newest backup end to end showed.

    Attributes:
        name / size: the backup file.
        sha256: computed digest; expected_sha256: from ``<file>.sha256`` (None: no sidecar,
            ``"unparseable"``: a sidecar that is not sha256sum output).
        format: as stored (``custom``, ``tar``, ``directory``, ``plain``, ``gzip``, ``openpgp``,
            ``unknown``); inner_format: after decryption (None if not decrypted).
        decrypt_exit: gpg's exit status (None: not attempted), decrypt_detail: its last message.
        readable: the archive read to the end (None: could not try), read_detail: how.
    """

    name: str
    size: int
    sha256: str | None
    expected_sha256: str | None
    format: str
    inner_format: str | None
    decrypt_exit: int | None
    decrypt_detail: str
    readable: bool | None
    read_detail: str


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
        with decrypted(path, cfg) as (plain, exit_code, gpg_detail):
            facts = replace(facts, decrypt_exit=exit_code, decrypt_detail=gpg_detail)
            if plain is None:
                return replace(facts, read_detail="not read: gpg could not decrypt it")
            inner = sniff(plain)
            return replace(facts, inner_format=inner, **_read_fields(plain, inner, cfg))


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


def tool(name: str, cfg: BackupConfig) -> str:
    """Path of a PostgreSQL client tool: ``pg_bin_dir``, then PATH, then Debian's versioned dirs."""
    if cfg.pg_bin_dir is not None and (cfg.pg_bin_dir / name).is_file():
        return str(cfg.pg_bin_dir / name)
    # Debian links only some tools into /usr/bin (pg_amcheck is not); prefer the newest major
    versioned = [
        p for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}") if p.parts[-3].isdigit()
    ]
    newest = max(versioned, key=lambda p: int(p.parts[-3]), default=None)
    found = shutil.which(name) or (str(newest) if newest else None)
    if found is None:
        raise ProbeError(
            f"{name} not found; install postgresql-client or set [backup].pg_bin_dir",
            reason=ErrorReason.CONFIG,
        )
    return found


def run(
    cmd: list[str],
    *,
    timeout_s: float,
    what: str,
    stdin: bytes = b"",
    env: dict[str, str] | None = None,
    stdout: IO[bytes] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a command with a timeout (killed when it expires: a ProbeTimeout naming ``what``).

    Output is captured, except stdout when ``stdout`` (an open file) is given.
    """
    out = stdout if stdout is not None else subprocess.PIPE
    try:
        return subprocess.run(
            cmd, input=stdin, stdout=out, stderr=subprocess.PIPE, timeout=timeout_s, env=env
        )
    except subprocess.TimeoutExpired as err:
        raise ProbeTimeout(
            f"{what}: still running after {timeout_s:.0f} s; raise the timeout"
        ) from err


def last_line(stderr: bytes) -> str:
    lines = [ln for ln in stderr.decode(errors="replace").splitlines() if ln.strip()]
    return lines[-1].strip()[:300] if lines else ""


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
        return _plain_complete(path, gzipped=fmt == "gzip")
    return False, f"not a pg_dump archive (format {fmt})"


def _plain_complete(path: Path, *, gzipped: bool) -> tuple[bool, str]:
    # pg_dump writes its trailer last: a plain dump without it was cut short
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


@contextlib.contextmanager
def decrypted(path: Path, cfg: BackupConfig) -> Iterator[tuple[Path | None, int, str]]:
    """Decrypt into a private temp dir; yields (plaintext or None, gpg exit, gpg's last line).

    gpg's status is checked on its own: a wrong passphrase exits 2. The plaintext is created
    0600 by us (gpg writes to its stdout) in a 0700 directory; the directory, the copied keyring
    and the gpg-agent started for it are gone when the block ends, even on an exception.

    Why a file and not a pipe into pg_restore: the restore tool depends on the decrypted format,
    gpg reports a tampered message (MDC) only at the end, after pg_restore could already have
    committed it, and a custom-format dump read from a pipe fails on out-of-order TOC entries.
    """
    with tempfile.TemporaryDirectory(prefix="gonogo-gpg-", dir=cfg.work_dir) as tmp:
        home = Path(tmp) / "gnupg"
        if cfg.gnupg_home is not None:
            shutil.copytree(cfg.gnupg_home, home, ignore=shutil.ignore_patterns("S.*", "*.lock"))
        else:
            home.mkdir()
        home.chmod(0o700)
        out = Path(tmp) / "plain"
        passphrase = cfg.passphrase.get_secret_value() if cfg.passphrase else ""
        flags = (
            "--batch --no-tty --yes --no-symkey-cache --pinentry-mode loopback --passphrase-fd 0"
        )
        cmd = ["gpg", "--homedir", str(home), *flags.split(), "-d", str(path)]
        try:
            what = f"gpg -d {path.name}"
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as sink:
                done = run(
                    cmd,
                    timeout_s=cfg.command_timeout_s,
                    what=what,
                    stdin=passphrase.encode(),
                    stdout=sink,
                )
            ok = done.returncode == 0
            yield (out if ok else None), done.returncode, last_line(done.stderr)
        finally:
            # the agent gpg started for this home would otherwise outlive the run
            kill = ["gpgconf", "--homedir", str(home), "--kill", "all"]
            subprocess.run(kill, capture_output=True, timeout=30, check=False)
