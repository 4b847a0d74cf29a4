"""SIGINT and SIGTERM: a run ends once, its cleanups finish, and its verdict knows.

:class:`Guard` owns both signals in a gate process (installed in ``pytest_configure``, before
the demo stack starts):

- A signal raises ``KeyboardInterrupt`` in the main thread, as Ctrl-C always does: pytest
  unwinds, ``finally`` blocks and fixture teardowns run. SIGTERM (a CI cancel) is the same.
- Every signal is remembered. A ``KeyboardInterrupt`` that is lost (raised inside a finalizer,
  swallowed by a library) still makes the run interrupted: the verdict asks :attr:`interrupted`.
- Once the run is winding down (pytest caught the interrupt, or the session finishes), and
  inside :func:`deferred` (stopping the demo stack, writing the report), a signal is only
  remembered: a second Ctrl-C cannot cut a cleanup or a half-written report short.
- After :meth:`Guard.commit` (the report is on disk and ``latest`` points at it) a signal changes
  nothing: the process exits with the code the report states.
- Under xdist the controller passes its first signal on to the workers (:func:`forward`), so
  that a CI cancel sent to the controller alone stops the checks in flight at once; a worker
  acts on its first signal only (the same Ctrl-C may reach it twice: from the terminal and
  passed on).

:func:`checkpoint` is a test hook: with ``$GONOGO_TEST_PAUSE`` set, the process stops at a named
point until the test removes a marker file, so a signal can be delivered exactly there.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)
PAUSE_VAR = "GONOGO_TEST_PAUSE"  # "point[,point...]:DIRECTORY" (tests only)
PAUSE_LIMIT_S = 120.0
_PAUSED: set[str] = set()


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"gonogo: {message}", file=sys.stderr, flush=True)


EARLY_MESSAGE = "interrupted before the run started: nothing was checked, no report was written"


def _early(signum: int, frame: FrameType | None) -> None:
    _say(f"{EARLY_MESSAGE} (NO-GO)")
    raise SystemExit(2)  # pytest's status for an interrupted run, without Python's traceback


def hold_early() -> None:
    """From the plugin's import until pytest's main loop starts (:func:`release_early`): a
    Ctrl-C ends the process with one line and exit 2 instead of Python's KeyboardInterrupt
    traceback from inside some import. Nothing of the run exists yet, so there is nothing to
    stop or write. A SIGINT that is ignored or handled by someone else is left alone."""
    with contextlib.suppress(ValueError):  # not the main thread: pytest embedded
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _early)


def release_early() -> None:
    """Give SIGINT back to Python's default (KeyboardInterrupt) once pytest can handle it."""
    with contextlib.suppress(ValueError):
        if signal.getsignal(signal.SIGINT) is _early:
            signal.signal(signal.SIGINT, signal.default_int_handler)


