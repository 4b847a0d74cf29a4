"""Compare a load run with the accepted baseline (``load/baselines/<env>.json``).

Check id: ``load.regression``. A run may pass every absolute threshold and still be markedly
worse than the last accepted one: p95 and average more than ``p95_increase`` / ``avg_increase``
above the baseline (and by more than ``min_delta_ms``: a few milliseconds on a fast endpoint
are noise), throughput more than ``throughput_decrease`` below it, or the error ratio more
than ``error_ratio_increase`` above it. Overall, and per scenario the baseline measured at
least 50 times (fewer, such as the login once per user, is noise).
A baseline of another size (users, duration) is not comparable: unverified, accept a new one.
"""

from __future__ import annotations

from collections.abc import Iterator

from gonogo.facts.load import Baseline, LoadFacts, RequestStats
from gonogo.model import Comparison, ErrorReason, Finding, compare, info
from gonogo.schema.load import LoadRegression

# a scenario the baseline measured fewer times than this (the login, once per user) is noise
MIN_SCENARIO_REQUESTS = 50


def _pairs(facts: LoadFacts, base: Baseline) -> Iterator[tuple[str, RequestStats, RequestStats]]:
    yield "", facts.total, base.total
    before = {s.name: s for s in base.scenarios if s.requests >= MIN_SCENARIO_REQUESTS}
    for stats in facts.scenarios:
        if stats.name in before:
            yield f"{stats.name}.", stats, before[stats.name]


def _latency(
    name: str, now: float | None, then: float | None, increase: float, floor: float, where: str
) -> Finding | None:
    if then is None:
        return None
    allowed = round(max(then * (1 + increase), then + floor), 1)
    what = (
        f"{name.rsplit('.', 1)[-1][:-3]} ({where}; baseline {then:g} ms, "
        f"+{increase:.0%} or +{floor:g} ms allowed)"
    )
    return compare(name, now, Comparison.LE, allowed, unit="ms", what=what)


def evaluate_regression(
    facts: LoadFacts, base: Baseline | None, cfg: LoadRegression, source: str
) -> list[Finding]:
    """Findings of ``facts`` against ``base`` (read from ``source``); None: no baseline yet."""
    if base is None:
        why = f"no accepted baseline at {source}: accept a run with `gonogo load accept RUN_ID`"
        return [Finding("baseline", False, why, source, unverified=ErrorReason.CONFIG)]
    findings = [
        info(
            "baseline",
            f"baseline: run {base.run_id}, accepted by {base.accepted_by} at {base.accepted_at}",
            base.run_id,
        )
    ]
    if (base.users, base.planned_s) != (facts.users, facts.planned_s):
        findings.append(
            Finding(
                "comparable",
                False,
                f"the baseline ran {base.users} users for {base.planned_s:g} s, this run "
                f"{facts.users} for {facts.planned_s:g} s: not comparable (accept a new baseline)",
                unverified=ErrorReason.CONFIG,
            )
        )
        return findings
    for prefix, now, then in _pairs(facts, base):
        where = f"scenario {prefix[:-1]}" if prefix else "overall"
        for key, increase in (("p95_ms", cfg.p95_increase), ("avg_ms", cfg.avg_increase)):
            finding = _latency(
                f"{prefix}{key}",
                getattr(now, key),
                getattr(then, key),
                increase,
                cfg.min_delta_ms,
                where,
            )
            if finding is not None:
                findings.append(finding)
        if not prefix:
            floor = round(then.rps * (1 - cfg.throughput_decrease), 2)
            what = f"throughput ({where}; baseline {then.rps:g} req/s, -{cfg.throughput_decrease:.0%} allowed)"
            findings.append(compare("rps", now.rps, Comparison.GE, floor, unit="req/s", what=what))
            ratio, before = now.error_ratio, then.error_ratio or 0.0
            allowed = round((before + cfg.error_ratio_increase) * 100, 4)
            measured = None if ratio is None else round(ratio * 100, 3)
            what = f"error ratio ({where}; baseline {before * 100:.3g} %)"
            findings.append(
                compare("error_ratio_pct", measured, Comparison.LE, allowed, unit="%", what=what)
            )
    return findings
