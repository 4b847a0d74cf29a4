"""External commands of the backup checks (gpg, gzip, pg_restore, psql, pg_amcheck): found,
run with a timeout, their exit status and last message kept apart for each process.

Nothing secret goes on a command line: passwords reach libpq tools as ``PG*`` variables and
gpg's passphrase comes on stdin.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.model import ErrorReason
from gonogo.schema.data import BackupConfig


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


def pipeline(
    first: list[str],
    second: list[str],
    *,
    timeout_s: float,
    what: str,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[bytes], subprocess.CompletedProcess[bytes]]:
    """``first | second``, both killed when ``timeout_s`` expires (a ProbeTimeout naming
    ``what``); each process's exit status and stderr are returned on their own, so a
    decompressor that hit a truncated stream is not hidden behind a consumer that exited 0."""
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryFile() as first_err:
        try:
            procs.append(subprocess.Popen(first, stdout=subprocess.PIPE, stderr=first_err, env=env))
            upstream = procs[0].stdout
            procs.append(
                subprocess.Popen(
                    second, stdin=upstream, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
                )
            )
            assert upstream is not None
            upstream.close()  # the consumer holds the read end: the producer sees it exit
            deadline = time.monotonic() + timeout_s
            out, err = procs[1].communicate(timeout=timeout_s)
            procs[0].wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired as expired:
            raise ProbeTimeout(
                f"{what}: still running after {timeout_s:.0f} s; raise the timeout"
            ) from expired
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        first_err.seek(0)
        return (
            subprocess.CompletedProcess(first, procs[0].returncode, b"", first_err.read()),
            subprocess.CompletedProcess(second, procs[1].returncode, out, err),
        )


def last_line(stderr: bytes) -> str:
    lines = [ln for ln in stderr.decode(errors="replace").splitlines() if ln.strip()]
    return lines[-1].strip()[:300] if lines else ""
