"""Ports, child processes and readiness waits for the demo stack.

Every process of the stack is started here as a direct child (never daemonized), so that it
can be stopped and reaped by PID: PID 1 on these machines does not reap orphans, and a stack
attached from another process must still be able to stop everything by the PIDs it recorded.

Each process started is also written to the run's ledger (``processes.jsonl``: PID, start
time, program, the signal that stops it) the moment it starts, so that what a killed run left
can be found and stopped by identity, never by name (:mod:`gonogo.demo.orphans`).
:meth:`Processes.cancel` ends a start early: nothing new starts, waits end, and the short
commands in flight are killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from gonogo.errors import DemoError

LOOPBACK = "127.0.0.1"
LEDGER = "processes.jsonl"


class Cancelled(DemoError):
    """The start was interrupted: no process starts any more and every wait ends."""


class PortHold:
    """Distinct loopback TCP ports, held for as long as the stack that uses them runs.

    A port found free and released is free only until another process binds it or takes it as
    the local port of an outgoing connection: before our server binds it at the start, while a
    fault keeps that server stopped, or (nginx's ``redirect-downgrade`` hop listener) in the
    minutes between the start and the fault. Each port here stays bound by a socket with
    ``SO_REUSEADDR`` that never listens, so connecting to it is refused (as to a stopped server)
    and nobody else can take it, while our servers, which all bind with ``SO_REUSEADDR``
    (PostgreSQL, Redis, nginx, uvicorn), still listen on it.

    Attributes:
        ports: the held port numbers.
    """

    def __init__(self, count: int) -> None:
        self._sockets: list[socket.socket] = []
        try:
            for _ in range(count):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                self._sockets.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((LOOPBACK, 0))
        except OSError as err:
            self.release()
            raise DemoError(f"demo: cannot reserve {count} loopback ports: {err}") from err
        self.ports = [sock.getsockname()[1] for sock in self._sockets]

    def release(self) -> None:
        """Let the ports go (once every server of the stack is stopped). Idempotent."""
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()


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


def start_ticks(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot): with the PID, a process's identity."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[-1].split()[19])


def command_line(pid: int) -> str:
    """The command line ``pid`` shows (servers rewrite it: ``redis-server 127.0.0.1:6379``)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()


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
    """The children this process started, so they can be waited for (reaped) by PID.

    Attributes:
        ledger: the run's ledger file (None: nothing is recorded, e.g. a preview).
        cancelled: set by :meth:`cancel`; long waits poll it.
    """

    def __init__(self, ledger: Path | None = None) -> None:
        self._popen: dict[int, subprocess.Popen[bytes]] = {}
        self._running: set[subprocess.Popen[bytes]] = set()  # short commands in flight
        self._lock = threading.Lock()
        self.ledger = ledger
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        """Stop starting (an interrupt): no new process, waits end, short commands are killed.

        Servers already started keep running until they are stopped by PID.
        """
        with self._lock:
            self.cancelled.set()
            running = list(self._running)
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()

    def _refuse_if_cancelled(self, component: str) -> None:
        if self.cancelled.is_set():
            raise Cancelled(f"{component}: not started (the start was interrupted)")

    def _record(self, component: str, pid: int, argv: Sequence[str], stop: int) -> None:
        """Append the process to the ledger (under the lock: one line per write)."""
        if self.ledger is None:
            return
        entry = {
            "pid": pid,
            "start": start_ticks(pid),
            "program": Path(argv[0]).name,
            "component": component,
            "stop": signal.Signals(stop).name,
            "by": os.getpid(),
        }
        with contextlib.suppress(OSError), self.ledger.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")

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
        stop: int = signal.SIGTERM,
        program: str | None = None,
    ) -> int:
        """Start ``argv`` with stdout/stderr appended to ``log``; return its PID.

        A new session keeps terminal signals (Ctrl-C in the shell that ran ``demo up``) away
        from the stack; it is stopped only through :meth:`stop`. ``stop`` is the signal that
        ends it cleanly and ``program`` what its command line shows when ``argv`` execs another
        (both recorded in the ledger, for a later run that finds it orphaned).
        """
        log.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._refuse_if_cancelled(component)
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
            self._record(component, proc.pid, [program] if program else argv, stop)
        return proc.pid

    def run(
        self,
        component: str,
        argv: Sequence[str],
        *,
        timeout: float,
        log: Path,
        input: bytes | None = None,
        capture: bool = False,
        check: bool = True,
        **kwargs: object,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a short command to completion, output appended to ``log`` (or captured).

        Raises DemoError when it fails (``check``) or times out, :class:`Cancelled` when
        :meth:`cancel` killed it.
        """
        log.parent.mkdir(parents=True, exist_ok=True)
        sink = subprocess.PIPE if capture else None
        with log.open("ab") as out:
            with self._lock:
                self._refuse_if_cancelled(component)
                try:
                    proc = subprocess.Popen(  # type: ignore[call-overload]
                        list(argv),
                        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                        stdout=sink or out,
                        stderr=sink or subprocess.STDOUT,
                        **kwargs,
                    )
                except OSError as err:
                    raise DemoError(f"{component}: cannot run {argv[0]}: {err}") from err
                self._running.add(proc)
                self._record(component, proc.pid, argv, signal.SIGKILL)
            try:
                stdout, stderr = proc.communicate(input, timeout=timeout)
            except subprocess.TimeoutExpired as err:
                proc.kill()
                proc.communicate()
                raise DemoError(
                    f"{component}: {argv[0]} timed out after {timeout:.0f} s (log: {log})"
                ) from err
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            finally:
                with self._lock:
                    self._running.discard(proc)
        self._refuse_if_cancelled(component)
        if check and proc.returncode != 0:
            raise DemoError(
                f"{component}: {Path(argv[0]).name} exited {proc.returncode} "
                f"(log: {log}: {log_tail(log)})"
            )
        return subprocess.CompletedProcess(list(argv), proc.returncode, stdout, stderr)

    def wait_until(
        self,
        component: str,
        what: str,
        ready: Callable[[], bool],
        *,
        timeout: float,
        log: Path | None = None,
        gone: Callable[[], bool] | None = None,
        interval: float = 0.05,
    ) -> None:
        """:func:`wait_until` that ends at once (:class:`Cancelled`) when the start is cancelled."""
        wait_until(
            component,
            what,
            ready,
            timeout=timeout,
            log=log,
            gone=gone,
            interval=interval,
            cancelled=self.cancelled,
        )

    def leftovers(self) -> list[int]:
        """PIDs started here that still run (a failed readiness wait leaves one behind)."""
        return [pid for pid, proc in self._popen.items() if proc.poll() is None]

    def started_here(self, pid: int) -> bool:
        """Whether ``pid`` is a child this object started (and has not reaped yet)."""
        return pid in self._popen

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

    def stop_many(self, targets: Sequence[tuple[int, int]], timeout: float) -> list[str]:
        """Send each ``(pid, signal)`` at once, wait for all within ``timeout``, SIGKILL the rest.

        Returns one line per process that could not be signalled.
        """
        errors: list[str] = []
        sent: list[int] = []
        for pid, sig in targets:
            try:
                os.kill(pid, sig)
                sent.append(pid)
            except ProcessLookupError:
                self._reap(pid, 0.1)
            except OSError as err:
                errors.append(f"pid {pid}: {err}")
        deadline = time.monotonic() + timeout
        left = [pid for pid in sent if not self._reap(pid, max(deadline - time.monotonic(), 0.0))]
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in left:
            self._reap(pid, 5.0)
        return errors

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
    cancelled: threading.Event | None = None,
) -> None:
    """Poll ``ready`` until it is true; raise :class:`DemoError` on timeout or early exit,
    :class:`Cancelled` once ``cancelled`` is set."""
    deadline = time.monotonic() + timeout
    while True:
        if cancelled is not None and cancelled.is_set():
            raise Cancelled(f"{component}: stopped waiting for {what} (the start was interrupted)")
        if ready():
            return
        if gone is not None and gone():
            raise DemoError(f"{component}: exited before {what}{_where(log)}")
        if time.monotonic() > deadline:
            raise DemoError(f"{component}: {what} not reached after {timeout:.0f} s{_where(log)}")
        time.sleep(interval)


def _where(log: Path | None) -> str:
    return f" (log: {log}: {log_tail(log)})" if log else ""
