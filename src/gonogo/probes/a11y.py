"""Accessibility: axe-core (vendored, pinned: ``vendor/axe.min.js``) run in a real page.

axe-core's source is evaluated through DevTools, so the page's Content-Security-Policy does not
block it and the page's console sees nothing of it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from gonogo.facts.browser import A11yFacts, Violation
from gonogo.probes import browser
from gonogo.probes import browser_js as js

AXE_VERSION = "4.14.1"  # vendor/axe.min.js, from npm (axe-core@4.14.1), MPL-2.0


@cache
def axe_source() -> str:
    return resources.files("gonogo.probes").joinpath("vendor/axe.min.js").read_text("utf-8")


def audit(target: browser.BrowserTarget, path: str) -> A11yFacts:
    """Load ``path`` as a desktop browser and run axe-core's rules (WCAG A/AA and best practice)."""
    url = target.url(path)
    with browser.context(target) as ctx:
        page = ctx.new_page()
        browser.goto(page, url, target.timeout_s)
        page.evaluate(axe_source())
        raw = page.evaluate(js.AXE_RUN)
    violations = tuple(
        Violation(rule, impact, help_text, nodes, tuple(where))
        for rule, impact, help_text, nodes, where in raw["violations"]
    )
    return A11yFacts(url=url, engine=raw["engine"], violations=violations, passes=raw["passes"])
