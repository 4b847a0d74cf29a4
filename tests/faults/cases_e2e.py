"""Fault table of the browser checks (e2e.*): each page-level fault of the demo's storefront."""

from __future__ import annotations

from faults.cases import case

BROWSER = "e2e/test_browser.py"
JOURNEYS = "e2e/test_journeys.py"
FRONTEND = "smoke/test_frontend.py"  # the same faults seen from the HTML (smoke.*)

E2E = [
    case("console-error", "e2e.console", BROWSER),
    case("failing-asset", ("e2e.page", "e2e.console", "smoke.assets"), BROWSER, FRONTEND),
    case(
        "mixed-content",
        ("e2e.mixed-content", "e2e.page", "e2e.console", "smoke.mixed-content"),
        BROWSER,
        FRONTEND,
    ),
    case("slow-lcp", "e2e.vitals", BROWSER),
    case("layout-shift", "e2e.vitals", BROWSER),
    case("signin-form-broken", ("e2e.journey", "e2e.signup"), BROWSER, JOURNEYS),
    case("mobile-overflow", "e2e.mobile", BROWSER),
    case("a11y-violations", "e2e.a11y", BROWSER),
]
