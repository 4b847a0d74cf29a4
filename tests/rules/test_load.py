"""Table tests of the load rules: each threshold is its own finding, overall and per scenario;
an early abort fails the breached check; regression against a baseline, with its noise floor."""

from __future__ import annotations

import pytest

from gonogo.facts.load import Baseline, LoadFacts, RequestStats
from gonogo.probes.load_results import percentile
from gonogo.rules import load as rules
from gonogo.rules.load_regression import evaluate_regression
from gonogo.schema.load import LoadRegression, OverallThresholds, ScenarioThresholds


def row(name="overall", n=1000, fail=0, avg=100.0, p50=80.0, p95=400.0, p99=900.0, mx=1200.0, rps=150.0) -> RequestStats:
    return RequestStats(name, "" if name == "overall" else "GET", n, fail, avg, p50, p95, p99, mx, rps)


def run(total=None, scenarios=(), aborted=None, users=10, planned=30.0) -> LoadFacts:
    return LoadFacts("https://app.example.com", users, 5.0, planned, 1, 50, 60.0, 29.5, total or row(), tuple(scenarios), aborted=aborted)


def failing(findings) -> set[str]:
    return {f.name for f in findings if not f.ok}


PLAN_DEFAULTS = OverallThresholds()
API = OverallThresholds(scenarios={"api": ScenarioThresholds(avg_ms=200, p95_ms=300)})

LATENCY = [
    ("all-within-plans", run(), PLAN_DEFAULTS, set()),
    ("avg-over-500", run(row(avg=501)), PLAN_DEFAULTS, {"avg_ms"}),
    ("p95-over-1500", run(row(p95=1600)), PLAN_DEFAULTS, {"p95_ms"}),
    ("p95-at-1500-passes", run(row(p95=1500)), PLAN_DEFAULTS, set()),
    ("p99-over-3000", run(row(p99=3100)), PLAN_DEFAULTS, {"p99_ms"}),
    ("no-requests-fails-every-latency", run(row(n=0, avg=None, p50=None, p95=None, p99=None, mx=None, rps=0)), PLAN_DEFAULTS, {"avg_ms", "p95_ms", "p99_ms"}),
    ("scenario-over-its-own-budget", run(scenarios=[row("api", avg=250, p95=350)]), API, {"api.avg_ms", "api.p95_ms"}),
    ("threshold-of-a-request-never-made-fails", run(scenarios=[row("home")]), API, {"api.avg_ms", "api.p95_ms"}),
    ("scenario-without-thresholds-not-judged", run(scenarios=[row("home", avg=450, p95=1400), row("api", avg=100, p95=200)]), API, set()),
    ("max-when-set", run(row(mx=5000)), OverallThresholds(max_ms=2000), {"max_ms"}),
    ("aborted-for-latency", run(aborted="p95 1800 ms over the last 5 s (threshold 1500 ms)"), PLAN_DEFAULTS, {"aborted"}),
    ("aborted-for-errors-not-here", run(aborted="error ratio 50.0% over the last 5 s (threshold 0.10%)"), PLAN_DEFAULTS, set()),
]


@pytest.mark.parametrize("facts,limits,expected", [c[1:] for c in LATENCY], ids=[c[0] for c in LATENCY])
def test_latency(facts, limits, expected) -> None:
    """load.latency: a finding per threshold set; only those breached fail."""
    assert failing(rules.evaluate_latency(facts, limits)) == expected


ERRORS = [
    ("none-failed", run(), PLAN_DEFAULTS, set()),
    ("one-in-1000-is-the-limit", run(row(fail=1)), PLAN_DEFAULTS, set()),
    ("two-in-1000-over", run(row(fail=2)), PLAN_DEFAULTS, {"error_ratio_pct"}),
    ("scenario-error-ratio", run(scenarios=[row("api", n=100, fail=5)]), OverallThresholds(scenarios={"api": ScenarioThresholds(error_ratio=0.01)}), {"api.error_ratio_pct"}),
    ("no-requests-is-not-a-pass", run(row(n=0)), PLAN_DEFAULTS, {"error_ratio_pct"}),
    ("aborted-for-errors", run(row(fail=1), aborted="error ratio 50.0% over the last 5 s (threshold 0.10%)"), PLAN_DEFAULTS, {"aborted"}),
]


