"""The run context: the loaded environment and everything a run shares.

Built once on the controller in ``pytest_configure``; under xdist the controller passes what
workers need (demo variables, run id, start time) through ``workerinput`` so that every
process sees the same environment and the same ``now``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets as pysecrets
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gonogo import __version__, config
from gonogo.catalogue import Catalogue
from gonogo.config import Environment
from gonogo.errors import ConfigError
from gonogo.gate import SharedProbes
from gonogo.redact import Redactor

DEMO_STATE_VAR = "GONOGO_DEMO_STATE"


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
        shared: session-wide probe memo.
        report_dir: ``reports/<env>/<run-id>`` (controller only writes there).
        demo: the demo stack this process started (stopped at the end), if any.
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

    def to_workerinput(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "demo_variables": self.demo_variables,
        }


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
        return None, stack.variables(), stack.secrets()
    stack = DemoStack.start(faults=faults, progress=progress)
    return stack, stack.variables(), stack.secrets()


def build(
    *,
    env_name: str | None,
    env_file: str | None,
    env_dir: Path,
    catalogue: Catalogue,
    reports_root: Path,
    release: str | None,
    allow_intrusive: bool,
    demo_faults: list[str],
    workerinput: Mapping[str, Any] | None,
    progress: Callable[[str], None],
) -> RunContext:
    """Load the environment (starting the demo stack when the file asks for it)."""
    path = config.resolve_path(env_name, env_file, env_dir)
    raw = config.read_toml(path)
    demo_stack = None
    demo_vars: dict[str, str] = {}
    demo_secrets: dict[str, str] = {}
    if workerinput is not None:
        demo_vars = dict(workerinput.get("demo_variables", {}))
        started_at = dt.datetime.fromisoformat(workerinput["started_at"])
        run_id = str(workerinput["run_id"])
    else:
        started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        run_id = new_run_id(started_at)
        if "demo" in raw:
            faults = _demo_faults(raw, path) + [f for f in demo_faults if f]
            demo_stack, demo_vars, demo_secrets = start_or_attach_demo(faults, progress)
        elif demo_faults:
            raise ConfigError(
                f"--demo-fault needs an environment with a [demo] table ({path} has none); try --env demo"
            )
    try:
        env = config.load(path, extra=demo_vars)
    except BaseException:
        if demo_stack is not None:
            demo_stack.stop()
        raise
    for waiver in env.config.waivers:
        if waiver.check not in catalogue:
            if demo_stack is not None:
                demo_stack.stop()
            raise ConfigError(
                f"{path}: waiver for unknown check id {waiver.check!r}; `gonogo checks` lists the known ids"
            )
    for check_id in env.config.checks:
        if check_id not in catalogue:
            if demo_stack is not None:
                demo_stack.stop()
            raise ConfigError(
                f"{path}: checks.{check_id}: unknown check id; `gonogo checks` lists the known ids"
            )
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
        demo=demo_stack,
        demo_variables=demo_vars,
    )


def _demo_faults(raw: dict[str, Any], path: Path) -> list[str]:
    demo = raw.get("demo")
    faults = demo.get("faults", []) if isinstance(demo, dict) else []
    if not isinstance(faults, list) or not all(isinstance(f, str) for f in faults):
        raise ConfigError(
            f"{path}: demo.faults: must be a list of fault names (see `gonogo demo faults`)"
        )
    return list(faults)


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
