"""Smoke rules. Check ids: ``smoke.health``, ``smoke.version``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gonogo.model import Comparison, Finding, compare, info
from gonogo.rules._excerpt import masked

if TYPE_CHECKING:  # rules are pure: the facts type only, never the probe
    from gonogo.facts.smoke import EndpointFacts

_HEALTHY = {"ok", "up", "healthy", "pass", "passed", True}


def evaluate_health(facts: EndpointFacts, budget_ms: float) -> list[Finding]:
    """200, every dependency reported healthy, and answered within the latency budget."""
    findings = [
        compare("status", facts.status, Comparison.EQ, 200, what=f"GET {facts.url} status"),
        compare(
            "latency_ms",
            facts.elapsed_ms,
            Comparison.LE,
            budget_ms,
            unit="ms",
            what="health latency",
        ),
    ]
    body = facts.body if isinstance(facts.body, dict) else None
    if body is None:
        findings.append(
            Finding("body", False, f"health body is not a JSON object: {masked(facts.text)[:80]!r}")
        )
        return findings
    status = body.get("status")
    reported = masked(status) if isinstance(status, str) else status
    said = f"{reported!r}" if isinstance(reported, str) else _said(reported)
    findings.append(
        Finding(
            "reported_status",
            _healthy(status),
            "health body has no status field"
            if "status" not in body
            else f"health reports status {said}",
            measured=reported,
            threshold="ok",
        )
    )
    deps = _dependencies(body)
    for name, state in sorted(deps.items()):
        # a failing dependency's state is often its error, connection string included
        shown = masked(state) if isinstance(state, str) else state
        findings.append(
            Finding(
                f"dependency.{name}",
                _healthy(state),
                f"dependency {name}: {_said(shown)}",
                measured=shown,
                threshold="ok",
            )
        )
    if not deps:
        findings.append(info("dependencies", "health endpoint lists no dependencies"))
    return findings


def _dependencies(body: dict[str, Any]) -> dict[str, Any]:
    for key in ("checks", "dependencies", "components", "details"):
        value = body.get(key)
        if isinstance(value, dict):
            return {k: (v.get("status") if isinstance(v, dict) else v) for k, v in value.items()}
    return {}


def _said(value: Any) -> str:
    """What the endpoint reported, in words: JSON's null/true/false, never Python's."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _healthy(value: Any) -> bool:
    return (value.lower() if isinstance(value, str) else value) in _HEALTHY


def evaluate_version(facts: EndpointFacts, expected: str | None) -> list[Finding]:
    """The deployed version equals the expected release."""
    body = facts.body if isinstance(facts.body, dict) else {}
    deployed = body.get("version") if body else None
    findings = [compare("status", facts.status, Comparison.EQ, 200, what=f"GET {facts.url} status")]
    if expected is None:
        findings.append(
            Finding(
                "expected",
                False,
                "no expected release: pass --release VERSION or set release in the environment file",
                measured=deployed,
            )
        )
        return findings
    findings.append(compare("version", deployed, Comparison.EQ, expected, what="deployed version"))
    return findings
