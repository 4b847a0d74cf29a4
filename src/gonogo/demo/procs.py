"""Ports, child processes and readiness waits for the demo stack.

Every process of the stack is started here as a direct child (never daemonized), so that it
can be stopped and reaped by PID: PID 1 on these machines does not reap orphans, and a stack
attached from another process must still be able to stop everything by the PIDs it recorded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from gonogo.errors import DemoError

LOOPBACK = "127.0.0.1"


def free_ports(count: int) -> list[int]:
    """Distinct free loopback TCP ports (all sockets are held open together, then released)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOOPBACK, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def log_tail(log: Path, lines: int = 5) -> str:
    """The last lines of a log file, for error messages (empty when unreadable)."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # the state is the field after the parenthesised command name, which may contain spaces
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """PIDs of the live children of ``pid`` (nginx workers of a master, for reloads)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if fields[1] == str(pid) and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


class Processes:
    """The children this process started, so they can be waited for (reaped) by PID."""

    def __init__(self) -> None:
        self._popen: dict[int, subprocess.Popen[bytes]] = {}

    def spawn(
        self,
        component: str,
        argv: Sequence[str],
        log: Path,
        *,
        user: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        pass_fds: Sequence[int] = (),
    ) -> int:
        """Start ``argv`` with stdout/stderr appended to ``log``; return its PID.

        A new session keeps terminal signals (Ctrl-C in the shell that ran ``demo up``) away
        from the stack; it is stopped only through :meth:`stop`.
        """
        log.parent.mkdir(parents=True, exist_ok=True)
        try:
            with log.open("ab") as out:
                proc = subprocess.Popen(
                    list(argv),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    user=user,
                    group=user,
                    extra_groups=[] if user else None,
                    env=dict(env) if env is not None else None,
                    cwd=cwd,
                    pass_fds=tuple(pass_fds),
                    start_new_session=True,
                )
        except OSError as err:
            raise DemoError(f"{component}: cannot start {argv[0]}: {err} (log: {log})") from err
        self._popen[proc.pid] = proc
        return proc.pid

    def leftovers(self) -> list[int]:
        """PIDs started here that still run (a failed readiness wait leaves one behind)."""
        return [pid for pid, proc in self._popen.items() if proc.poll() is None]

    def exited(self, pid: int) -> bool:
        proc = self._popen.get(pid)
        if proc is not None:
            return proc.poll() is not None
        return not alive(pid)

    def stop(self, pid: int, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        """Send ``sig`` to ``pid``, wait until it is gone, SIGKILL it after ``timeout``."""
        if pid <= 0:
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            self._reap(pid, 0.1)
            return
        if not self._reap(pid, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._reap(pid, 5.0)

    def _reap(self, pid: int, timeout: float) -> bool:
        proc = self._popen.get(pid)
        if proc is not None:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return False
            del self._popen[pid]
            return True
        deadline = time.monotonic() + timeout
        while alive(pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


def wait_until(
    component: str,
    what: str,
    ready: Callable[[], bool],
    *,
    timeout: float,
    log: Path | None = None,
    gone: Callable[[], bool] | None = None,
    interval: float = 0.05,
) -> None:
    """Poll ``ready`` until it is true; raise :class:`DemoError` on timeout or early exit."""
    deadline = time.monotonic() + timeout
    where = f" (log: {log}: {log_tail(log)})" if log else ""
    while True:
        if ready():
            return
        if gone is not None and gone():
            raise DemoError(f"{component}: exited before {what}{where}")
        if time.monotonic() > deadline:
            raise DemoError(f"{component}: {what} not reached after {timeout:.0f} s{where}")
        time.sleep(interval)


def run(
    component: str, argv: Sequence[str], *, timeout: float, log: Path, **kwargs: object
) -> None:
    """Run a short command to completion, output appended to ``log``; raise on failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with log.open("ab") as out:
            subprocess.run(
                list(argv),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=True,
                **kwargs,  # type: ignore[call-overload]
            )
    except subprocess.TimeoutExpired as err:
        raise DemoError(
            f"{component}: {argv[0]} timed out after {timeout:.0f} s (log: {log})"
        ) from err
    except subprocess.CalledProcessError as err:
        raise DemoError(
            f"{component}: {Path(argv[0]).name} exited {err.returncode} "
            f"(log: {log}: {log_tail(log)})"
        ) from err
    except OSError as err:
        raise DemoError(f"{component}: cannot run {argv[0]}: {err}") from err
