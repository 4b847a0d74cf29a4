"""Fault cases of the smoke journeys (API, log-in, front end, WebSocket, SMTP; see cases.py for the contract)."""

from __future__ import annotations

from faults.cases import case

API = "smoke/test_api.py"
FRONTEND = "smoke/test_frontend.py"

JOURNEYS = [
    # readiness: /health never answers 200, so the wait ends at its deadline and fails
    case("health-degraded", "smoke.readiness", "smoke/test_readiness.py"),
    case("endpoint-missing", "smoke.endpoint", API),
    case("json-wrong-value", "smoke.endpoint", API),
    # a pass on a retry: the major `flaky` finding fails the blocker check as major (CONDITIONAL)
    case("endpoint-flaky", "smoke.endpoint", API),
    case("login-broken", ("smoke.login", "smoke.logout"), API),
    case("index-cached", "smoke.index-cache", FRONTEND),
    # minor: Lighthouse's cache-policy and compression audits are warnings (GO)
    case("assets-uncached", "smoke.assets", FRONTEND),
    # active mixed content: a blocker finding of the major check
    case(
        "index-mixed-script",
        ("smoke.mixed-content", "e2e.mixed-content", "e2e.page", "e2e.console"),
        FRONTEND,
        "e2e/test_browser.py",
    ),
    # accepted, never answers: failed after its timeout_s (3 s in the demo), not an error
    case("websocket-silent", "smoke.websocket", "smoke/test_websocket.py"),
    # major: with a check that passes (a run in which nothing passed is NO-GO whatever failed)
    case("smtp-no-starttls", "smoke.smtp", "smoke/test_smtp.py", "smoke/test_websocket.py"),
]
