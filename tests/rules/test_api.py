"""Table tests of the API smoke rules: readiness, declared endpoints (status, keys, values,
latency), log-in and log-out, and the flaky annotation of a pass on a retry."""

from __future__ import annotations

from typing import Any

import pytest

from gonogo.facts.api import ApiFacts, Attempt, LogoutFacts, ReadinessFacts, SessionFacts
from gonogo.model import Finding, Severity
from gonogo.rules import api
from gonogo.rules.selector import MISSING, select, steps
from gonogo.schema.smoke import Endpoint, Login

URL = "https://app.example.com/api/status"
LOGIN = Login(path="/api/session", fields={"username": "smoke"}, check_path="/api/account")


def endpoint(**fields: Any) -> Endpoint:
    return Endpoint.model_validate({"name": "status", "path": "/api/status", **fields})


def answer(body: Any, status: int = 200, elapsed: float = 20.0, tries: int = 1) -> ApiFacts:
    retried = [Attempt(n, 503, 5.0) for n in range(1, tries)]
    attempts = (*retried, Attempt(tries, status, elapsed))
    return ApiFacts("status", "GET", URL, status, elapsed, "application/json", body, "", attempts)


def failed(findings: list[Finding]) -> set[str]:
    return {f.name for f in findings if not f.ok}


BODY = {"service": "storefront", "currency": "EUR", "api": 2, "items": [{"sku": "A1"}]}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("$.service", "storefront"),
        ("service", "storefront"),
        ("$.items[0].sku", "A1"),
        ("items.0.sku", "A1"),
        ("$.items[1].sku", MISSING),
        ("$.nothing", MISSING),
        ("$.api.deeper", MISSING),
        ("$", BODY),
    ],
    ids=[
        "dollar-key",
        "bare-key",
        "index",
        "dotted-index",
        "past-the-end",
        "absent",
        "scalar",
        "root",
    ],
)
def test_select(selector: str, expected: Any) -> None:
    """Selectors name keys and list indexes, in JSONPath or dotted form; absent is MISSING."""
    found = select(BODY, selector)
    assert found is MISSING if expected is MISSING else found == expected


def test_steps_refuses_a_bad_selector() -> None:
    """A selector with something other than names and indexes is an error, not a guess."""
    with pytest.raises(ValueError):
        steps("$.items[*]")


@pytest.mark.parametrize(
    ("facts", "spec", "bad"),
    [
        (answer(BODY), endpoint(values={"$.currency": "EUR"}, keys=["$.items[0].sku"]), set()),
        (answer(BODY, status=404), endpoint(), {"status"}),
        (answer(BODY), endpoint(status=201), {"status"}),
        (answer(BODY), endpoint(values={"$.currency": "USD"}), {"value:$.currency"}),
        (answer(BODY), endpoint(values={"$.api": "2"}), {"value:$.api"}),
        (answer(BODY), endpoint(values={"$.api": 2.0}), {"value:$.api"}),
        (answer(BODY), endpoint(values={"$.gone": 1}), {"value:$.gone"}),
        (answer(BODY), endpoint(keys=["$.items[3]"]), {"key:$.items[3]"}),
        (answer(BODY, elapsed=2000.0), endpoint(budget_ms=1000), {"latency_ms"}),
        (answer(None), endpoint(keys=["$.a"]), {"json"}),
        (answer(None), endpoint(), set()),
        (answer(BODY, tries=2), endpoint(), {"flaky"}),
        (answer(BODY, status=503, tries=3), endpoint(), {"status", "flaky"}),
    ],
    ids=[
        "clean",
        "missing-endpoint",
        "other-status",
        "wrong-value",
        "string-is-not-number",
        "float-is-not-int",
        "value-absent",
        "key-absent",
        "over-budget",
        "not-json-with-keys",
        "not-json-no-expectation",
        "passed-on-retry",
        "failed-every-retry",
    ],
)
def test_evaluate_endpoint(facts: ApiFacts, spec: Endpoint, bad: set[str]) -> None:
    """Status, keys, values (type too), latency and retries each fail their own finding."""
    assert failed(api.evaluate_endpoint(facts, spec)) == bad


def test_flaky_is_a_major_finding_naming_every_attempt() -> None:
    """A pass on a retry is never silently green: a major ``flaky`` finding lists the attempts."""
    (finding,) = [f for f in api.evaluate_endpoint(answer(BODY, tries=2), endpoint()) if not f.ok]
    assert finding.severity is Severity.MAJOR
    assert finding.message.startswith("flaky: status answered only on attempt 2")
    assert "#1: 503" in finding.message
    assert [a["attempt"] for a in finding.measured] == [1, 2]


def test_wrong_value_names_the_endpoint_and_both_values() -> None:
    """The message says which endpoint, which selector, what came and what was expected."""
    findings = api.evaluate_endpoint(answer(BODY), endpoint(values={"$.currency": "USD"}))
    (bad,) = [f for f in findings if not f.ok]
    assert bad.message == 'status: $.currency = "EUR" (expected "USD")'


@pytest.mark.parametrize(
    ("ready", "bad"), [(True, set()), (False, {"ready"})], ids=["ready", "never-ready"]
)
def test_evaluate_readiness(ready: bool, bad: set[str]) -> None:
    """Ready before the deadline passes; never ready fails, the polls kept as evidence."""
    polls = (Attempt(1, None, 3.0, "refused"), Attempt(2, 200 if ready else 503, 9.0))
    facts = ReadinessFacts("https://x/health", ready, 1.5, 20.0, 2, polls)
    findings = api.evaluate_readiness(facts)
    assert failed(findings) == bad
    assert [p["attempt"] for p in findings[-1].measured] == [1, 2]


def session(status: int = 200, cookies: tuple[str, ...] = ("sid",)) -> SessionFacts:
    return SessionFacts("https://x/api/session", status, 30.0, cookies, (Attempt(1, status, 30.0),))


@pytest.mark.parametrize(
    ("facts", "bad"),
    [
        (session(), set()),
        (session(status=500, cookies=()), {"status", "session"}),
        (session(cookies=()), {"session"}),
    ],
    ids=["logged-in", "broken-login", "no-session-cookie"],
)
def test_evaluate_login(facts: SessionFacts, bad: set[str]) -> None:
    """The log-in must answer its status and set a session cookie (names only are evidence)."""
    assert failed(api.evaluate_login(facts, LOGIN)) == bad


@pytest.mark.parametrize(
    ("facts", "bad"),
    [
        (LogoutFacts(session(), "https://x/api/account", 200, 200, 401), set()),
        (LogoutFacts(session(), "https://x/api/account", 200, 200, 200), {"revoked"}),
        (LogoutFacts(session(), "https://x/api/account", 401, 200, 401), {"before"}),
        (LogoutFacts(session(), "https://x/api/account", 200, 500, 401), {"logout_status"}),
        (LogoutFacts(session(500, ()), None, None, 0, None), {"status", "session"}),
    ],
    ids=["revoked", "still-valid", "never-valid", "logout-error", "login-failed"],
)
def test_evaluate_logout(facts: LogoutFacts, bad: set[str]) -> None:
    """After the log-out the session must be refused where it worked before."""
    assert failed(api.evaluate_logout(facts, LOGIN)) == bad