class Guard:
    """The process's SIGINT/SIGTERM handler while a gate run lives.

    Attributes:
        received: names of the signals received, in order (also those only remembered).
        winding_down: the run is ending: a signal is remembered, never raised.
        committed: the report is written and ``latest`` moved: a signal changes nothing.
    """

    active: Guard | None = None  # the installed guard of this process, if any

    def __init__(
        self,
        say: Callable[[str], None] = _say,
        *,
        once: bool = False,
        on_first: Callable[[int], None] | None = None,
    ) -> None:
        self.received: list[str] = []
        self.winding_down = False
        self.committed = False
        self._deferring = 0
        self._previous: dict[int, Any] = {}
        self._say = say
        self._told = False
        self._once = once  # after the first KeyboardInterrupt, only remember (xdist workers)
        self._on_first = on_first

    @property
    def interrupted(self) -> bool:
        """Whether a signal arrived (before the report was committed)."""
        return bool(self.received)

    def install(self) -> Guard:
        """Take SIGINT and SIGTERM; outside the main thread (pytest embedded) leave them alone.

        An ignored SIGINT stays ignored: a shell starts background jobs that way on purpose.
        """
        for signum in SIGNALS:
            try:
                current = signal.getsignal(signum)
                if signum == signal.SIGINT and current == signal.SIG_IGN:
                    continue
                self._previous[signum] = signal.signal(signum, self._handle)
            except ValueError:
                self.restore()
                return self
        Guard.active = self
        return self

    def restore(self) -> None:
        """Give the signals back to the handlers found at :meth:`install`."""
        for signum, previous in self._previous.items():
            if signal.getsignal(signum) == self._handle:
                signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()
        if Guard.active is self:
            Guard.active = None

    def wind_down(self) -> None:
        """The run is ending (pytest caught the interrupt or finishes the session)."""
        self.winding_down = True

    def commit(self) -> None:
        """The verdict is on disk; from now on a signal cannot change it."""
        self.committed = True

    @contextlib.contextmanager
    def deferring(self) -> Iterator[None]:
        """Remember signals instead of raising them; raise one at the end if the run is not
        winding down anyway (the interrupt is delivered late, never dropped)."""
        self._deferring += 1
        before = len(self.received)
        try:
            yield
        finally:
            self._deferring -= 1
        late = len(self.received) > before and not self._deferring
        # inside an ``except KeyboardInterrupt`` (a stop after an interrupt) it is re-raised anyway
        handling = sys.exc_info()[1] is not None
        if late and not handling and not self.winding_down and not self.committed:
            raise KeyboardInterrupt(f"{self.received[-1]} received")

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.committed:
            self._say(f"{name} received after the report was written; the verdict stands")
            return
        self.received.append(name)
        if len(self.received) == 1 and self._on_first is not None:
            with contextlib.suppress(OSError, ValueError):
                self._on_first(signum)
        if self._once and len(self.received) > 1:
            return
        if self._deferring or self.winding_down:
            if not self._told:
                self._told = True
                self._say(
                    f"{name} received: finishing the cleanups and the NO-GO (interrupted) "
                    "report; every step has a time limit"
                )
            return
        raise KeyboardInterrupt(f"{name} received")


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Run a block that must not be cut in half (stopping processes, writing a report).

    With a :class:`Guard` installed, its signals are remembered meanwhile. Without one (the
    demo stack driven from a script), SIGINT and SIGTERM are held for the block's duration and
    delivered as ``KeyboardInterrupt`` when it ends. Outside the main thread: no change.
    """
    guard = Guard.active
    if guard is not None:
        with guard.deferring():
            yield
        return
    temporary = Guard(say=lambda message: None)
    installed = bool(temporary.install()._previous)
    if not installed:
        yield
        return
    try:
        with temporary.deferring():
            yield
    finally:
        temporary.restore()


def register_worker(directory: Path) -> None:
    """An xdist worker: let the controller find this process to pass a signal on."""
    (directory / str(os.getpid())).touch()


def forward(directory: Path) -> None:
    """Pass a signal on to the xdist workers registered in ``directory`` (children only)."""
    for entry in directory.iterdir():
        if entry.name.isdigit() and _parent(int(entry.name)) == os.getpid():
            _to_main_thread(int(entry.name), signal.SIGTERM)  # xdist workers ignore SIGINT


def _to_main_thread(pid: int, signum: int) -> None:
    """Signal the main thread of ``pid`` (its thread id is the PID).

    A signal sent to a process may be taken by any of its threads; one taken by execnet's I/O
    thread leaves the main thread asleep in a probe until its timeout. Python's signal
    handlers run in the main thread, so that is where the signal must land.
    """
    tgkill = getattr(ctypes.CDLL(None, use_errno=True), "tgkill", None)
    try:
        if tgkill is None or tgkill(pid, pid, signum) != 0:
            os.kill(pid, signum)
    except ProcessLookupError:
        return


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[-1].split()[1])


def checkpoint(name: str, abandon: Callable[[], bool] | None = None) -> None:
    """Test hook: stop at the named point while ``$GONOGO_TEST_PAUSE`` names it.

    ``GONOGO_TEST_PAUSE="point[,point...]:DIRECTORY"`` creates ``DIRECTORY/point`` and waits
    (at most two minutes) until the test removes it; a signal delivered meanwhile lands exactly
    at this point. ``abandon`` ends the wait early, as it ends the real wait it stands for (a
    cancelled start). Unset (every real run): returns at once.
    """
    spec = os.environ.get(PAUSE_VAR)
    if not spec or ":" not in spec:
        return
    points, _, directory = spec.partition(":")
    if name not in points.split(",") or name in _PAUSED:
        return
    _PAUSED.add(name)  # once per process: a step done again (a rewrite) does not pause again
    marker = Path(directory) / name
    try:
        marker.write_text(str(os.getpid()), encoding="utf-8")
    except OSError:
        return
    deadline = time.monotonic() + PAUSE_LIMIT_S
    while marker.exists() and time.monotonic() < deadline:
        if abandon is not None and abandon():
            return
        time.sleep(0.01)
