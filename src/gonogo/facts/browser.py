"""What a real browser (Chromium) saw on the site's pages and journeys (probes/browser.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConsoleEntry:
    """One console message or uncaught exception of a page.

    Attributes:
        kind: ``error``, ``warning`` (console levels) or ``exception`` (uncaught in the page).
        text: the message as the browser printed it (the engine masks secrets in it).
        source: the script URL and line it came from, when the browser says.
    """

    kind: str
    text: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class RequestFailure:
    """A request of the page that failed: a network error or an HTTP status of 400 or more.

    Attributes:
        url: what was requested. resource: the browser's resource type (document, script,
        stylesheet, image, fetch...). status: the HTTP status (None: no response). error: the
        network error (``net::ERR_CONNECTION_REFUSED``), empty for an HTTP status.
    """

    url: str
    resource: str
    status: int | None
    error: str = ""


@dataclass(frozen=True, slots=True)
class InsecureResource:
    """A resource an HTTPS page refers to over plain HTTP (mixed content).

    Attributes:
        url: the ``http://`` URL. element: the tag or how it was found (``img``, ``script``,
        ``console``). active: whether it can change the page (script, stylesheet, frame,
        fetch): browsers block those; passive content (images, media) is upgraded or shown.
    """

    url: str
    element: str
    active: bool


@dataclass(frozen=True, slots=True)
class Timing:
    """One load of a page as the Performance APIs in the page measured it (milliseconds from
    the navigation's start).

    Attributes:
        ttfb_ms: response start. dcl_ms: DOMContentLoaded handled. load_ms: load event handled.
        fcp_ms: First Contentful Paint (None: nothing painted). lcp_ms: the last Largest
        Contentful Paint candidate. shifts: (start, value) of each layout shift not caused by
        input. long_tasks: (start, duration) of each main-thread task over 50 ms.
    """

    ttfb_ms: float
    dcl_ms: float
    load_ms: float
    fcp_ms: float | None
    lcp_ms: float | None
    shifts: tuple[tuple[float, float], ...] = ()
    long_tasks: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class PageFacts:
    """One load of a page in a desktop browser.

    Attributes:
        url: the page requested. final_url: where it ended (after redirects). status: the
        document's HTTP status (None: no response). title: ``document.title``. console: errors,
        exceptions and mixed-content warnings. failures: failed requests. insecure: mixed
        content. screenshot: PNG of the viewport (evidence). timing: this load's timing.
    """

    url: str
    final_url: str
    status: int | None
    title: str
    console: tuple[ConsoleEntry, ...]
    failures: tuple[RequestFailure, ...]
    insecure: tuple[InsecureResource, ...]
    screenshot: bytes
    timing: Timing


@dataclass(frozen=True, slots=True)
class VitalsFacts:
    """Several loads of one page, each in a fresh browser context (cold cache).

    Attributes:
        url: the page. runs: the timing of each load.
    """

    url: str
    runs: tuple[Timing, ...]


@dataclass(frozen=True, slots=True)
class TapTarget:
    """A link, button or field as laid out on the phone (CSS pixels).

    Attributes:
        label: a short description (tag, id or text). x, y, width, height: its box.
    """

    label: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class MobileFacts:
    """One load of a page as a phone (viewport, touch, mobile user agent).

    Attributes:
        url: the page. viewport: (width, height). scroll_width: the document's width (more
        than the viewport's: it scrolls sideways). wide: elements wider than the viewport or
        reaching past its right edge. targets: the visible tap targets. screenshot: PNG.
    """

    url: str
    viewport: tuple[int, int]
    scroll_width: int
    wide: tuple[str, ...]
    targets: tuple[TapTarget, ...]
    screenshot: bytes


@dataclass(frozen=True, slots=True)
class Violation:
    """One axe-core rule the page breaks.

    Attributes:
        rule: axe's rule id (``image-alt``). impact: ``minor`` .. ``critical``. help: axe's
        one-line description. nodes: how many elements break it. where: selectors of the
        first few.
    """

    rule: str
    impact: str
    help: str
    nodes: int
    where: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class A11yFacts:
    """axe-core's verdict on one page.

    Attributes:
        url: the page. engine: ``axe-core <version>``. violations: the rules it breaks.
        passes: how many rules passed.
    """

    url: str
    engine: str
    violations: tuple[Violation, ...]
    passes: int


@dataclass(frozen=True, slots=True)
class StepResult:
    """One step of a journey as it ran.

    Attributes:
        index: 1-based position. description: the step in words (never a filled value).
        ok: whether it succeeded. detail: what was seen (the failure's reason).
        elapsed_ms: how long it took.
    """

    index: int
    description: str
    ok: bool
    detail: str = ""
    elapsed_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class JourneyFacts:
    """A journey run in a fresh browser context, up to its first failed step.

    Attributes:
        name: the journey. steps: the steps that ran. total: how many it has. final_url: where
        the page was at the end. console: the page's console errors and exceptions.
        screenshot: PNG at the failed step (None when every step passed).
    """

    name: str
    steps: tuple[StepResult, ...]
    total: int
    final_url: str
    console: tuple[ConsoleEntry, ...]
    screenshot: bytes | None = None
