"""gonogo's locustfile: FastHttpUser tasks generated from the load plan's weighted scenarios.

Under gonogo the load stage writes the plan (``[load]`` of the environment file) and names it in
``GONOGO_LOAD_PLAN``. Standalone, the same file runs with locust's own command line::

    gonogo load plan --env staging -o plan.json          # the scenarios of [load]
    GONOGO_LOAD_PLAN=plan.json locust -f load/locustfile.py --host https://staging.example.com
    locust -f load/locustfile.py --host https://staging.example.com   # no plan: GET / only

Hand-written user classes go in their own file (``load/users_checkout.py``), listed in
``[load] locustfiles``; gonogo passes them to locust beside this one (``-f a.py,b.py``), so they
run, and are measured, in the same run. Never import this module into pytest: locust
monkey-patches the interpreter with gevent.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
import gevent.ssl
from locust import FastHttpUser, constant, events
from locust.env import Environment
from locust.runners import WorkerRunner

from gonogo.loadplan import ABORT_ENV, DEFAULT_PLAN, PLAN_ENV, SENT_ENV, LoadPlan, PlannedRequest

PLAN = LoadPlan.read(Path(os.environ[PLAN_ENV])) if os.environ.get(PLAN_ENV) else DEFAULT_PLAN


def _trusting(ca_bundle: str) -> Callable[..., gevent.ssl.SSLContext]:
    """An SSL context factory that verifies the server against ``ca_bundle`` (a private CA)."""

    def factory(*_args: Any, **_kwargs: Any) -> gevent.ssl.SSLContext:
        return gevent.ssl.create_default_context(cafile=ca_bundle)

    return factory


def perform(user: FastHttpUser, request: PlannedRequest) -> None:
    """Send one planned request; an unexpected status is a failure, then think."""
    extra: dict[str, Any] = {} if request.json_body is None else {"json": request.json_body}
    with user.client.request(
        request.method,
        request.path,
        name=request.name,
        headers=request.headers or None,
        catch_response=True,
        **extra,
    ) as response:
        if response.status_code in request.expect_status:
            response.success()
        else:
            expected = ", ".join(map(str, request.expect_status))
            response.failure(f"status {response.status_code} (expected {expected})")
    if request.think_time_s:
        gevent.sleep(request.think_time_s)


def _task(request: PlannedRequest) -> Callable[[FastHttpUser], None]:
    def run(user: FastHttpUser) -> None:
        perform(user, request)

    run.__name__ = f"scenario_{request.name}"
    return run


class ScenarioUser(FastHttpUser):
    """A simulated user: logs in once (``[load.login]``), then runs weighted scenarios."""

    tasks = {_task(s): s.weight for s in PLAN.scenarios}
    wait_time = constant(0)  # each scenario's think time follows its own request
    insecure = False  # verify TLS as a browser would
    if PLAN.ca_bundle:
        ssl_context_factory = _trusting(PLAN.ca_bundle)

    def on_start(self) -> None:
        if PLAN.login is not None:
            perform(self, PLAN.login)


def _p95(times: dict[int, int], count: int) -> int:
    """Locust's percentile over a response-time histogram (rounded ms -> count)."""
    rank = int(count * 0.95)
    seen = 0
    for value in sorted(times, reverse=True):
        seen += times[value]
        if count - seen <= rank:
            return value
    return 0


def breach(rule: Any, requests: int, failures: int, times: dict[int, int]) -> str | None:
    """Why the last window breaches its threshold, or None."""
    if requests < rule.min_requests:
        return None
    ratio = failures / requests
    if rule.error_ratio is not None and ratio > rule.error_ratio:
        return (
            f"error ratio {ratio:.1%} over the last {rule.window_s:g} s "
            f"(threshold {rule.error_ratio:.2%})"
        )
    done = requests - failures
    p95 = _p95(times, sum(times.values())) if times else 0
    if rule.p95_ms is not None and done and p95 > rule.p95_ms:
        return f"p95 {p95} ms over the last {rule.window_s:g} s (threshold {rule.p95_ms:g} ms)"
    return None


def _scenario_totals(environment: Environment) -> tuple[int, int, dict[int, int]]:
    """Requests, failures and the histogram of every scenario so far, the login left out (a
    password hash per user at the start is not the system's steady latency)."""
    requests = failures = 0
    times: dict[int, int] = {}
    login = PLAN.login.name if PLAN.login is not None else None
    for (name, _method), entry in list(environment.stats.entries.items()):
        if name == login:
            continue
        requests += entry.num_requests
        failures += entry.num_failures
        for value, count in entry.response_times.items():
            times[value] = times.get(value, 0) + count
    return requests, failures, times


def _watch(environment: Environment) -> None:
    """Stop the run once the trailing window breaches (locust cannot do this by itself)."""
    rule = PLAN.abort
    samples: deque[tuple[float, int, int, dict[int, int]]] = deque()
    while True:
        gevent.sleep(1.0)
        requests, failures, times = _scenario_totals(environment)
        now = time.monotonic()
        samples.append((now, requests, failures, times))
        if now - samples[0][0] < rule.window_s:
            continue  # not a full window yet
        while len(samples) > 1 and now - samples[1][0] >= rule.window_s:
            samples.popleft()
        _, before, failed_before, times_before = samples[0]
        window = {k: v - times_before.get(k, 0) for k, v in times.items()}
        why = breach(
            rule,
            requests - before,
            failures - failed_before,
            {k: v for k, v in window.items() if v > 0},
        )
        if why is not None and environment.runner is not None:
            Path(os.environ.get(ABORT_ENV, "locust-abort.txt")).write_text(why + "\n")
            environment.runner.quit()
            return


@events.init.add_listener
def _on_init(environment: Environment, **_kwargs: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        sent = os.environ.get(SENT_ENV)
        if sent:
            _record_reports(environment, Path(sent))
    elif PLAN.abort.window_s > 0 and runner is not None:
        gevent.spawn(_watch, environment)


def _record_reports(environment: Environment, path: Path) -> None:
    """Append each stats report this worker sends to its master (the distributed test's audit)."""

    def on_report(client_id: str, data: dict[str, Any]) -> None:
        line = {
            "client_id": client_id,
            "stats": data.get("stats", []),
            "errors": data.get("errors"),
        }
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, default=str) + "\n")

    environment.events.report_to_master.add_listener(on_report)
