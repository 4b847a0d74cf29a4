"""What a demo run that died left running (SIGKILL, OOM kill, a closed terminal): found, stopped.

A run directory belongs to the process that created it (``owner.json``: its PID and start
time); ``gonogo demo up`` hands its stack over to whoever runs ``gonogo demo down``
(``detached``). Every process a run starts is in its ledger (``processes.jsonl``, see
:class:`gonogo.demo.procs.Processes`) from the moment it starts.

When the owner of a run that was not handed over is gone, :func:`reap` stops each ledger entry
that is still the same process (the same PID *and* start time, and a command line showing the
recorded program) with the signal recorded for it, then SIGKILL, and removes the run directory.
Nothing is ever matched by name, and nothing outside the ledger is signalled.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gonogo.demo.procs import LEDGER, alive, command_line, start_ticks

OWNER = "owner.json"
STOP_WAIT_S = 20.0  # PostgreSQL's fast shutdown checkpoints first
KILL_WAIT_S = 5.0


@dataclass(frozen=True, slots=True)
class Entry:
    """One process of a run's ledger.

    Attributes:
        pid: its PID. start: its start time (clock ticks since boot), None if unknown.
        program: the name of the program started. component: what it is in the stack.
        stop: the signal that ends it cleanly (``SIGINT`` for PostgreSQL's fast shutdown).
    """

    pid: int
    start: int | None
    program: str
    component: str
    stop: str

    def same_process(self) -> bool:
        """Whether the PID is still the process that was started (not a PID reused since)."""
        return (
            self.start is not None
            and alive(self.pid)
            and start_ticks(self.pid) == self.start
            and self.program in command_line(self.pid)
        )


def claim(run_dir: Path) -> None:
    """Record this process as the owner of ``run_dir`` (done before anything starts)."""
    _write_owner(
        run_dir, {"pid": os.getpid(), "start": start_ticks(os.getpid()), "detached": False}
    )


def hand_over(run_dir: Path) -> None:
    """The stack outlives its owner on purpose (``gonogo demo up``): never reap it."""
    owner = _read_owner(run_dir) or {}
    _write_owner(run_dir, {**owner, "detached": True})


def ledger(run_dir: Path) -> list[Entry]:
    """The processes a run started, in the order they started (unreadable lines skipped)."""
    try:
        lines = (run_dir / LEDGER).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    entries = []
    for line in lines:
        try:
            raw = json.loads(line)
            entries.append(
                Entry(
                    pid=int(raw["pid"]),
                    start=None if raw["start"] is None else int(raw["start"]),
                    program=str(raw["program"]),
                    component=str(raw["component"]),
                    stop=str(raw["stop"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return entries


def running(run_dir: Path, pid: int) -> bool:
    """Whether ``pid`` is still a process this run started (checked before signalling it).

    A PID the ledger does not know (a run started before ledgers existed) is taken as given.
    """
    entries = [e for e in ledger(run_dir) if e.pid == pid]
    return not entries or any(e.same_process() for e in entries)


def orphaned(run_dir: Path) -> bool:
    """A run whose owner is gone and that was not handed over; unknown ownership is not."""
    owner = _read_owner(run_dir)
    if owner is None or owner.get("detached"):
        return False
    try:
        pid, start = int(str(owner["pid"])), owner.get("start")
    except (KeyError, TypeError, ValueError):
        return False
    if pid == os.getpid():
        return False
    return not (alive(pid) and start_ticks(pid) == start)


def reap(base: Path, say: Callable[[str], None]) -> list[Path]:
    """Stop and remove every orphaned run directly under ``base``; returns their directories."""
    reaped: list[Path] = []
    try:
        candidates = sorted(p for p in base.iterdir() if (p / OWNER).is_file())
    except OSError:
        return reaped
    for run_dir in candidates:
        if not orphaned(run_dir):
            continue
        owner = (_read_owner(run_dir) or {}).get("pid", "?")
        with _exclusive(run_dir) as mine:
            if not mine or not orphaned(run_dir):
                continue  # another process is reaping it
            stopped = stop_all(ledger(run_dir))
            shutil.rmtree(run_dir, ignore_errors=True)
        say(
            f"stopped {len(stopped)} process{'es' if len(stopped) != 1 else ''} left running "
            f"by a dead demo run (pid {owner}) and removed {run_dir}"
        )
        reaped.append(run_dir)
    return reaped


def stop_all(entries: list[Entry]) -> list[int]:
    """Signal every entry that is still the same process, wait, SIGKILL what is left."""
    targets = [e for e in reversed(entries) if e.same_process()]  # the front end first
    for entry in targets:
        with contextlib.suppress(ProcessLookupError, ValueError, AttributeError):
            os.kill(entry.pid, getattr(signal, entry.stop))
    left = _wait_gone(targets, STOP_WAIT_S)
    for entry in left:
        if entry.same_process():
            with contextlib.suppress(ProcessLookupError):
                os.kill(entry.pid, signal.SIGKILL)
    _wait_gone(left, KILL_WAIT_S)
    return [e.pid for e in targets]


def _wait_gone(entries: list[Entry], timeout: float) -> list[Entry]:
    deadline = time.monotonic() + timeout
    left = [e for e in entries if alive(e.pid)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [e for e in left if alive(e.pid)]
    return left


@contextlib.contextmanager
def _exclusive(run_dir: Path) -> Iterator[bool]:
    try:
        handle = (run_dir / "reap.lock").open("a")
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True


def _read_owner(run_dir: Path) -> dict[str, object] | None:
    try:
        raw = json.loads((run_dir / OWNER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) else None


def _write_owner(run_dir: Path, owner: dict[str, object]) -> None:
    tmp = run_dir / f".{OWNER}.tmp"
    tmp.write_text(json.dumps(owner), encoding="utf-8")
    os.replace(tmp, run_dir / OWNER)
