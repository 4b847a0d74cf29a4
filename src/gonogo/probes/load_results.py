"""Read locust's ``--json-file`` and ``--csv-full-history`` outputs into load facts.

The JSON holds one entry per scenario with its response-time histogram (rounded ms -> count)
but no percentiles and no aggregate row: both are computed here, the percentiles exactly as
locust computes them (its report and gonogo's evidence agree).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from gonogo.errors import ProbeError
from gonogo.facts.load import HistoryPoint, RequestStats
from gonogo.model import ErrorReason

OVERALL = "overall"


def percentile(times: Mapping[int, int], percent: float) -> float | None:
    """The response time ``percent`` (0-1) of the requests finished within (locust's method)."""
    count = sum(times.values())
    if not count:
        return None
    rank = int(count * percent)
    seen = 0
    for value in sorted(times, reverse=True):
        seen += times[value]
        if count - seen <= rank:
            return float(value)
    return 0.0


def merge(histograms: Iterable[Mapping[int, int]]) -> dict[int, int]:
    """The sum of several response-time histograms."""
    total: Counter[int] = Counter()
    for times in histograms:
        total.update(times)
    return dict(total)


def _histogram(entry: Mapping[str, Any]) -> dict[int, int]:
    return {int(k): int(v) for k, v in entry.get("response_times", {}).items()}


def stats_of(
    name: str, method: str, entries: list[Mapping[str, Any]], elapsed_s: float
) -> RequestStats:
    """The statistics of ``entries`` together (one scenario, or all of them)."""
    times = merge(_histogram(e) for e in entries)
    requests = sum(int(e["num_requests"]) for e in entries)
    failures = sum(int(e["num_failures"]) for e in entries)
    answered = sum(times.values())
    total_ms = sum(float(e["total_response_time"]) for e in entries)
    maxima = [float(e["max_response_time"]) for e in entries if e.get("num_requests")]
    return RequestStats(
        name=name,
        method=method,
        requests=requests,
        failures=failures,
        avg_ms=round(total_ms / answered, 1) if answered else None,
        p50_ms=percentile(times, 0.50),
        p95_ms=percentile(times, 0.95),
        p99_ms=percentile(times, 0.99),
        max_ms=round(max(maxima), 1) if maxima else None,
        rps=round(requests / elapsed_s, 2) if elapsed_s > 0 else 0.0,
    )


def parse_stats(text: str) -> tuple[float, RequestStats, tuple[RequestStats, ...]]:
    """Elapsed seconds, the overall row and one row per scenario, from locust's JSON."""
    try:
        entries = json.loads(text)
        starts = [float(e["start_time"]) for e in entries if e.get("num_requests")]
        ends = [float(e["last_request_timestamp"]) for e in entries if e.get("num_requests")]
        elapsed = max(ends) - min(starts) if starts else 0.0
        scenarios = tuple(
            stats_of(e["name"], e["method"], [e], elapsed)
            for e in sorted(entries, key=lambda e: (e["name"], e["method"]))
        )
        return round(elapsed, 2), stats_of(OVERALL, "", entries, elapsed), scenarios
    except (ValueError, KeyError, TypeError) as err:
        raise ProbeError(
            f"locust's statistics could not be read ({err})", reason=ErrorReason.BUG
        ) from err


def _number(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


def parse_history(text: str) -> tuple[HistoryPoint, ...]:
    """The run second by second from locust's ``_stats_history.csv`` (its aggregated rows)."""
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r.get("Name") == "Aggregated"]
    if not rows:
        return ()
    start = float(rows[0]["Timestamp"])
    try:
        return tuple(
            HistoryPoint(
                t_s=float(r["Timestamp"]) - start,
                users=int(r["User Count"]),
                rps=round(float(r["Requests/s"]), 2),
                failures_per_s=round(float(r["Failures/s"]), 2),
                p50_ms=_number(r["50%"]),
                p95_ms=_number(r["95%"]),
            )
            for r in rows
        )
    except (KeyError, ValueError) as err:
        raise ProbeError(
            f"locust's stats history could not be read ({err})", reason=ErrorReason.BUG
        ) from err
