"""Judge one locust run against ``[load.thresholds]``: every threshold is its own finding.

Check ids: ``load.latency`` (average, p50, p95, p99 and max response time, overall and per
scenario), ``load.errors`` (error ratio), ``load.throughput`` (requests per second). A run the
locustfile stopped early (a sustained breach, :mod:`gonogo.loadplan`'s abort rule) fails the
check whose threshold was breached with that reason, and ``load.throughput`` (the planned load
was not sustained). Each check also records how the run was sized and the environment's ceilings.
"""

from __future__ import annotations

from collections.abc import Iterator

from gonogo.facts.load import LoadFacts, RequestStats
from gonogo.model import Comparison, Finding, compare, info
from gonogo.schema.load import LoadThresholds, OverallThresholds

LATENCIES = ("avg_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms")
_LABELS = {"avg_ms": "average", "p50_ms": "p50", "p95_ms": "p95", "p99_ms": "p99", "max_ms": "max"}


def aborted_for(facts: LoadFacts) -> str | None:
    """``errors`` or ``latency``: which threshold stopped the run early (None: it ran out)."""
    if facts.aborted is None:
        return None
    return "errors" if facts.aborted.startswith("error ratio") else "latency"


def run_findings(facts: LoadFacts) -> list[Finding]:
    """How the run was sized, against the environment's ceilings (always ok: validated)."""
    return [
        info(
            "users",
            f"{facts.users} users started at {facts.spawn_rate:g}/s on {facts.processes} locust "
            f"process(es), ceiling {facts.max_users} users (max_users)",
            facts.users,
            "users",
        ),
        info(
            "duration_s",
            f"ran {facts.elapsed_s:g} s of {facts.planned_s:g} s planned, ceiling "
            f"{facts.max_duration_s:g} s (max_duration_s)",
            facts.elapsed_s,
            "s",
        ),
        info(
            "requests",
            f"{facts.total.requests} requests, {facts.total.failures} failed",
            facts.total.requests,
            "requests",
        ),
    ]


def _rows(
    facts: LoadFacts, limits: OverallThresholds
) -> Iterator[tuple[str, RequestStats, LoadThresholds]]:
    yield "", facts.total, limits
    measured = {s.name: s for s in facts.scenarios}
    for name, own in sorted(limits.scenarios.items()):
        # a threshold of a request the run never made is judged on nothing: it fails (absent)
        stats = measured.get(name) or RequestStats(
            name, "", 0, 0, None, None, None, None, None, 0.0
        )
        yield f"{name}.", stats, own


def _where(prefix: str) -> str:
    return f"scenario {prefix[:-1]}" if prefix else "overall"


def _aborted(facts: LoadFacts) -> Finding:
    return Finding(
        "aborted",
        False,
        f"run stopped early after {facts.elapsed_s:g} s: {facts.aborted}",
        facts.aborted,
    )


def evaluate_latency(facts: LoadFacts, limits: OverallThresholds) -> list[Finding]:
    """``load.latency``: each response-time threshold set, overall and per scenario."""
    findings = run_findings(facts)
    for prefix, stats, own in _rows(facts, limits):
        for key in LATENCIES:
            threshold = getattr(own, key)
            if threshold is not None:
                what = f"{_LABELS[key]} response time ({_where(prefix)})"
                value = getattr(stats, key)
                findings.append(
                    compare(f"{prefix}{key}", value, Comparison.LE, threshold, unit="ms", what=what)
                )
    if aborted_for(facts) == "latency":
        findings.append(_aborted(facts))
    return findings


def evaluate_errors(facts: LoadFacts, limits: OverallThresholds) -> list[Finding]:
    """``load.errors``: the share of failed requests, overall and per scenario."""
    findings = run_findings(facts)
    for prefix, stats, own in _rows(facts, limits):
        if own.error_ratio is None:
            continue
        ratio = stats.error_ratio
        measured = None if ratio is None else round(ratio * 100, 3)
        what = f"error ratio ({_where(prefix)}, {stats.failures} of {stats.requests} failed)"
        findings.append(
            compare(
                f"{prefix}error_ratio_pct",
                measured,
                Comparison.LE,
                round(own.error_ratio * 100, 4),
                unit="%",
                what=what,
            )
        )
    if aborted_for(facts) == "errors":
        findings.append(_aborted(facts))
    return findings


def evaluate_throughput(facts: LoadFacts, limits: OverallThresholds) -> list[Finding]:
    """``load.throughput``: requests per second, overall and per scenario."""
    findings = run_findings(facts)
    for prefix, stats, own in _rows(facts, limits):
        if own.min_rps is not None:
            findings.append(
                compare(
                    f"{prefix}rps",
                    stats.rps if stats.requests else None,
                    Comparison.GE,
                    own.min_rps,
                    unit="req/s",
                    what=f"throughput ({_where(prefix)})",
                )
            )
    if facts.aborted is not None:
        findings.append(
            Finding(
                "aborted",
                False,
                f"run stopped early after {facts.elapsed_s:g} s ({facts.aborted}): the "
                "planned load was not sustained",
                facts.aborted,
            )
        )
    return findings
