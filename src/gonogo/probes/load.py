"""Run locust headless as a subprocess and read what it measured (``run_load``).

Locust is never imported here: it monkey-patches the interpreter with gevent, which breaks
pytest (and deadlocks after a Playwright test). The locust process gets the plan in a private
temporary directory, writes its JSON, CSV and HTML outputs there, and is stopped by its own
``--run-time``, by the locustfile's early abort (a sustained breach), or by the hard
wall-clock limit here (SIGTERM, so that it still writes its statistics, then SIGKILL).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.facts.load import LoadFacts
from gonogo.loadplan import ABORT_ENV, PLAN_ENV, SENT_ENV, plan_of
from gonogo.model import ErrorReason
from gonogo.probes.load_results import parse_history, parse_stats
from gonogo.schema.load import LoadConfig
from gonogo.schema.smoke import Endpoint
from gonogo.schema.web import WebConfig

PREFIX = "locust"  # locust.json, locust_stats.csv, locust_stats_history.csv, locust.html
_GRACE_S = 5.0  # after SIGTERM at the hard limit, locust writes its files in this time


def locust_command(locustfiles: Sequence[Path], *extra: str) -> list[str]:
    """``python -m locust -f a.py,b.py ...`` with the interpreter running gonogo."""
    files = ",".join(str(p) for p in locustfiles)
    return [sys.executable, "-m", "locust", "-f", files, "--loglevel", "WARNING", *extra]


def headless_args(cfg: LoadConfig, host: str, out: Path) -> list[str]:
    """The options of one headless run of ``cfg`` against ``host``, its outputs under ``out``."""
    args = [
        "--headless",
        "--host",
        host,
        "--users",
        str(cfg.users),
        "--spawn-rate",
        f"{cfg.spawn_rate:g}",
        "--run-time",
        f"{max(1, round(cfg.duration_s))}s",
        "--stop-timeout",
        "5",
        "--only-summary",
        "--json-file",
        str(out / PREFIX),
        "--csv",
        str(out / PREFIX),
        "--csv-full-history",
        "--html",
        str(out / f"{PREFIX}.html"),
    ]
    if cfg.processes > 1:
        args += ["--processes", str(cfg.processes)]
    return args


def run_load(
    cfg: LoadConfig, web: WebConfig, locustfile: Path, endpoints: Sequence[Endpoint] = ()
) -> LoadFacts:
    """Put ``cfg``'s load on ``web``'s entry point and return what locust measured
    (``endpoints``: the ``[[smoke.endpoints]]`` that ``smoke_endpoints`` reuses)."""
    host = web.base_url.rstrip("/")
    with tempfile.TemporaryDirectory(prefix="gonogo-load-") as tmp:
        out = Path(tmp)
        plan = out / "plan.json"  # may hold the login's secret: private, removed afterwards
        plan.touch(mode=0o600)
        plan.write_text(plan_of(cfg, web.ca_bundle, endpoints).to_json(), encoding="utf-8")
        abort_file = out / "abort.txt"
        environ = {**os.environ, PLAN_ENV: str(plan), ABORT_ENV: str(abort_file)}
        environ.pop(SENT_ENV, None)
        cmd = locust_command([locustfile, *cfg.locustfiles], *headless_args(cfg, host, out))
        code, stderr = _run(cmd, environ, cfg.hard_limit_s, out)
        json_file = out / f"{PREFIX}.json"
        if not json_file.is_file() or code not in (0, 1):
            raise ProbeError(
                f"locust did not complete (exit {code}): {_tail(stderr)}",
                reason=ErrorReason.CONFIG if code == 2 else ErrorReason.BUG,
            )
        elapsed, total, scenarios = parse_stats(json_file.read_text(encoding="utf-8"))
        history_file = out / f"{PREFIX}_stats_history.csv"
        history = parse_history(history_file.read_text()) if history_file.is_file() else ()
        aborted = abort_file.read_text().strip() if abort_file.is_file() else None
        return LoadFacts(
            target=host,
            users=cfg.users,
            spawn_rate=cfg.spawn_rate,
            planned_s=cfg.duration_s,
            processes=cfg.processes,
            max_users=cfg.max_users,
            max_duration_s=cfg.max_duration_s,
            elapsed_s=elapsed,
            total=total,
            scenarios=scenarios,
            history=history,
            aborted=aborted or None,
            exit_code=code,
            artefacts=tuple(
                (p.name, p.read_bytes())
                for p in sorted(out.iterdir())
                if p.name.startswith(PREFIX) and p.is_file()
            ),
        )


def _run(cmd: list[str], environ: dict[str, str], limit_s: float, cwd: Path) -> tuple[int, str]:
    """Run locust in its own process group; stop the group at ``limit_s`` (ProbeTimeout)."""
    with (cwd / "stderr.txt").open("w+", encoding="utf-8") as err:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=limit_s)
        except subprocess.TimeoutExpired as expired:
            _stop(proc)
            raise ProbeTimeout(
                f"locust ran past the hard wall-clock limit of {limit_s:g} s and was stopped"
            ) from expired
        finally:
            if proc.poll() is None:  # interrupted (Ctrl-C, SIGTERM): take locust down too
                _stop(proc)
        err.seek(0)
        return code, err.read()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, _GRACE_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(text: str, lines: int = 5) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "no output"
