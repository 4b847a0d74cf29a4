"""The browser family's shared facts: one recipe per fact, one ``gate.shared`` key each.

A page's desktop load feeds ``e2e.page``, ``e2e.console`` and ``e2e.mixed-content`` (one load,
in each process that runs one of them); the web-vitals runs, the phone load and the axe-core
audit are each their check's own. Every recipe names the page as the check's target first, so
a site found down fails the later checks at once. Screenshots and a failed journey's step and
console log are attached as evidence here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from gonogo.probes import a11y, browser, journey

if TYPE_CHECKING:
    from gonogo.facts.browser import A11yFacts, JourneyFacts, MobileFacts, PageFacts, VitalsFacts
    from gonogo.gate import Gate
    from gonogo.probes.journey import Journey
    from gonogo.schema.e2e import JourneyConfig, PageConfig


def target(gate: Gate) -> browser.BrowserTarget:
    """The site (``[web]``) as the browser checks see it (``[e2e]``)."""
    return browser.BrowserTarget.of(gate.require("web"), gate.require("e2e"))


def declared(gate: Gate, item: PageConfig | JourneyConfig | None, kind: str) -> None:
    """End the check as not applicable when the environment declares no ``[[e2e.<kind>]]``."""
    if item is None:
        gate.not_applicable(f"environment {gate.env.name} declares no [[e2e.{kind}]]")


def _page_target(gate: Gate, page: PageConfig | None) -> tuple[browser.BrowserTarget, str]:
    site = target(gate)
    declared(gate, page, "pages")
    assert page is not None
    gate.target(site.url(page.path))
    return site, page.path


def page(gate: Gate, page: PageConfig | None) -> PageFacts:
    """The page loaded once by a desktop browser (shared by the checks that read it)."""
    site, path = _page_target(gate, page)
    return gate.shared(f"e2e.page:{site.url(path)}", lambda: browser.load_page(site, path))


def vitals(gate: Gate, page: PageConfig | None) -> VitalsFacts:
    """The page's web vitals over ``[e2e] runs`` loads."""
    site, path = _page_target(gate, page)
    return browser.measure_vitals(site, path, gate.require("e2e").runs)


def phone(gate: Gate, page: PageConfig | None) -> MobileFacts:
    """The page as a phone lays it out; its screenshot attached."""
    site, path = _page_target(gate, page)
    facts = browser.load_phone(site, path)
    gate.evidence.attach(f"{_name(page)}-phone.png", facts.screenshot, "image/png")
    return facts


def accessibility(gate: Gate, page: PageConfig | None) -> A11yFacts:
    """axe-core's audit of the page (not applicable unless the page sets ``a11y = true``)."""
    site, path = _page_target(gate, page)
    assert page is not None
    if not page.a11y:
        gate.not_applicable(f"[[e2e.pages]] {page.name} does not ask for a11y")
    return a11y.audit(site, path)


def screenshot(gate: Gate, facts: PageFacts, page: PageConfig | None) -> None:
    gate.evidence.attach(f"{_name(page)}.png", facts.screenshot, "image/png")


def declarative(gate: Gate, item: JourneyConfig | None) -> JourneyFacts:
    """A journey of the environment file, run once; a failed step's evidence attached."""
    site = target(gate)
    declared(gate, item, "journeys")
    assert item is not None
    gate.target(site.base_url)
    facts = journey.run(site, item)
    attach_journey(gate, facts)
    return facts


@contextlib.contextmanager
def python_journey(gate: Gate, name: str) -> Iterator[Journey]:
    """A fresh page of the probe-owned browser for a Python journey (``browser_journey``)."""
    site = target(gate)
    gate.target(site.base_url)
    with journey.open_journey(site, name) as running:
        yield running


def attach_journey(gate: Gate, facts: JourneyFacts) -> None:
    """A failed journey's screenshot, the failed step and the console log, as evidence."""
    failed = [s for s in facts.steps if not s.ok]
    if not failed:
        return
    if facts.screenshot is not None:
        gate.evidence.attach(
            f"{facts.name}-step-{failed[0].index}.png", facts.screenshot, "image/png"
        )
    lines = [f"journey {facts.name}: step {failed[0].index} of {facts.total} failed"]
    lines += [
        f"  {s.index}. {'ok  ' if s.ok else 'FAIL'} {s.description} {s.detail}" for s in facts.steps
    ]
    lines += ["", f"page: {facts.final_url}", "console:"]
    lines += [f"  {e.kind}: {e.text} {e.source}".rstrip() for e in facts.console] or ["  (empty)"]
    gate.evidence.attach(f"{facts.name}-step-{failed[0].index}.txt", "\n".join(lines) + "\n")


def _name(item: PageConfig | JourneyConfig | None) -> str:
    return item.name if item is not None else "page"


def signup_path(gate: Gate) -> str:
    """``[e2e] signup_path`` of the site (the catalogue's ``requires`` makes it declared)."""
    target(gate)
    path = gate.require("e2e").signup_path
    assert path is not None
    return str(path)


def fill_form(running: Journey, user: str, password: str, form: str) -> None:
    """Type a user name and password into the ``username``/``password`` fields of ``form``."""
    running.fill(f"{form} input[name=username]", user)
    running.fill(f"{form} input[name=password]", password)


def finished(gate: Gate, running: Journey) -> JourneyFacts:
    """A Python journey's facts, its failed step's evidence attached."""
    facts = running.facts()
    attach_journey(gate, facts)
    return facts
