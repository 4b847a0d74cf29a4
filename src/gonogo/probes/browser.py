"""Chromium through Playwright: load the site's pages as a desktop and a phone browser.

One browser per process (each pytest-xdist worker has its own, with Playwright's own temporary
profile directory), started on first use and closed when the process exits; every load runs in
a fresh browser context (no cache, no cookies). Gate tests never launch browsers themselves.
Locust is never imported in a process that ran Playwright (see docs/architecture.md).
"""

from __future__ import annotations

import atexit
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.facts.browser import (
    ConsoleEntry,
    InsecureResource,
    MobileFacts,
    PageFacts,
    RequestFailure,
    TapTarget,
    Timing,
    VitalsFacts,
)
from gonogo.model import ErrorReason
from gonogo.probes import browser_js as js

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

    from gonogo.schema.e2e import E2eConfig
    from gonogo.schema.web import WebConfig

# NOTES-platform.md: without the background-networking flags Chromium floods a closed network
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
)
DESKTOP: dict[str, Any] = {"viewport": {"width": 1366, "height": 768}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36"
    ),
}
SETTLE_S = 3.0  # at most this long for the network to go quiet after the load event


@dataclass(frozen=True, slots=True)
class BrowserTarget:
    """The site as the browser checks see it.

    Attributes:
        base_url: ``[web] base_url``. chromium: the executable. timeout_s: limit of each
        navigation and step. private_ca: the site's certificate is issued by ``[web]
        ca_bundle``, which the browser does not know (tls.certificate verifies it against the
        bundle; the browser then accepts it).
    """

    base_url: str
    chromium: Path
    timeout_s: float
    private_ca: bool

    @classmethod
    def of(cls, web: WebConfig, e2e: E2eConfig) -> BrowserTarget:
        return cls(web.base_url, e2e.chromium, e2e.timeout_s, web.ca_bundle is not None)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


class _Process:
    """This process's Playwright driver and browser (or the error that kept it from starting)."""

    playwright: Playwright | None = None
    browser: Browser | None = None
    failed: ProbeError | None = None


def _browser(target: BrowserTarget) -> Browser:
    if _Process.failed is not None:
        raise _Process.failed
    if _Process.browser is None:
        try:
            _Process.browser = _launch(target.chromium)
        except ProbeError as err:
            _Process.failed = err
            raise
    return _Process.browser


def _launch(chromium: Path) -> Browser:
    if not chromium.is_file() or not os.access(chromium, os.X_OK):
        raise ProbeError(
            f"no browser: {chromium} is not an executable file (install Debian's chromium "
            "package, or set [e2e] chromium to the browser's path)",
            reason=ErrorReason.CONFIG,
        )
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as err:
        raise ProbeError(
            "no browser: the playwright package is not installed (pip install playwright)",
            reason=ErrorReason.CONFIG,
        ) from err
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=list(LAUNCH_ARGS), timeout=60_000
        )
    except Error as err:
        playwright.stop()
        raise ProbeError(
            f"no browser: {chromium} did not start: {_first_line(err)}", reason=ErrorReason.CONFIG
        ) from err
    _Process.playwright = playwright
    atexit.register(close)
    return browser


def close() -> None:
    """Close this process's browser and driver (at exit; idempotent)."""
    browser, playwright = _Process.browser, _Process.playwright
    _Process.browser = _Process.playwright = None
    with contextlib.suppress(Exception):  # the driver may be gone already at interpreter exit
        if browser is not None:
            browser.close()
    with contextlib.suppress(Exception):
        if playwright is not None:
            playwright.stop()


@contextlib.contextmanager
def context(target: BrowserTarget, *, phone: bool = False) -> Iterator[BrowserContext]:
    """A fresh browser context (empty cache and cookies) with the timing observers installed."""
    ctx = _browser(target).new_context(
        ignore_https_errors=target.private_ca,
        service_workers="block",
        **(PHONE if phone else DESKTOP),
    )
    try:
        ctx.set_default_timeout(target.timeout_s * 1000)
        ctx.add_init_script(js.OBSERVE)
        yield ctx
    finally:
        with contextlib.suppress(Exception):
            ctx.close()


class Recorder:
    """What a page reported while it ran: console errors, exceptions, failed requests."""

    def __init__(self, page: Page) -> None:
        self.console: list[ConsoleEntry] = []
        self.failures: list[RequestFailure] = []
        self.responses: list[tuple[str, int]] = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.console.append(ConsoleEntry("exception", str(err))))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        text = message.text
        if message.type == "error" or (message.type == "warning" and "Mixed Content" in text):
            where = message.location or {}
            source = f"{where.get('url', '')}:{where.get('lineNumber', '')}".strip(":")
            self.console.append(ConsoleEntry(message.type, text, source))

    def _failed(self, request: Any) -> None:
        error = request.failure or "failed"
        self.failures.append(RequestFailure(request.url, request.resource_type, None, error))

    def _response(self, response: Any) -> None:
        self.responses.append((response.url, response.status))
        if response.status >= 400:
            request = response.request
            self.failures.append(
                RequestFailure(response.url, request.resource_type, response.status)
            )


