"""What one locust run measured (``load.*`` checks): per scenario and overall, plus its history."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestStats:
    """Response times and counts of one scenario, or of all of them (``name`` ``"overall"``).

    Attributes:
        name, method: the scenario (method ``""`` for the overall row).
        requests: requests answered or failed. failures: requests that failed (an unexpected
        status, a connection error). avg_ms, p50_ms, p95_ms, p99_ms, max_ms: response times
        from locust's histogram (None without requests). rps: requests per second over the run.
    """

    name: str
    method: str
    requests: int
    failures: int
    avg_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    rps: float

    @property
    def error_ratio(self) -> float | None:
        return self.failures / self.requests if self.requests else None


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One second of the run (locust's stats history, all scenarios together).

    Attributes:
        t_s: seconds since the run started. users: users running. rps, failures_per_s:
        locust's current rates. p50_ms, p95_ms: its current percentiles (None: no data yet).
    """

    t_s: float
    users: int
    rps: float
    failures_per_s: float
    p50_ms: float | None
    p95_ms: float | None


@dataclass(frozen=True, slots=True)
class LoadFacts:
    """One load run of ``target``.

    Attributes:
        target: the host under load. users, spawn_rate, planned_s, processes: how it was run.
        max_users, max_duration_s: the environment's ceilings (shown as evidence).
        elapsed_s: first request to last. total: every scenario together. scenarios: each one.
        history: the run second by second (the chart). aborted: why the run stopped early
        (a sustained breach), or None. exit_code: locust's. artefacts: locust's outputs
        (file name -> bytes): the HTML report, the JSON and CSV statistics.
    """

    target: str
    users: int
    spawn_rate: float
    planned_s: float
    processes: int
    max_users: int
    max_duration_s: float
    elapsed_s: float
    total: RequestStats
    scenarios: tuple[RequestStats, ...]
    history: tuple[HistoryPoint, ...] = ()
    aborted: str | None = None
    exit_code: int = 0
    artefacts: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class Baseline:
    """The accepted run a new one is compared with (``load/baselines/<env>.json``).

    Attributes:
        run_id: the accepted run. accepted_by, accepted_at: who accepted it, when (ISO 8601).
        users, planned_s: how it was run (a run of another size is not comparable).
        total, scenarios: what it measured.
    """

    run_id: str
    accepted_by: str
    accepted_at: str
    users: int
    planned_s: float
    total: RequestStats
    scenarios: tuple[RequestStats, ...]


_STATS_KEYS = RequestStats.__slots__


def stats_to_json(stats: RequestStats) -> dict[str, object]:
    return {key: getattr(stats, key) for key in _STATS_KEYS}


def stats_from_json(data: dict[str, object]) -> RequestStats:
    return RequestStats(**{key: data[key] for key in _STATS_KEYS})  # type: ignore[arg-type]


def summary(facts: LoadFacts) -> dict[str, object]:
    """What a run measured, as builtins (the ``load-summary.json`` a baseline is accepted from)."""
    return {
        "target": facts.target,
        "users": facts.users,
        "spawn_rate": facts.spawn_rate,
        "planned_s": facts.planned_s,
        "processes": facts.processes,
        "elapsed_s": facts.elapsed_s,
        "aborted": facts.aborted,
        "total": stats_to_json(facts.total),
        "scenarios": [stats_to_json(s) for s in facts.scenarios],
    }