@pytest.mark.parametrize("facts,limits,expected", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors(facts, limits, expected) -> None:
    """load.errors: failed / all requests against error_ratio, and the abort's reason."""
    assert failing(rules.evaluate_errors(facts, limits)) == expected


THROUGHPUT = [
    ("over-100", run(), PLAN_DEFAULTS, set()),
    ("under-100", run(row(rps=99.9)), PLAN_DEFAULTS, {"rps"}),
    ("aborted-did-not-sustain", run(aborted="p95 1800 ms over the last 5 s (threshold 1500 ms)"), PLAN_DEFAULTS, {"aborted"}),
    ("unset-is-not-judged", run(row(rps=1)), OverallThresholds(min_rps=None), set()),
]


@pytest.mark.parametrize("facts,limits,expected", [c[1:] for c in THROUGHPUT], ids=[c[0] for c in THROUGHPUT])
def test_throughput(facts, limits, expected) -> None:
    """load.throughput: requests per second at least min_rps; an aborted run fails."""
    assert failing(rules.evaluate_throughput(facts, limits)) == expected


def test_every_finding_has_measured_threshold_and_unit() -> None:
    """Each threshold finding records what was measured, the threshold and the unit."""
    findings = rules.evaluate_latency(run(), PLAN_DEFAULTS) + rules.evaluate_errors(run(), PLAN_DEFAULTS)
    judged = [f for f in findings if f.comparison.value != "info"]
    assert judged and all(f.threshold is not None and f.unit for f in judged)
    assert any(f.name == "users" and "ceiling 50 users" in f.message for f in findings)


BASE = Baseline("20261206T000000Z-abcd", "ana", "2026-12-06T00:00:00+00:00", 10, 30.0, row(p95=100, avg=40, rps=150), (row("api", p95=100, avg=40),))
REG = LoadRegression()

REGRESSION = [
    ("same-as-baseline", run(row(p95=100, avg=40, rps=150), [row("api", p95=100, avg=40)]), set()),
    ("p95-plus-60ms-over-both-floors", run(row(p95=160, avg=40, rps=150)), {"p95_ms"}),
    ("p95-plus-40ms-is-noise", run(row(p95=140, avg=40, rps=150)), set()),
    ("throughput-minus-20pct", run(row(p95=100, avg=40, rps=120)), {"rps"}),
    ("throughput-minus-10pct-ok", run(row(p95=100, avg=40, rps=135)), set()),
    ("scenario-regressed", run(row(p95=100, avg=40, rps=150), [row("api", p95=500, avg=300)]), {"api.p95_ms", "api.avg_ms"}),
    ("errors-up", run(row(p95=100, avg=40, rps=150, fail=5)), {"error_ratio_pct"}),
]


@pytest.mark.parametrize("facts,expected", [c[1:] for c in REGRESSION], ids=[c[0] for c in REGRESSION])
def test_regression(facts, expected) -> None:
    """load.regression: worse than the baseline beyond the tolerance and the noise floor fails."""
    findings = evaluate_regression(facts, BASE, REG, "load/baselines/prod.json")
    assert failing(findings) == expected
    assert "accepted by ana" in findings[0].message


def test_regression_without_baseline_or_of_another_size_is_unverified() -> None:
    """No baseline, or one of other users/duration, is not verified (error), never a pass."""
    none = evaluate_regression(run(), None, REG, "load/baselines/prod.json")
    other = evaluate_regression(run(users=20), BASE, REG, "x")
    assert [f.unverified for f in none if not f.ok] == ["config"]
    assert [f.name for f in other if not f.ok] == ["comparable"]


@pytest.mark.parametrize(
    "times,percent,expected",
    [({10: 96, 2000: 4}, 0.95, 10.0), ({10: 95, 2000: 5}, 0.95, 2000.0), ({5: 1}, 0.99, 5.0), ({}, 0.5, None), ({1: 50, 2: 50}, 0.5, 2.0)],
    ids=["4-slow-of-100", "5-slow-of-100-is-the-p95", "single", "empty", "median-of-two-halves-rounds-up"],
)
def test_percentile_as_locust_computes_it(times, percent, expected) -> None:
    """Percentiles come from locust's histogram by locust's own method (its report agrees)."""
    assert percentile(times, percent) == expected
