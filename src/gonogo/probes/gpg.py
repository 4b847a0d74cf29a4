"""gpg decryption of a backup into the private work directory, and what gpg says about it.

The passphrase reaches gpg on stdin only; gpg runs in a throwaway home (a copy of
``[backup] gnupg_home`` for public-key encrypted backups) whose agent is stopped afterwards;
its status file (``DECRYPTION_INFO``) tells the message's cipher and integrity protection.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gonogo.probes import workspace
from gonogo.probes.commands import last_line, run
from gonogo.schema.data import OPENPGP_CIPHER_IDS, BackupConfig


@dataclass(frozen=True, slots=True)
class Decryption:
    """What gpg did: the plaintext (None unless gpg exited 0), its exit status and last line,
    the symmetric cipher of the message (``AES256``...; None: gpg did not say) and whether it
    is integrity protected (MDC or AEAD)."""

    plain: Path | None
    exit_code: int
    detail: str
    cipher: str | None
    integrity_protected: bool | None


@contextlib.contextmanager
def decrypted(path: Path, cfg: BackupConfig) -> Iterator[Decryption]:
    """Decrypt into a private work directory (:mod:`gonogo.probes.workspace`).

    gpg's status is checked on its own: a wrong passphrase exits 2. The plaintext is created
    0600 by us (gpg writes to its stdout) in a 0700 directory; the directory, the copied keyring
    and the gpg-agent started for it are gone when the block ends, even on an exception (a
    SIGKILL leaves them to the next run's sweep). gpg's status file tells the cipher.

    Why a file and not a pipe into pg_restore: the restore tool depends on the decrypted format,
    gpg reports a tampered message (MDC) only at the end, after pg_restore could already have
    committed it, and a custom-format dump read from a pipe fails on out-of-order TOC entries.
    """
    with workspace.private_dir(cfg.work_dir) as tmp:
        home = tmp / "gnupg"
        if cfg.gnupg_home is not None:
            shutil.copytree(cfg.gnupg_home, home, ignore=shutil.ignore_patterns("S.*", "*.lock"))
        else:
            home.mkdir()
        home.chmod(0o700)
        out, status = tmp / "plain", tmp / "status"
        passphrase = cfg.passphrase.get_secret_value() if cfg.passphrase else ""
        flags = (
            "--batch --no-tty --yes --no-symkey-cache --pinentry-mode loopback --passphrase-fd 0"
        )
        cmd = ["gpg", "--homedir", str(home), *flags.split(), "--status-file", str(status)]
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as sink:
                done = run(
                    [*cmd, "-d", str(path)],
                    timeout_s=cfg.command_timeout_s,
                    what=f"gpg -d {path.name}",
                    stdin=passphrase.encode(),
                    stdout=sink,
                )
            ok = done.returncode == 0
            cipher, protected = _decryption_info(status)
            yield Decryption(
                out if ok else None, done.returncode, last_line(done.stderr), cipher, protected
            )
        finally:
            # the agent gpg started for this home would otherwise outlive the run
            workspace.stop_agent(home)


def _decryption_info(status: Path) -> tuple[str | None, bool | None]:
    """``DECRYPTION_INFO <mdc_method> <sym_algo> [<aead_algo>]`` from gpg's status file."""
    try:
        lines = status.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None, None
    for line in lines:
        words = line.split()
        if words[1:2] == ["DECRYPTION_INFO"] and len(words) >= 4 and words[3].isdigit():
            aead = len(words) > 4 and words[4] not in ("0", "")
            algo = int(words[3])
            return OPENPGP_CIPHER_IDS.get(algo, f"algorithm {algo}"), words[2] != "0" or aead
    return None, None
