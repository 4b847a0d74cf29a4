"""Cold start of a run: independent components start concurrently.

Five lanes run in threads (each step inside a lane depends on the one before):

- postgres: initdb → primary → schema and rows → [standby ∥ pgbench → dumps → gpg]
- scratch: initdb → scratch server → restore role and amcheck (restore drills)
- redis: configs → master → replica → replica linked
- web: CA + server certificate ∥ app deployed and started → nginx (needs the certificate)
- monitoring: webhook → Alertmanager → Prometheus → scraping the app (once the web lane has it up)
- host: the private sshd (the ssh:// host of host.*) → the named worker process → the DNS server of ``dns.*``

A failing lane does not stop the others early (each wait has its own timeout); the caller
stops whatever did start, by the PIDs recorded in the run state. An interrupt cancels the start
(:meth:`~gonogo.demo.procs.Processes.cancel`): waits end and the commands in flight are killed,
so the lanes return within moments instead of finishing the whole start first.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from gonogo.demo import app_process, releases, worker
from gonogo.demo.app_support import write_fault_flags
from gonogo.demo.components import Components, RunState
from gonogo.errors import DemoError
from gonogo.interrupts import checkpoint, deferred

Progress = Callable[[str], None]


class _Recorder:
    """Records PIDs into the run state as lanes start processes (lanes run in threads)."""

    def __init__(self, state: RunState, progress: Progress, started: float) -> None:
        self.state = state
        self.progress = progress
        self.started = started
        self.lock = threading.Lock()

    def pid(self, component: str, pid: int) -> None:
        with self.lock:
            self.state.pids[component] = pid
        self.say(f"{component} up (pid {pid})")

    def say(self, message: str) -> None:
        with self.lock:
            self.progress(f"[{time.monotonic() - self.started:5.1f} s] {message}")


def _postgres_lane(c: Components, rec: _Recorder, now: dt.datetime) -> None:
    pg = c.pg
    pg.init_primary()
    rec.pid("postgres-primary", pg.start("primary"))
    pg.bootstrap()
    rec.say("postgres schema and sample rows loaded")

    # the base backup is taken before pgbench: copying the small database and streaming
    # pgbench's WAL live is faster than replaying it all before the standby is consistent
    pg.create_standby()
    rec.say("pg_basebackup done")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-standby") as pool:
        standby = pool.submit(pg.start, "standby")
        pg.pgbench()
        rec.say("pgbench -i -s 5 loaded")
        c.backups.create(now, rec.say)
        rec.pid("postgres-standby", standby.result())
    pg.wait_streaming(caught_up=True)
    rec.say("standby streaming and caught up")


def _scratch_lane(c: Components, rec: _Recorder) -> None:
    c.pg.init_scratch()
    rec.pid("postgres-scratch", c.pg.start("scratch"))
    c.pg.bootstrap_scratch()
    rec.say("postgres scratch server ready (restore role, amcheck)")


def _redis_lane(c: Components, rec: _Recorder) -> None:
    c.redis.configure()
    rec.pid("redis-master", c.redis.start("master"))
    rec.pid("redis-replica", c.redis.start("replica"))
    checkpoint("demo-lane", abandon=c.procs.cancelled.is_set)  # tests: a lane in a long wait
    c.redis.wait_linked()
    rec.say("redis replica linked")


def _web_lane(c: Components, rec: _Recorder, faults: Iterable[str]) -> None:
    faults = tuple(faults)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-app") as pool:
        app = pool.submit(_app, c, rec, faults)
        c.pki.create_ca(c.layout.run_dir.name)
        c.pki.ensure("server")
        c.nginx.write(faults, generation=1)
        rec.state.generation = 1
        rec.pid("nginx", c.nginx.start(generation=1))
        app.result()  # the relay reads the app's fault flags, written first
        rec.pid("smtp", c.smtp.start())


def _host_lane(c: Components, rec: _Recorder) -> None:
    rec.pid("sshd", c.sshd.start())
    rec.pid("worker", worker.start(c.layout.worker_name, c.layout.log("worker"), c.procs))
    rec.pid("dns", c.dns.start(()))


def _app(c: Components, rec: _Recorder, faults: tuple[str, ...]) -> None:
    app_process.deploy(c.layout, c.pg.app_dsn(), c.redis.url(), c.secrets)
    # web faults requested at start are active before the first request
    write_fault_flags(c.layout.app_faults_file, frozenset(faults))
    rec.pid("app", app_process.start(c.layout, c.ports, c.procs))


def _monitoring_lane(c: Components, rec: _Recorder) -> None:
    releases.create(c.layout)  # the previous release, kept for a rollback
    m = c.monitoring
    m.configure()
    rec.pid("webhook", m.start_webhook())
    rec.pid("alertmanager", m.start_alertmanager())
    rec.pid("prometheus", m.start_prometheus())
    # the app comes up in the web lane: wait on Prometheus' own answers until it scrapes it,
    # has evaluated every rule and holds samples for the post-deploy window
    m.wait_settled()
    rec.say("prometheus scraping the app, rules evaluated")


def cold_start(
    c: Components, state: RunState, web_faults: Iterable[str], progress: Progress
) -> None:
    """Start every component; raise DemoError naming the first lane that failed."""
    rec = _Recorder(state, progress, time.monotonic())
    c.layout.logs.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    pool = ThreadPoolExecutor(max_workers=5, thread_name_prefix="demo-lane")
    try:
        lanes: dict[str, Future[None]] = {
            "postgres": pool.submit(_postgres_lane, c, rec, now),
            "scratch": pool.submit(_scratch_lane, c, rec),
            "redis": pool.submit(_redis_lane, c, rec),
            "web": pool.submit(_web_lane, c, rec, web_faults),
            "monitoring": pool.submit(_monitoring_lane, c, rec),
            "host": pool.submit(_host_lane, c, rec),
        }
        checkpoint("demo-start")
        # in short waits: a signal taken by a lane's thread runs its handler in this (main)
        # thread only once this thread runs Python again, not when the whole start is done
        while wait(lanes.values(), timeout=0.25).not_done:
            pass
    except KeyboardInterrupt:
        # the lanes end at their next step; the caller then stops every process they started
        rec.say("interrupted: cancelling the start, then stopping what it started")
        c.procs.cancel()
        with deferred():
            pool.shutdown(wait=True)
        raise
    finally:
        pool.shutdown(wait=True)
    for name, lane in lanes.items():
        err = lane.exception()
        if isinstance(err, DemoError):
            raise err
        if err is not None:
            raise DemoError(
                f"{name}: start failed: {type(err).__name__}: {err} (logs: {c.layout.logs})"
            ) from err
