"""The run context: the loaded environment and everything a run shares.

Built once on the controller in ``pytest_configure``; under xdist the controller passes what
workers need (demo variables, run id, start time) through ``workerinput`` so that every
process sees the same environment and the same ``now``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets as pysecrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gonogo import __version__, config, endpoints
from gonogo.catalogue import Catalogue
from gonogo.config import EnvFile, Environment
from gonogo.engine import preflight
from gonogo.engine.downboard import DownBoard
from gonogo.engine.evidence import Evidence
from gonogo.errors import ConfigError
from gonogo.gate import SharedProbes
from gonogo.interrupts import checkpoint
from gonogo.model import CheckSpec
from gonogo.redact import Redactor

DEMO_STATE_VAR = "GONOGO_DEMO_STATE"


CONTEXT_KEY = pytest.StashKey["RunContext"]()  # config.stash: the run (gate runs only)
SPEC_KEY = pytest.StashKey[CheckSpec]()  # item.stash: the check's effective identity
EVIDENCE_KEY = pytest.StashKey[Evidence]()  # item.stash: what the check recorded


@dataclass
class RunContext:
    """Everything one gate run shares (one per process).

    Attributes:
        env: the validated environment.
        catalogue: the known checks.
        run_id: ``YYYYmmddTHHMMSSZ-xxxx``, also the report directory name.
        started_at: UTC start of the run (the ``now`` given to rules).
        release: expected release (``--release`` or the environment file).
        allow_intrusive: ``--allow-intrusive`` was given.
        redactor: masks secrets in everything that leaves the process.
        shared: session-wide probe memo and the run's unreachable endpoints.
        report_dir: ``reports/<env>/<run-id>`` (controller only writes there).
        demo: the demo stack this process started (stopped at the end), if any.
        demo_variables: the ``GONOGO_DEMO_*`` values of the demo stack, passed to workers.
        down_dir: run-scoped directory of unreachable endpoints, shared with workers
            (created and removed by the controller).
        workers_dir: run-scoped directory where xdist workers register their PIDs (the
            controller passes a signal on to them).
        endpoint_keys: endpoint (``host:port``) -> the env-file keys that name it.
    """

    env: Environment
    catalogue: Catalogue
    run_id: str
    started_at: dt.datetime
    release: str | None
    allow_intrusive: bool
    redactor: Redactor
    report_dir: Path
    shared: SharedProbes = field(default_factory=SharedProbes)
    demo: Any = None
    demo_variables: dict[str, str] = field(default_factory=dict)
    down_dir: Path | None = None
    workers_dir: Path | None = None
    endpoint_keys: dict[str, list[str]] = field(default_factory=dict)

    def to_workerinput(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "demo_variables": self.demo_variables,
            "down_dir": str(self.down_dir) if self.down_dir else None,
            "workers_dir": str(self.workers_dir) if self.workers_dir else None,
        }

    def where_configured(self, target: str) -> str:
        """``web.base_url in environments/prod.toml`` for a check's target, or ``""``."""
        endpoint = endpoints.endpoint_of(target)
        keys = self.endpoint_keys.get(endpoint, []) if endpoint else []
        return f"{', '.join(keys)} in {self.env.path}" if keys else ""

    def close(self, *, controller: bool) -> None:
        """Stop the demo stack this process started; the controller removes the run's scratch."""
        if self.demo is not None:
            self.demo.stop()
            self.demo = None
        if controller:
            for scratch in (self.down_dir, self.workers_dir):
                if scratch is not None:
                    shutil.rmtree(scratch, ignore_errors=True)
            self.down_dir = self.workers_dir = None


class StartInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM while the run started (the demo stack starting, host names resolving);
    the demo stack stopped what it had started.

    Carries the run's context (loaded with the placeholder demo values the file was validated
    with, when the stack was not up yet), so that the run can still write its NO-GO
    (interrupted) report.
    """

    def __init__(self, ctx: RunContext) -> None:
        super().__init__("interrupted while the run started")
        self.ctx = ctx


def new_run_id(now: dt.datetime) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{pysecrets.token_hex(2)}"


def start_or_attach_demo(
    faults: list[str], progress: Callable[[str], None]
) -> tuple[Any, dict[str, str], dict[str, str]]:
    """Start the embedded demo stack (or attach to one named by ``$GONOGO_DEMO_STATE``).

    Returns (stack we own or None, variables, secrets).
    """
    from gonogo.demo.stack import DemoStack  # heavy imports only when the demo is used

    state = os.environ.get(DEMO_STATE_VAR)
    if state:
        stack = DemoStack.attach(Path(state))
        for fault in faults:
            if fault not in stack.active_faults:
                raise ConfigError(
                    f"${DEMO_STATE_VAR} names a running demo stack without fault {fault!r}; "
                    f"start it with `gonogo demo up --fault {fault}` or unset {DEMO_STATE_VAR}"
                )
        progress(f"attached to the demo stack in {stack.run_dir}")
        return None, stack.variables(), stack.secrets()
    stack = DemoStack.start(faults=faults, progress=progress)
    return stack, stack.variables(), stack.secrets()


def demo_preview() -> dict[str, str]:
    """The ``GONOGO_DEMO_*`` variables with placeholder ports and paths (nothing is started)."""
    from gonogo.demo.stack import DemoStack

    return DemoStack.preview_variables()


def build(
    *,
    source: EnvFile,
    catalogue: Catalogue,
    reports_root: Path,
    release: str | None,
    allow_intrusive: bool,
    demo_faults: list[str],
    workerinput: Mapping[str, Any] | None,
    progress: Callable[[str], None],
) -> RunContext:
    """Load and check the environment (starting the demo stack when the file asks for it).

    On the controller everything that can be wrong with the configuration is found before the
    demo stack starts: the file is validated with placeholder demo values first, and after
    loading, every configured host name must resolve (a name that does not exist is a
    configuration error; a host that refuses or does not answer is left to the checks).
    """
    path, raw = source.path, dict(source.raw)
    if workerinput is not None:
        given = dict(workerinput.get("demo_variables", {}))
        down = workerinput.get("down_dir")
        return _context(
            config.load(path, extra=given, raw=raw),
            catalogue,
            run_id=str(workerinput["run_id"]),
            started_at=dt.datetime.fromisoformat(workerinput["started_at"]),
            reports_root=reports_root,
            release=release,
            allow_intrusive=allow_intrusive,
            demo_vars=given,
            demo_secrets={},
            down_dir=Path(down) if down else None,
            workers_dir=Path(workers) if (workers := workerinput.get("workers_dir")) else None,
        )
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    run_id = new_run_id(started_at)
    demo_stack = None
    demo_vars: dict[str, str] = {}
    demo_secrets: dict[str, str] = {}
    ctx: RunContext | None = None
    bare: Environment | None = None  # what a report of a run interrupted now would say
    if "demo" in raw:
        faults = faults_to_inject(raw, path, [f for f in demo_faults if f])
        # every configuration error surfaces before the stack's cold start, not after it
        preview = demo_preview()
        bare = config.load(
            path, extra=preview, placeholders=preview, known_checks=catalogue, raw=raw
        )
        check_reports_dir(reports_root / bare.name)
    elif demo_faults:
        raise ConfigError(
            f"--demo-fault needs an environment with a [demo] table ({path} has none); try --env demo"
        )
    try:
        if bare is not None:
            demo_stack, demo_vars, demo_secrets = start_or_attach_demo(faults, progress)
        env = config.load(path, extra=demo_vars, known_checks=catalogue, raw=raw)
        check_reports_dir(reports_root / env.name)
        ctx = _context(
            env,
            catalogue,
            run_id=run_id,
            started_at=started_at,
            reports_root=reports_root,
            release=release,
            allow_intrusive=allow_intrusive,
            demo_vars=demo_vars,
            demo_secrets=demo_secrets,
            down_dir=None,
        )
        checkpoint("preflight")
        _preflight(ctx)  # resolving host names may take a while
    except BaseException as err:
        if demo_stack is not None:
            demo_stack.stop()
        if isinstance(err, KeyboardInterrupt) and ctx is None and bare is not None:
            ctx = _context(
                bare,
                catalogue,
                run_id=run_id,
                started_at=started_at,
                reports_root=reports_root,
                release=release,
                allow_intrusive=allow_intrusive,
                demo_vars={},
                demo_secrets={},
                down_dir=None,
            )
        if isinstance(err, KeyboardInterrupt) and ctx is not None:
            raise StartInterrupted(ctx) from err
        raise
    ctx.demo = demo_stack
    ctx.down_dir = Path(tempfile.mkdtemp(prefix=f"gonogo-{ctx.run_id}-down-"))
    ctx.workers_dir = Path(tempfile.mkdtemp(prefix=f"gonogo-{ctx.run_id}-workers-"))
    ctx.shared.board.directory = ctx.down_dir
    return ctx


def _context(
    env: Environment,
    catalogue: Catalogue,
    *,
    run_id: str,
    started_at: dt.datetime,
    reports_root: Path,
    release: str | None,
    allow_intrusive: bool,
    demo_vars: dict[str, str],
    demo_secrets: dict[str, str],
    down_dir: Path | None,
    workers_dir: Path | None = None,
) -> RunContext:
    redactor = Redactor(env.secrets)
    redactor.add(demo_secrets.values())
    redactor.add(
        v
        for k, v in demo_vars.items()
        if config._SECRET_NAME.search(k.removeprefix("GONOGO_DEMO_"))
    )
    return RunContext(
        env=env,
        catalogue=catalogue,
        run_id=run_id,
        started_at=started_at,
        release=release or env.config.release,
        allow_intrusive=allow_intrusive,
        redactor=redactor,
        report_dir=reports_root / env.name / run_id,
        shared=SharedProbes(DownBoard(down_dir)),
        demo_variables=demo_vars,
        down_dir=down_dir,
        workers_dir=workers_dir,
        endpoint_keys=endpoints.configured_endpoints(env.config.model_dump(mode="json")),
    )


def check_reports_dir(directory: Path) -> None:
    """``reports/<env>`` can take this run: a directory (or absent) whose ``latest`` is absent
    or the link gonogo keeps (to a run directory beside it), never a file it would replace."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: not a directory; move it away (reports go there)")
    latest = directory / "latest"
    if not os.path.lexists(latest):
        return
    if not latest.is_symlink() or "/" in os.readlink(latest):
        raise ConfigError(
            f"{latest}: not the link gonogo keeps to the last run (a file, a directory or a link "
            "elsewhere); move it away, gonogo does not replace what it did not create"
        )


