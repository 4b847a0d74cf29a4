"""The private work directory where decrypted backups live while a check reads them.

Each decryption gets its own ``gonogo-gpg-*`` directory (0700, the plaintext 0600 inside) with
an ``owner`` file naming the process that made it (PID, its start time, the host). The block
that uses it removes it, whatever happened, even on Ctrl-C or SIGTERM; only a process killed
outright (SIGKILL, a crash, power loss) leaves it behind, and then :func:`sweep`, run at the
start of the next drill and the next integrity read, removes every directory whose owner is
gone (and stops the gpg-agent started for it). Until then the plaintext stays on disk, readable
only by the user the gate runs as.

The default work directory is ``<system temp>/gonogo-<uid>``, created 0700 and refused when it
is a symlink or belongs to another user (someone else could read or swap the plaintext).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from gonogo.errors import ProbeError
from gonogo.model import ErrorReason

PREFIX = "gonogo-gpg-"
OWNER = "owner"
# a directory without an owner file younger than this may be one being set up right now
SETUP_GRACE_S = 60.0


def root(work_dir: Path | None) -> Path:
    """The work directory (created if missing): ``work_dir`` or the private default."""
    if work_dir is not None:
        work_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return work_dir
    default = Path(tempfile.gettempdir()) / f"gonogo-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        default.mkdir(mode=0o700)
    st = os.lstat(default)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise ProbeError(
            f"work directory {default} is not a directory of this user (a symlink or another "
            "user's): remove it or set [backup] work_dir",
            reason=ErrorReason.CONFIG,
        )
    if stat.S_IMODE(st.st_mode) != 0o700:
        default.chmod(0o700)
    return default


@contextlib.contextmanager
def private_dir(work_dir: Path | None) -> Iterator[Path]:
    """A fresh 0700 ``gonogo-gpg-*`` directory with an owner file, removed when the block ends."""
    made = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root(work_dir)))
    try:
        (made / OWNER).write_text(_me(), encoding="utf-8")
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


def stop_agent(home: Path) -> None:
    """Stop the gpg-agent gpg started for ``home``, within 10 s, never raising.

    No pipes: a descendant holding a captured pipe open would keep ``subprocess.run`` reading
    after its timeout killed gpgconf, and this runs in ``finally`` blocks, on an interrupt too.
    """
    kill = ["gpgconf", "--homedir", str(home), "--kill", "all"]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            kill,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=10,
            check=False,
        )


def sweep(work_dir: Path | None) -> tuple[str, ...]:
    """Remove the ``gonogo-gpg-*`` directories of processes that no longer run; their paths."""
    removed = []
    for candidate in sorted(root(work_dir).glob(PREFIX + "*")):
        if not candidate.is_dir() or candidate.is_symlink() or _owner_alive(candidate):
            continue
        home = candidate / "gnupg"
        if home.is_dir():  # the agent gpg started for it would otherwise linger
            stop_agent(home)
        shutil.rmtree(candidate, ignore_errors=True)
        if not candidate.exists():
            removed.append(str(candidate))
    return tuple(removed)


def _me() -> str:
    return f"{os.getpid()} {_start_time(os.getpid())} {socket.gethostname()}\n"


def _owner_alive(directory: Path) -> bool:
    try:
        pid_text, started, host = (directory / OWNER).read_text(encoding="utf-8").split()
        pid = int(pid_text)
    except FileNotFoundError:
        # no owner yet: being set up, unless it has been like that for a while
        return time.time() - directory.stat().st_mtime < SETUP_GRACE_S
    except (OSError, ValueError):
        return True  # unreadable: not ours to judge
    if host != socket.gethostname():
        return True  # a shared work dir: another machine's process cannot be checked from here
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, belongs to someone else
    return _start_time(pid) == started  # a reused PID has another start time


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (``-`` where /proc has none)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return "-"
    return text.rsplit(")", 1)[-1].split()[19]  # field 22; the name in () may hold spaces
