"""The embedded demo stack: start, attach, inject faults, stop.

>>> stack = DemoStack.start()
>>> with stack.fault("hsts-missing"):
...     ...                      # the next request sees no HSTS header
>>> stack.stop()                 # every process stopped by PID, run directory removed

Starting a stack first stops what a dead run left in the same demo home (its processes, by the
PIDs and start times in its ledger, never by name: :mod:`gonogo.demo.orphans`).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import shutil
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from gonogo.demo import backup_faults, monitoring_faults, orphans
from gonogo.demo import faults as catalogue
from gonogo.demo.app_support import write_fault_flags
from gonogo.demo.components import COMPONENTS, Components, RunState
from gonogo.demo.effects import EFFECTS, require_running
from gonogo.demo.layout import (
    Layout,
    Ports,
    Secrets,
    demo_home,
    new_run_dir,
    remove_home_if_empty,
)
from gonogo.demo.nginx import FAULT_PARAMS
from gonogo.demo.procs import LEDGER, PortHold, Processes
from gonogo.demo.startup import cold_start
from gonogo.demo.variables import variables as _variables
from gonogo.errors import DemoError
from gonogo.interrupts import checkpoint, deferred

WEB = ("nginx", "app", "smtp")  # smtp reads the app's fault flags
# how each server stops cleanly: nginx's graceful quit, PostgreSQL's fast shutdown
STOP_SIGNALS = {
    "worker": signal.SIGTERM,
    "sshd": signal.SIGTERM,
    "nginx": signal.SIGQUIT,
    "app": signal.SIGTERM,
    "redis-replica": signal.SIGTERM,
    "redis-master": signal.SIGTERM,
    "postgres-standby": signal.SIGINT,
    "postgres-scratch": signal.SIGINT,
    "postgres-primary": signal.SIGINT,
    "prometheus": signal.SIGTERM,
    "alertmanager": signal.SIGTERM,
    "webhook": signal.SIGTERM,
    "smtp": signal.SIGTERM,
    "dns": signal.SIGTERM,
}
STOP_TIMEOUT_S = 20.0  # then SIGKILL; PostgreSQL checkpoints before it exits


class ForeignState(DemoError):
    """A state file this version cannot read (written by another gonogo version).

    Attributes:
        run_dir: the run directory it names; its ledger still lists what it started.
    """

    def __init__(self, state_file: Path, run_dir: Path) -> None:
        super().__init__(
            f"{state_file}: written by another gonogo version; "
            "`gonogo demo down` stops its processes from the run's ledger"
        )
        self.run_dir = run_dir


class DemoStack:
    """A running demo stack (started here, or attached through its state file)."""

    def __init__(self, c: Components, state: RunState) -> None:
        self._c = c
        self._state = state
        self._stopped = False
        # the ports, while this process runs the stack it started (an attached one holds none)
        self._hold: PortHold | None = None
        self.start_seconds: float | None = None

    # --- construction ------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        base_dir: Path | None = None,
        faults: Sequence[str] = (),
        progress: Callable[[str], None] | None = None,
        keep: bool = False,
    ) -> DemoStack:
        """Start every component on free loopback ports, with ``faults`` applied.

        Raises ConfigError for an unknown fault (before anything starts) and DemoError naming
        the component and its log when a component does not come up; whatever did start is
        stopped and only the run's ``logs/`` directory is kept.
        """
        wanted = catalogue.validate(tuple(faults))
        started = time.monotonic()
        say = progress or (lambda message: None)
        orphans.reap((base_dir or demo_home()).resolve(), say)
        stack = cls._create(base_dir, keep)
        try:
            stack._cold_start(wanted, say)
        except KeyboardInterrupt:
            # Ctrl-C or SIGTERM while starting: nothing the user asked for is left behind
            stack.stop()
            say(f"interrupted: stopped every process started so far, removed {stack.run_dir}")
            raise
        except BaseException:
            stack.stop(keep_logs=True)
            say(f"start failed: logs kept in {stack._c.layout.logs} (remove them when read)")
            raise
        stack.start_seconds = time.monotonic() - started
        say(f"demo stack ready in {stack.start_seconds:.1f} s: {stack.run_dir}")
        return stack

    @classmethod
    def _create(cls, base_dir: Path | None, keep: bool) -> DemoStack:
        layout = Layout(new_run_dir(base_dir))
        orphans.claim(layout.run_dir)  # before anything starts: a run that dies is found
        hold = PortHold(Ports.count())  # held until stop(): no other process can take them
        ports = Ports.from_list(hold.ports)
        c = Components.build(layout, ports, Secrets.generate(), Processes(layout.run_dir / LEDGER))
        stack = cls(c, RunState(keep=keep))
        stack._hold = hold
        atexit.register(stack.stop)
        return stack

    def _cold_start(self, wanted: tuple[str, ...], say: Callable[[str], None]) -> None:
        c, state = self._c, self._state
        web = [name for name in wanted if catalogue.FAULTS[name].component in WEB]
        cold_start(c, state, web, say)
        state.faults = list(web)
        state.save(c)
        for name in wanted:
            if name not in web:
                self.apply_fault(name)

    @classmethod
    def preview_variables(cls) -> dict[str, str]:
        """The variables a run would export, with placeholder ports and paths; nothing starts.

        Lets an environment file that interpolates ``GONOGO_DEMO_*`` be validated before (or
        without) a cold start: ``gonogo validate --env demo`` and the gate's own pre-check.
        """
        layout = Layout(Path("/nonexistent/gonogo-demo-preview"))
        ports = Ports.from_list(list(range(1, Ports.count() + 1)))
        c = Components.build(layout, ports, Secrets.generate(), Processes())
        return _variables(c, ())

    @classmethod
    def attach(cls, state_file: Path) -> DemoStack:
        """Operate a stack started by another process (e.g. ``gonogo demo up``)."""
        raw = RunState.read(state_file)
        try:
            layout = Layout(Path(raw["run_dir"]))
            ports = Ports(**raw["ports"])
            c = Components.build(
                layout, ports, Secrets(**raw["secrets"]), Processes(layout.run_dir / LEDGER)
            )
            return cls(c, RunState.from_json(raw))
        except (KeyError, TypeError, ValueError) as err:
            run_dir = Path(str(raw.get("run_dir", state_file.parent)))
            raise ForeignState(state_file, run_dir) from err

    def detach(self) -> None:
        """Leave the processes running when this interpreter exits (``gonogo demo up``)."""
        atexit.unregister(self.stop)
        orphans.hand_over(self.run_dir)  # not an orphan for the next start: `demo down` stops it

    # --- facts -------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self._c.layout.state_file

    @property
    def run_dir(self) -> Path:
        return self._c.layout.run_dir

    @property
    def ports(self) -> Ports:
        return self._c.ports

    @property
    def pids(self) -> dict[str, int]:
        return dict(self._state.pids)

    @property
    def active_faults(self) -> frozenset[str]:
        return frozenset(self._state.faults)

    def variables(self) -> dict[str, str]:
        """The ``GONOGO_DEMO_*`` variables ``environments/demo.toml`` interpolates."""
        return _variables(self._c, self.active_faults)

    def secrets(self) -> dict[str, str]:
        """The run's passwords: db, replication, restore drill, redis, app, backup passphrase."""
        return self._c.secrets.to_dict()

    # --- faults ------------------------------------------------------------------------
    def fault(self, name: str) -> AbstractContextManager[None]:
        """Apply ``name`` for the duration of a ``with`` block, then revert it fully."""
        return self._fault(name)

    @contextlib.contextmanager
    def _fault(self, name: str) -> Iterator[None]:
        self.apply_fault(name)
        try:
            yield
        finally:
            self.revert_fault(name)

    def apply_fault(self, name: str) -> None:
        """Inject ``name`` into the running stack; returns once the next request sees it."""
        fault = catalogue.get(name)
        with self._locked():
            if name in self._state.faults:
                return
            self._state.faults.append(name)
            try:
                self._effect(fault.component, name, apply=True)
            except BaseException:
                self._state.faults.remove(name)
                self._state.save(self._c)
                raise
            self._state.save(self._c)

    def revert_fault(self, name: str) -> None:
        """Undo ``name`` and wait until the stack is clean again (no-op if it is not active)."""
        fault = catalogue.get(name)
        with self._locked():
            if name not in self._state.faults:
                return
            self._state.faults.remove(name)
            self._effect(fault.component, name, apply=False)
            self._state.save(self._c)

    def _effect(self, component: str, name: str, *, apply: bool) -> None:
        c, state = self._c, self._state
        if component in WEB:
            write_fault_flags(c.layout.app_faults_file, frozenset(state.faults))
            if name in FAULT_PARAMS:
                self._reload_nginx()
        elif component == "backups":
            backup_faults.rebuild(c, state.faults)
        elif component == "dns":
            c.dns.write(state.faults)
        elif component == "monitoring":
            monitoring_faults.effect(c, state, name, apply=apply)
        else:
            require_running(name, state)
            do, undo = EFFECTS[name]
            (do if apply else undo)(c, state)

    def _reload_nginx(self) -> None:
        c, state = self._c, self._state
        generation = state.generation + 1
        c.nginx.write(state.faults, generation)
        c.nginx.reload(state.pids["nginx"], generation)
        state.generation = generation

    def reset_rate_limit(self) -> None:
        """Reload nginx with a fresh login rate-limit zone (the limit is per client address)."""
        with self._locked():
            self._reload_nginx()
            self._state.save(self._c)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialize changes across processes and pick up what another process changed."""
        if self._stopped:
            raise DemoError(f"demo: stack {self.run_dir} is stopped")
        with self._c.layout.lock_file.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.state_file.exists():
                self._state = RunState.from_json(RunState.read(self.state_file))
            yield

    # --- stop --------------------------------------------------------------------------
    def stop(self, *, keep_logs: bool = False) -> None:
        """Stop every process by PID (front end first), then remove the run directory.

        Idempotent. ``keep_logs`` (after a failed start) removes everything but ``logs/``, so
        the log named in the error message can still be read. A signal meanwhile is held until
        the stop is done: a second Ctrl-C cannot leave half a stack running.
        """
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        self._c.procs.cancel()  # a start still running in another thread starts nothing more
        with deferred():
            self._stop(keep_logs)

    def _stop(self, keep_logs: bool) -> None:
        checkpoint("demo-stop")
        if self.state_file.exists():
            # another process may have restarted a server (new PID) since we last looked
            with contextlib.suppress(DemoError):
                self._state = RunState.from_json(RunState.read(self.state_file))
        # every server at once (the front end first), then one wait: a stop takes as long as
        # the slowest server, not the sum of them
        targets: list[tuple[int, int]] = []
        for component in reversed(COMPONENTS):
            pid = self._state.pids.get(component, 0)
            if pid and self._ours(pid):
                targets.append((pid, STOP_SIGNALS[component]))
            self._state.pids[component] = 0
        hog = int(self._state.data.pop("hog_pid", 0))  # connections-exhausted fault's child
        if hog and self._ours(hog):
            targets.append((hog, signal.SIGTERM))
        chosen = {pid for pid, _ in targets}
        targets += [(pid, signal.SIGTERM) for pid in self._c.procs.leftovers() if pid not in chosen]
        errors = self._c.procs.stop_many(targets, STOP_TIMEOUT_S)
        if self._hold is not None:
            self._hold.release()
        if keep_logs and not self._state.keep:
            for entry in self.run_dir.iterdir():
                if entry.name != "logs":
                    _remove(entry)
        elif not self._state.keep:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            remove_home_if_empty(self.run_dir.parent)
        elif self.run_dir.exists():
            self._state.save(self._c)
        if errors:
            raise DemoError("demo: could not stop " + "; ".join(errors))

    def _ours(self, pid: int) -> bool:
        """Whether ``pid`` is still the process the run started (not gone, not reused since)."""
        return self._c.procs.started_here(pid) or orphans.running(self.run_dir, pid)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
