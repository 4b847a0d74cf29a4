"""Monitoring readiness and the post-deploy gate, judged from Prometheus and Alertmanager facts.

Check ids: ``monitoring.prometheus``, ``monitoring.targets``, ``monitoring.rules``,
``monitoring.alerts``, ``monitoring.rule-files``, ``monitoring.alertmanager``,
``monitoring.logs``, ``monitoring.error-tracking``, ``postdeploy.metrics``,
``postdeploy.rollback``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from gonogo.facts.monitoring import (
    AlertFacts,
    AlertmanagerFacts,
    EndpointFacts,
    PrometheusFacts,
    QueryFacts,
    RuleFacts,
    RuleFileFacts,
)
from gonogo.model import Comparison, ErrorReason, Finding, compare, expect, info
from gonogo.schema.monitoring import Query, RequiredRule

_COMPARISONS = {
    "<": Comparison.LT,
    "<=": Comparison.LE,
    ">": Comparison.GT,
    ">=": Comparison.GE,
    "==": Comparison.EQ,
}
# regex silence matchers that match any value: the silence does not narrow on that label
_ANY = {".*", ".+", "(.*)", "(.+)", ""}


def evaluate_prometheus(facts: PrometheusFacts) -> list[Finding]:
    """``monitoring.prometheus``: the API answered and Prometheus says it is ready."""
    return [
        info(
            "version",
            f"Prometheus {facts.version or '(unknown version)'} at {facts.url}",
            facts.version,
        ),
        expect(
            "ready",
            facts.ready,
            f"/-/ready {'answered 200' if facts.ready else 'not ready'}",
            facts.ready,
            True,
        ),
    ]


def evaluate_targets(facts: PrometheusFacts, jobs: Sequence[str]) -> list[Finding]:
    """``monitoring.targets``: every target of the declared jobs (or of every job) is up."""
    wanted = list(jobs) or sorted({t.job for t in facts.targets})
    if not wanted:
        return [expect("targets", False, "Prometheus scrapes no target at all", 0, ">= 1")]
    findings = []
    for job in wanted:
        targets = [t for t in facts.targets if t.job == job]
        down = [t for t in targets if t.health != "up"]
        if not targets:
            findings.append(
                expect(f"job:{job}", False, f"job {job}: no target is scraped", 0, ">= 1")
            )
            continue
        detail = "; ".join(f"{t.url} {t.health} ({t.error or 'not scraped yet'})" for t in down)
        findings.append(
            compare(
                f"job:{job}",
                len(targets) - len(down),
                Comparison.EQ,
                len(targets),
                unit="targets up",
                what=f"job {job}" + (f": down: {detail}" if down else ""),
            )
        )
    return findings


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def find_rule(rules: Sequence[RuleFacts], wanted: RequiredRule) -> RuleFacts | None:
    """The loaded alerting rule named ``wanted.alert``, else one whose expression contains
    ``wanted.expr`` (whitespace ignored)."""
    alerting = [r for r in rules if r.kind == "alerting"]
    by_name = [r for r in alerting if r.name == wanted.alert]
    if by_name:
        return by_name[0]
    if wanted.expr:
        needle = _flat(wanted.expr)
        return next((r for r in alerting if needle in _flat(r.query)), None)
    return None


def evaluate_rules(facts: PrometheusFacts, required: Sequence[RequiredRule]) -> list[Finding]:
    """``monitoring.rules``: each required alert rule is loaded and evaluates without error."""
    findings = [info("loaded", f"{len(facts.rules)} rules loaded", len(facts.rules), "rules")]
    for wanted in required:
        rule = find_rule(facts.rules, wanted)
        if rule is None:
            how = f" or an expression containing {wanted.expr}" if wanted.expr else ""
            findings.append(
                expect(
                    f"rule:{wanted.alert}",
                    False,
                    f"alert rule {wanted.alert}{how} is not loaded",
                    "missing",
                    "loaded",
                )
            )
            continue
        as_ = "" if rule.name == wanted.alert else f" (as {rule.name})"
        ok = rule.health == "ok"
        findings.append(
            expect(
                f"rule:{wanted.alert}",
                ok,
                f"alert rule {wanted.alert}{as_} loaded from {rule.file or rule.group}, health "
                f"{rule.health}" + (f": {rule.error}" if rule.error else ""),
                rule.health,
                "ok",
            )
        )
    return findings


def _described(alert: AlertFacts) -> str:
    """``APIDown (Backend API is down) on 10.0.0.5:8000 since 2026-12-06T11:59:12Z``."""
    where = f" on {alert.instance}" if alert.instance else ""
    since = f" since {alert.active_at[:19]}Z" if alert.active_at[:19] else ""
    return f"{alert.name} ({alert.summary or alert.severity}){where}{since}"


def evaluate_alerts(facts: PrometheusFacts, critical: Sequence[str]) -> list[Finding]:
    """``monitoring.alerts``: no alert of a critical severity is firing (others are noted)."""
    firing = [a for a in facts.alerts if a.state == "firing"]
    blocking = [a for a in firing if a.severity in critical]
    others = [a for a in facts.alerts if a not in blocking]
    findings = [
        compare(
            "critical_firing",
            len(blocking),
            Comparison.EQ,
            0,
            unit="alerts",
            what="critical alerts firing"
            + (": " + ", ".join(_described(a) for a in blocking) if blocking else ""),
        )
    ]
    if others:
        names = ", ".join(f"{a.name} {a.state} ({a.severity or 'no severity'})" for a in others)
        findings.append(info("other_alerts", f"not blocking: {names}", len(others), "alerts"))
    return findings


def evaluate_rule_files(facts: RuleFileFacts) -> list[Finding]:
    """``monitoring.rule-files``: ``promtool check rules`` accepts every file."""
    ok = facts.exit_code == 0
    tail = facts.output.strip().splitlines()[-3:] if not ok else []
    return [
        expect(
            "promtool",
            ok,
            f"promtool check rules over {len(facts.files)} files: exit {facts.exit_code}"
            + (": " + " | ".join(tail) if tail else ""),
            facts.exit_code,
            0,
        )
    ]


def wholesale(matchers: Sequence[str], severities: Sequence[str]) -> bool:
    """Whether a silence with ``matchers`` mutes every alert of one of ``severities``: each
    matcher matches any value, or is ``severity`` equal to (or matching) one of them."""
    for m in matchers:
        found = re.fullmatch(r'([^=!~]+)(=~|!~|!=|=)"(.*)"', m)
        if found is None:
            return False
        name, op, value = found.groups()
        if op == "=~" and value in _ANY:
            continue
        if op == "!=" and value == "":
            continue
        if name == "severity" and op == "=" and value in severities:
            continue
        if name == "severity" and op == "=~" and any(re.fullmatch(value, s) for s in severities):
            continue
        return False
    return True


def evaluate_alertmanager(facts: AlertmanagerFacts, severities: Sequence[str]) -> list[Finding]:
    """``monitoring.alertmanager``: each severity routes to a receiver that notifies someone,
    and no active silence mutes a whole severity (or everything)."""
    findings = [
        info(
            "version",
            f"Alertmanager {facts.version}, cluster {facts.cluster or 'off'}",
            facts.version,
        )
    ]
    for route in facts.routes:
        real = [r for r, n in zip(route.receivers, route.integrations, strict=True) if n > 0]
        shown = ", ".join(
            f"{r} ({n} integrations)"
            for r, n in zip(route.receivers, route.integrations, strict=True)
        )
        findings.append(
            expect(
                f"route:{route.severity}",
                bool(real),
                f"severity={route.severity} routes to {shown or 'no receiver'}"
                + ("" if real else ": a null receiver, nobody is notified"),
                list(route.receivers),
                "a receiver with integrations",
            )
        )
    muting = [s for s in facts.silences if wholesale(s.matchers, severities)]
    findings.append(
        compare(
            "wholesale_silences",
            len(muting),
            Comparison.EQ,
            0,
            unit="silences",
            what="silences muting a whole severity"
            + ("".join(f"; {s.id} {' '.join(s.matchers)} by {s.created_by}" for s in muting)),
        )
    )
    return findings


def evaluate_endpoint(facts: EndpointFacts, what: str) -> list[Finding]:
    """``monitoring.logs`` / ``monitoring.error-tracking``: the endpoint answers below 400."""
    return [
        compare("status", facts.status, Comparison.LT, 400, what=f"{what} {facts.url} status"),
        info("elapsed_ms", f"answered in {facts.elapsed_ms} ms", facts.elapsed_ms, "ms"),
    ]


def _unverified(q: Query, message: str) -> Finding:
    """A query that measured nothing (no data, 0/0): an error, never a pass or a breach."""
    return Finding(
        q.name,
        False,
        message,
        None,
        q.threshold,
        q.unit,
        _COMPARISONS[q.comparison],
        unverified=ErrorReason.CONFIG,
    )


def evaluate_queries(
    answers: Sequence[QueryFacts], queries: Sequence[Query], *, criterion: str = "query"
) -> list[Finding]:
    """``postdeploy.metrics`` / ``postdeploy.rollback``: every series of each query satisfies its
    threshold; the worst series is the measured value. No series is an error (cannot check)
    unless the query says ``if_empty = "zero"``; NaN (0/0: no traffic) is an error too (never a
    pass, and never a rollback criterion breached)."""
    by_name = {q.name: q for q in queries}
    findings = []
    for answer in answers:
        q = by_name[answer.name]
        values = [s.value for s in answer.samples]
        label = f"{criterion} {q.name} over {answer.window}"
        if not values and q.if_empty == "zero":
            values = [0.0]
        if not values:
            findings.append(_unverified(q, f"{label}: no data ({answer.promql})"))
            continue
        if any(math.isnan(v) for v in values):
            # 0/0: nothing happened in the window, so nothing was measured. Never a pass, and
            # never a breach either: an unverified criterion is NO-GO, not ROLL BACK
            message = f"{label}: not a number (0/0: no traffic in the window) ({answer.promql})"
            findings.append(_unverified(q, message))
            continue
        higher_is_worse = q.comparison in ("<", "<=", "==")
        worst = round(max(values) if higher_is_worse else min(values), 6)
        finding = compare(
            q.name, worst, _COMPARISONS[q.comparison], q.threshold, unit=q.unit, what=label
        )
        findings.append(finding)
        findings.append(
            info(
                f"{q.name}:query",
                f"{q.name}: {answer.promql} ({len(values)} series)",
                {"promql": answer.promql, "window": answer.window, "series": len(values)},
            )
        )
    return findings