def _preflight(ctx: RunContext) -> None:
    """A configured host name that does not exist is a configuration error (exit 4)."""
    problems = [
        f"{keypath}: host {host!r} does not resolve ({why}); fix the name or run the gate "
        "where it resolves"
        for keypath, host, why in preflight.unresolvable_hosts(ctx.endpoint_keys)
    ]
    if len(problems) == 1:
        raise ConfigError(f"{ctx.env.path}: {problems[0]}")
    if problems:
        listed = "\n".join(f"  {line}" for line in problems)
        raise ConfigError(f"{ctx.env.path}: {len(problems)} problems:\n{listed}")


def faults_to_inject(raw: dict[str, Any], path: Path, options: list[str]) -> list[str]:
    """The faults to inject: ``[demo] faults`` of the file, then ``--demo-fault`` options.

    Each name must be a fault of the demo stack; an error names where it was written.
    """
    from gonogo.demo.faults import FAULTS

    demo = raw.get("demo")
    faults = demo.get("faults", []) if isinstance(demo, dict) else []
    if not isinstance(faults, list) or not all(isinstance(f, str) for f in faults):
        raise ConfigError(
            f"{path}: demo.faults: must be a list of fault names (see `gonogo demo faults`)"
        )
    known = ", ".join(sorted(FAULTS))
    for fault in faults:
        if fault not in FAULTS:
            raise ConfigError(f"{path}: demo.faults: unknown fault {fault!r}; known: {known}")
    for fault in options:
        if fault not in FAULTS:
            raise ConfigError(f"--demo-fault {fault}: unknown fault; known: {known}")
    return [*faults, *options]


def suite_commit(root: Path) -> str | None:
    """The suite's git commit (with ``-dirty`` when it has local changes), if any."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def progress_printer(prefix: str = "gonogo") -> Callable[[str], None]:
    def show(message: str) -> None:
        print(f"{prefix}: {message}", file=sys.stderr, flush=True)

    return show


VERSION = __version__
