"""Table tests of the monitoring and post-deploy rules (facts built by hand)."""

from __future__ import annotations

import math

import pytest

from gonogo.facts.monitoring import (
    AlertFacts,
    AlertmanagerFacts,
    PrometheusFacts,
    QueryFacts,
    RouteFacts,
    RuleFacts,
    SampleFacts,
    SilenceFacts,
    TargetFacts,
)
from gonogo.model import ErrorReason
from gonogo.rules import monitoring as rules
from gonogo.schema.monitoring import PostdeployConfig, Query, RequiredRule


def prom(
    targets: tuple[TargetFacts, ...] = (),
    rule_list: tuple[RuleFacts, ...] = (),
    alerts: tuple[AlertFacts, ...] = (),
    ready: bool = True,
) -> PrometheusFacts:
    return PrometheusFacts("http://p:9090", "2.42.0", ready, targets, rule_list, alerts)


UP = TargetFacts("app", "http://a:1/metrics", "up")
DOWN = TargetFacts("app", "http://a:2/metrics", "down", "connection refused")
OTHER = TargetFacts("db", "http://d:1/metrics", "down", "timeout")


def failed(findings: list) -> list[str]:
    return [f.name for f in findings if not f.ok]


@pytest.mark.parametrize(
    ("targets", "jobs", "bad"),
    [
        pytest.param((UP,), ["app"], [], id="all-up"),
        pytest.param((UP, DOWN), ["app"], ["job:app"], id="one-down"),
        pytest.param((UP, OTHER), ["app"], [], id="undeclared-job-ignored"),
        pytest.param((UP, OTHER), [], ["job:db"], id="no-jobs-means-every-job"),
        pytest.param((UP,), ["app", "worker"], ["job:worker"], id="declared-job-without-targets"),
        pytest.param((TargetFacts("app", "u", "unknown"),), ["app"], ["job:app"], id="unknown"),
        pytest.param((), [], ["targets"], id="nothing-scraped"),
    ],
)
def test_targets(targets, jobs, bad) -> None:
    """Every target of the declared jobs must be up; a declared job with no target fails."""
    assert failed(rules.evaluate_targets(prom(targets=targets), jobs)) == bad


def rule(name: str, query: str = "up == 0", health: str = "ok", kind: str = "alerting"):
    return RuleFacts(name, kind, query, health)


@pytest.mark.parametrize(
    ("loaded", "wanted", "bad"),
    [
        pytest.param((rule("APIDown"),), RequiredRule(alert="APIDown"), [], id="by-name"),
        pytest.param((), RequiredRule(alert="APIDown"), ["rule:APIDown"], id="missing"),
        pytest.param(
            (rule("ApiIsDown", 'up{job="api"}  ==  0'),),
            RequiredRule(alert="APIDown", expr='up{job="api"} == 0'),
            [],
            id="by-expression-whitespace-ignored",
        ),
        pytest.param(
            (rule("APIDown", health="err"),),
            RequiredRule(alert="APIDown"),
            ["rule:APIDown"],
            id="unhealthy",
        ),
        pytest.param(
            (rule("APIDown", kind="recording"),),
            RequiredRule(alert="APIDown"),
            ["rule:APIDown"],
            id="recording-rule-is-no-alert",
        ),
    ],
)
def test_required_rules(loaded, wanted, bad) -> None:
    """A required alert rule is matched by name or expression and must be healthy."""
    assert failed(rules.evaluate_rules(prom(rule_list=loaded), [wanted])) == bad


@pytest.mark.parametrize(
    ("alerts", "bad"),
    [
        pytest.param((), [], id="none"),
        pytest.param((AlertFacts("A", "firing", "critical"),), ["critical_firing"], id="firing"),
        pytest.param((AlertFacts("A", "pending", "critical"),), [], id="pending-not-judged"),
        pytest.param((AlertFacts("A", "firing", "warning"),), [], id="warning-noted"),
    ],
)
def test_alerts(alerts, bad) -> None:
    """Only a firing alert of a critical severity blocks."""
    assert failed(rules.evaluate_alerts(prom(alerts=alerts), ["critical"])) == bad


def test_firing_alert_names_its_instance_and_since_when() -> None:
    """The message says which target fires and since when (Prometheus' activeAt), so a
    release manager can tell an outage from a blip; without them it says what it has."""
    alert = AlertFacts("APIDown", "firing", "critical", "Backend API is down", "10.0.0.5:8000",
                       "2026-12-06T11:59:12.123456789Z")  # fmt: skip
    (finding,) = rules.evaluate_alerts(prom(alerts=(alert,)), ["critical"])
    assert "APIDown (Backend API is down) on 10.0.0.5:8000 since 2026-12-06T11:59:12Z" in str(
        finding.message
    )
    (bare,) = rules.evaluate_alerts(
        prom(alerts=(AlertFacts("A", "firing", "critical"),)), ["critical"]
    )
    assert "A (critical)" in str(bare.message) and " on " not in str(bare.message)


