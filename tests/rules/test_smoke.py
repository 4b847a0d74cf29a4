"""Table tests of the smoke rules' evidence: what a health endpoint says is shown masked."""

from __future__ import annotations

import json

import pytest

from gonogo.facts.smoke import EndpointFacts
from gonogo.rules import smoke

DSN_PASSWORD = "Hunter2Pw!x"


def health(body: object, text: str | None = None) -> EndpointFacts:
    raw = json.dumps(body) if text is None else text
    return EndpointFacts("https://app.example.com/health", 200, 12.0, body, raw)


@pytest.mark.parametrize(
    "facts",
    [
        health(
            {
                "status": "ok",
                "checks": {
                    "db": f"error: cannot connect to postgresql://app:{DSN_PASSWORD}@db/app"
                },
            }
        ),
        health({"status": f"failing: password={DSN_PASSWORD}", "checks": {"db": "ok"}}),
        health(
            None, f"<html>OperationalError: DATABASE_URL=postgresql://app:{DSN_PASSWORD}@db</html>"
        ),
    ],
    ids=["dependency-error-with-dsn", "status-with-password", "html-error-page"],
)
def test_health_failure_shows_no_connection_secret(facts: EndpointFacts) -> None:
    """A failing health answer fails, and the connection string in its text reaches no finding."""
    findings = smoke.evaluate_health(facts, budget_ms=1500)
    assert not all(f.ok for f in findings)
    assert DSN_PASSWORD not in json.dumps([(f.message, f.measured) for f in findings])


def test_healthy_dependencies_are_shown_as_reported() -> None:
    """Plain states (ok, up) are shown unchanged."""
    findings = smoke.evaluate_health(
        health({"status": "ok", "checks": {"db": "ok", "cache": "up"}}), 1500
    )
    assert all(f.ok for f in findings)
    assert {f.name: f.measured for f in findings if f.name.startswith("dependency")} == {
        "dependency.cache": "up",
        "dependency.db": "ok",
    }
