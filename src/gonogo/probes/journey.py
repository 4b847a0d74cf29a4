"""User journeys in a real browser: declarative steps from the environment file, or Python.

A journey runs in a fresh browser context and stops at its first failed step; the screenshot
taken then has every field a step filled masked (a filled value may be a secret), and the
steps are described without the values typed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gonogo.facts.browser import JourneyFacts, StepResult
from gonogo.probes import browser
from gonogo.probes import browser_js as js

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from gonogo.schema.e2e import JourneyConfig, StepConfig


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _matches(url: str, path: str) -> bool:
    """``url`` is ``path`` (with its query when ``path`` has one)."""
    return _path(url) == path or urlsplit(url).path == path


class Journey:
    """A page in a fresh context, and the steps run on it so far (Python journeys use this
    through the ``browser_journey`` fixture; declarative ones through :func:`run`)."""

    def __init__(self, target: browser.BrowserTarget, name: str, page: Page) -> None:
        self.target = target
        self.name = name
        self.page = page
        self.seen = browser.Recorder(page)
        self.steps: list[StepResult] = []
        self.planned = 0
        self.screenshot: bytes | None = None
        self._filled: list[str] = []

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    def url(self, path: str) -> str:
        return self.target.url(path)

    def step(self, description: str, action: Callable[[Page], object]) -> bool:
        """Run ``action(page)`` as the next step unless an earlier one failed; False if it fails.

        A Playwright error or timeout or an ``AssertionError`` fails the step (with a
        screenshot); a ``ProbeError`` (the site refused the connection, a page never loaded)
        propagates: the journey could not be checked. Anything else is a bug in the journey.
        """
        from playwright.sync_api import Error

        self.planned += 1
        if not self.ok:
            return False
        started = time.monotonic()
        try:
            action(self.page)
        except (Error, AssertionError) as err:
            detail = (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
            self._record(description, False, detail, started)
            self._capture()
            return False
        self._record(description, True, "", started)
        return True

    def fill(self, selector: str, value: str) -> None:
        """Type ``value`` into ``selector``; the field is masked in any later screenshot."""
        self._filled.append(selector)
        self.page.locator(selector).fill(value)

    def latest_status(self, path: str, timeout_s: float) -> int | None:
        """The status of the latest response to ``path`` so far, else of the next one within
        ``timeout_s`` (None: no such request)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        for url, status in reversed(self.seen.responses):
            if _matches(url, path):
                return status
        with contextlib.suppress(PlaywrightTimeout):
            response = self.page.wait_for_event(
                "response", lambda r: _matches(r.url, path), timeout=timeout_s * 1000
            )
            return int(response.status)
        return None

    def facts(self) -> JourneyFacts:
        return JourneyFacts(
            name=self.name,
            steps=tuple(self.steps),
            total=max(self.planned, len(self.steps)),
            final_url=self.page.url,
            console=tuple(self.seen.console),
            screenshot=self.screenshot,
        )

    def _record(self, description: str, ok: bool, detail: str, started: float) -> None:
        elapsed = round((time.monotonic() - started) * 1000, 1)
        self.steps.append(StepResult(len(self.steps) + 1, description, ok, detail, elapsed))

    def _capture(self) -> None:
        from playwright.sync_api import Error

        with contextlib.suppress(Error):
            for selector in self._filled:
                self.page.locator(selector).evaluate_all(js.MASK_FILLED)
            self.screenshot = self.page.screenshot(type="png")


@contextlib.contextmanager
def open_journey(target: browser.BrowserTarget, name: str) -> Iterator[Journey]:
    """A journey on a fresh page of this process's browser (closed afterwards)."""
    with browser.context(target) as ctx:
        yield Journey(target, name, ctx.new_page())


def describe(step: StepConfig) -> str:
    """A step in words; a filled value is never shown."""
    if step.fill is not None:
        return f"fill {step.fill} (value not shown)"
    if step.expect_status is not None:
        return f"expect status {step.expect_status} from {step.request}"
    action = step.action
    return f"{action.replace('_', ' ')} {getattr(step, action)}"


def _action(journey: Journey, step: StepConfig) -> Callable[[Page], object]:
    timeout_s = journey.target.timeout_s
    if step.goto is not None:
        path = step.goto
        return lambda page: browser.goto(page, journey.url(path), timeout_s)
    if step.fill is not None:
        selector, value = step.fill, step.value or ""
        return lambda page: journey.fill(selector, value)
    if step.click is not None:
        selector = step.click
        return lambda page: page.locator(selector).click()
    if step.expect_text is not None:
        text = step.expect_text
        return lambda page: page.get_by_text(text).first.wait_for(state="visible")
    if step.expect_url is not None:
        want = step.expect_url
        return lambda page: page.wait_for_url(lambda url: _matches(url, want))
    return lambda page: _expect_status(journey, step)


def _expect_status(journey: Journey, step: StepConfig) -> None:
    assert step.request is not None
    status = journey.latest_status(step.request, journey.target.timeout_s)
    if status is None:
        raise AssertionError(f"no request to {step.request} within {journey.target.timeout_s:g} s")
    if status != step.expect_status:
        raise AssertionError(f"{step.request} answered {status}, expected {step.expect_status}")


def run(target: browser.BrowserTarget, journey: JourneyConfig) -> JourneyFacts:
    """Run a declarative journey's steps in order, up to the first that fails."""
    with open_journey(target, journey.name) as running:
        for step in journey.steps:
            running.step(describe(step), _action(running, step))
        return running.facts()