def test_not_ready_fails() -> None:
    """A Prometheus that answers but is not ready fails monitoring.prometheus."""
    assert failed(rules.evaluate_prometheus(prom(ready=False))) == ["ready"]


@pytest.mark.parametrize(
    ("matchers", "muting"),
    [
        pytest.param(('alertname=~".*"',), True, id="everything"),
        pytest.param(('severity="critical"',), True, id="whole-severity"),
        pytest.param(('severity=~"crit.*"',), True, id="severity-regex"),
        pytest.param(('alertname="APIDown"',), False, id="one-alert"),
        pytest.param(('alertname=~".*"', 'instance="a:1"'), False, id="one-instance"),
        pytest.param(('severity="warning"',), False, id="other-severity"),
    ],
)
def test_wholesale_silences(matchers, muting) -> None:
    """A silence whose matchers narrow nothing but the severity mutes that severity."""
    assert rules.wholesale(matchers, ["critical"]) is muting


@pytest.mark.parametrize(
    ("receivers", "integrations", "silences", "bad"),
    [
        pytest.param(("ops",), (1,), (), [], id="routed"),
        pytest.param(("null",), (0,), (), ["route:critical"], id="null-receiver"),
        pytest.param((), (), (), ["route:critical"], id="no-receiver"),
        pytest.param(("null", "ops"), (0, 2), (), [], id="continue-to-a-real-one"),
        pytest.param(
            ("ops",),
            (1,),
            (SilenceFacts("s1", ('alertname=~".+"',), "bob", "x"),),
            ["wholesale_silences"],
            id="silenced-wholesale",
        ),
    ],
)
def test_alertmanager(receivers, integrations, silences, bad) -> None:
    """Each severity must reach a receiver with an integration; no wholesale silence."""
    facts = AlertmanagerFacts(
        "http://am",
        "0.25.0",
        "disabled",
        (RouteFacts("critical", receivers, integrations),),
        silences,
    )
    assert failed(rules.evaluate_alertmanager(facts, ["critical"])) == bad


def q(comparison: str, threshold: float, if_empty: str = "error") -> Query:
    return Query.model_validate(
        {
            "name": "m",
            "query": "x[$window]",
            "comparison": comparison,
            "threshold": threshold,
            "if_empty": if_empty,
        }
    )


def answer(*values: float) -> QueryFacts:
    return QueryFacts("m", "x[5m]", "5m", tuple(SampleFacts("", v) for v in values), 1.0)


@pytest.mark.parametrize(
    ("query", "facts", "ok", "unverified"),
    [
        pytest.param(q("<", 0.001), answer(0.0), True, None, id="zero-errors"),
        pytest.param(q("<", 0.001), answer(0.0, 0.002), False, None, id="worst-series-judged"),
        pytest.param(q("<=", 0.01), answer(0.01), True, None, id="at-the-limit"),
        pytest.param(q(">=", 0.9), answer(0.95, 0.5), False, None, id="min-for-lower-bound"),
        pytest.param(q("==", 0), answer(1.0), False, None, id="a-restart"),
        pytest.param(q("<", 1), answer(), False, ErrorReason.CONFIG, id="no-data-is-error"),
        pytest.param(q("==", 0, "zero"), answer(), True, None, id="no-data-read-as-zero"),
        pytest.param(
            q("<", 1),
            answer(math.nan),
            False,
            ErrorReason.CONFIG,
            id="nan-is-an-error-not-a-breach",
        ),
    ],
)
def test_queries(query, facts, ok, unverified) -> None:
    """The worst series meets the threshold; no data and NaN (0/0) are errors, never passes."""
    first = rules.evaluate_queries([facts], [query])[0]
    assert (first.ok, first.unverified) == (ok, unverified)


def test_window_is_substituted_and_defaults_follow_the_plans() -> None:
    """$window is replaced; the defaults are the plans' 0.1 % / 500 ms and 1 % rollback."""
    post = PostdeployConfig()
    assert "[5m]" in post.promql(post.checks[0]) and "$window" not in post.promql(post.checks[0])
    thresholds = {q.name: q.threshold for q in post.checks}
    assert thresholds["error_ratio"] == 0.001 and thresholds["p95_latency"] == 500
    assert {q.name: q.threshold for q in post.rollback}["error_ratio"] == 0.01