def goto(page: Page, url: str, timeout_s: float) -> int | None:
    """Navigate and wait for the load event, then (briefly) for the network to go quiet."""
    from playwright.sync_api import Error
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        response = page.goto(url, wait_until="load", timeout=timeout_s * 1000)
    except PlaywrightTimeout as err:
        raise ProbeTimeout(f"{url}: the page did not load within {timeout_s:g} s") from err
    except Error as err:
        raise _navigation_error(url, err) from err
    with contextlib.suppress(PlaywrightTimeout):  # a page that polls never goes quiet
        page.wait_for_load_state("networkidle", timeout=min(timeout_s, SETTLE_S) * 1000)
    return response.status if response is not None else None


def _navigation_error(url: str, err: Exception) -> ProbeError:
    text = _first_line(err)
    if "ERR_CONNECTION_REFUSED" in text or "ERR_CONNECTION_RESET" in text:
        return ProbeRefused(f"{url}: connection refused ({text})")
    if "ERR_NAME_NOT_RESOLVED" in text:
        return ProbeRefused(f"{url}: host name not found ({text})")
    if "ERR_CERT" in text or "ERR_SSL" in text:
        return ProbeError(
            f"{url}: the browser refused the TLS connection ({text})", reason=ErrorReason.TLS
        )
    if "ERR_TIMED_OUT" in text:
        return ProbeTimeout(f"{url}: {text}")
    return ProbeError(f"{url}: the browser could not load the page ({text})")


def timing(page: Page) -> Timing:
    raw = page.evaluate(js.TIMING)
    return Timing(
        ttfb_ms=round(raw["ttfb"], 1),
        dcl_ms=round(raw["dcl"], 1),
        load_ms=round(raw["load"], 1),
        fcp_ms=None if raw["fcp"] is None else round(raw["fcp"], 1),
        lcp_ms=None if raw["lcp"] is None else round(raw["lcp"], 1),
        shifts=tuple((round(s, 1), round(v, 4)) for s, v in raw["shifts"]),
        long_tasks=tuple((round(s, 1), round(d, 1)) for s, d in raw["longTasks"]),
    )


def load_page(target: BrowserTarget, path: str) -> PageFacts:
    """Load ``path`` once as a desktop browser: status, title, console, requests, screenshot."""
    url = target.url(path)
    with context(target) as ctx:
        page = ctx.new_page()
        seen = Recorder(page)
        status = goto(page, url, target.timeout_s)
        insecure = [
            InsecureResource(u, tag, active) for u, tag, active in page.evaluate(js.INSECURE)
        ]
        insecure += [
            InsecureResource(entry.text, "console", False)
            for entry in seen.console
            if "Mixed Content" in entry.text
        ]
        return PageFacts(
            url=url,
            final_url=page.url,
            status=status,
            title=page.title(),
            console=tuple(seen.console),
            failures=tuple(seen.failures),
            insecure=tuple(insecure),
            screenshot=page.screenshot(type="png"),
            timing=timing(page),
        )


def measure_vitals(target: BrowserTarget, path: str, runs: int) -> VitalsFacts:
    """Load ``path`` ``runs`` times, each in a fresh context, and read the page's timing."""
    url = target.url(path)
    measured = []
    for _ in range(runs):
        with context(target) as ctx:
            page = ctx.new_page()
            goto(page, url, target.timeout_s)
            measured.append(timing(page))
    return VitalsFacts(url, tuple(measured))


def load_phone(target: BrowserTarget, path: str) -> MobileFacts:
    """Load ``path`` as a phone (375x812, touch, mobile user agent) and read its layout."""
    url = target.url(path)
    with context(target, phone=True) as ctx:
        page = ctx.new_page()
        goto(page, url, target.timeout_s)
        layout = page.evaluate(js.LAYOUT)
        size = page.viewport_size or PHONE["viewport"]
        return MobileFacts(
            url=url,
            viewport=(size["width"], size["height"]),
            scroll_width=int(layout["scrollWidth"]),
            wide=tuple(layout["wide"]),
            targets=tuple(TapTarget(label, x, y, w, h) for label, x, y, w, h in layout["targets"]),
            screenshot=page.screenshot(type="png"),
        )


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
