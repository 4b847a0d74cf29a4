"""Table tests of the browser rules (e2e.*): facts as a browser reports them -> findings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gonogo.facts.browser import (
    A11yFacts,
    ConsoleEntry,
    InsecureResource,
    JourneyFacts,
    MobileFacts,
    PageFacts,
    RequestFailure,
    StepResult,
    TapTarget,
    Timing,
    Violation,
    VitalsFacts,
)
from gonogo.model import Outcome, Severity, conclude, graded
from gonogo.rules import browser as rules
from gonogo.schema.e2e import E2eConfig

URL = "https://shop.example.com/"
FAST = Timing(ttfb_ms=40, dcl_ms=300, load_ms=350, fcp_ms=320, lcp_ms=420, shifts=((400, 0.04),))
PAGE = PageFacts(URL, URL, 200, "Storefront", (), (), (), b"png", FAST)


def failed(findings) -> set[str]:
    return {f.name for f in findings if not f.ok}


@pytest.mark.parametrize(
    ("facts", "bad"),
    [
        (PAGE, set()),
        (replace(PAGE, status=503), {"status"}),
        (replace(PAGE, status=None), {"status"}),
        (replace(PAGE, status=301), {"status"}),
        (replace(PAGE, title="  "), {"title"}),
        (
            replace(PAGE, failures=(RequestFailure(URL + "app.css", "stylesheet", 404),)),
            {"failed_requests"},
        ),
        (
            replace(PAGE, failures=(RequestFailure(URL + "x", "fetch", None, "net::ERR_FAILED"),)),
            {"failed_requests"},
        ),
    ],
    ids=["clean", "503", "no-response", "redirect-status", "blank-title", "404-asset", "net-error"],
)
def test_page(facts: PageFacts, bad: set[str]) -> None:
    """A page passes with a 2xx, a title and no failed request; each defect fails its finding."""
    assert failed(rules.evaluate_page(facts)) == bad


@pytest.mark.parametrize(
    ("console", "ok"),
    [
        ((), True),
        ((ConsoleEntry("warning", "Mixed Content: upgraded"),), True),
        ((ConsoleEntry("error", "boom", "app.js:1"),), False),
        ((ConsoleEntry("exception", "TypeError: x is undefined"),), False),
    ],
    ids=["none", "warning-only", "console-error", "uncaught-exception"],
)
def test_console(console: tuple[ConsoleEntry, ...], ok: bool) -> None:
    """Console errors and uncaught exceptions fail e2e.console; warnings do not."""
    findings = rules.evaluate_console(replace(PAGE, console=console))
    assert conclude(findings)[0] is (Outcome.PASSED if ok else Outcome.FAILED)


@pytest.mark.parametrize(
    ("insecure", "severity"),
    [
        ((), None),
        ((InsecureResource("http://cdn/x.png", "img", False),), Severity.MINOR),
        ((InsecureResource("http://cdn/x.js", "script", True),), Severity.BLOCKER),
    ],
    ids=["none", "passive-image", "active-script"],
)
def test_mixed_content(insecure: tuple[InsecureResource, ...], severity: Severity | None) -> None:
    """Passive mixed content is a minor warning (browsers upgrade it); active is a blocker."""
    findings = rules.evaluate_mixed_content(replace(PAGE, insecure=insecure))
    if severity is None:
        assert not failed(findings)
    else:
        assert graded(findings, Severity.MAJOR) is severity


@pytest.mark.parametrize(
    ("shifts", "expected"),
    [
        ((), 0.0),
        (((100, 0.05), (400, 0.05)), 0.1),
        (((100, 0.05), (1500, 0.08)), 0.08),  # more than 1 s apart: two windows
        (((100, 0.02), (900, 0.02), (1700, 0.02), (2500, 0.02), (3300, 0.02), (5200, 0.02)), 0.1),
    ],
    ids=["none", "one-window", "gap-splits", "five-second-cap"],
)
def test_cls_session_windows(shifts: tuple[tuple[float, float], ...], expected: float) -> None:
    """CLS is the largest session window (gaps under 1 s, windows at most 5 s)."""
    assert rules.cumulative_layout_shift(shifts) == pytest.approx(expected)


def test_tti_and_tbt_from_long_tasks() -> None:
    """TTI ends with the last long task; TBT counts what tasks after FCP took beyond 50 ms."""
    timing = replace(FAST, long_tasks=((100, 80), (500, 120), (900, 60)))
    assert rules.time_to_interactive(timing) == 960
    assert rules.total_blocking_time(timing) == 70 + 10  # the task before FCP (320) is left out


CFG = E2eConfig()


def vitals(*runs: Timing) -> VitalsFacts:
    return VitalsFacts(URL, runs)


@pytest.mark.parametrize(
    ("facts", "bad"),
    [
        (vitals(FAST, FAST, FAST), set()),
        (vitals(FAST, replace(FAST, lcp_ms=3100), replace(FAST, lcp_ms=3200)), {"lcp_ms"}),
        (vitals(FAST, replace(FAST, lcp_ms=9000), FAST), set()),  # one slow run: the median
        (vitals(*[replace(FAST, shifts=((400, 0.3),))] * 3), {"cls"}),
        (vitals(*[replace(FAST, fcp_ms=None, lcp_ms=None)] * 3), {"fcp_ms", "lcp_ms"}),
        (vitals(*[replace(FAST, load_ms=2600)] * 3), {"load_ms"}),
        (vitals(*[replace(FAST, long_tasks=((400, 900),))] * 3), set()),  # TBT: not judged
        (vitals(*[replace(FAST, long_tasks=((3000, 900),))] * 3), {"tti_ms"}),
    ],
    ids=["fast", "slow-lcp", "one-outlier", "layout-shift", "never-painted", "slow-load",
         "blocking", "late-interactive"],
)  # fmt: skip
def test_vitals(facts: VitalsFacts, bad: set[str]) -> None:
    """The median of the runs is judged against each budget (the plans' numbers by default)."""
    assert failed(rules.evaluate_vitals(facts, CFG)) == bad


def test_tbt_judged_when_a_budget_is_set() -> None:
    """With [e2e] tbt_ms set, Total Blocking Time over it fails; unset it is only recorded."""
    blocking = vitals(*[replace(FAST, long_tasks=((400, 900),))] * 3)
    assert failed(rules.evaluate_vitals(blocking, E2eConfig(tbt_ms=300))) == {"tbt_ms"}
    tbt = next(f for f in rules.evaluate_vitals(blocking, CFG) if f.name == "tbt_ms")
    assert tbt.ok and tbt.measured == 850


def test_vitals_record_every_run() -> None:
    """The evidence keeps each run's values and says the spread."""
    findings = rules.evaluate_vitals(vitals(FAST, replace(FAST, lcp_ms=900), FAST), CFG)
    runs = next(f for f in findings if f.name == "runs")
    assert runs.measured["lcp_ms"] == [420, 900, 420]
    lcp = next(f for f in findings if f.name == "lcp_ms")
    assert lcp.measured == 420 and lcp.threshold == 2500 and "420-900 over 3 runs" in lcp.message


def tap(label: str, x: float, y: float, w: float = 100, h: float = 40) -> TapTarget:
    return TapTarget(label, x, y, w, h)


@pytest.mark.parametrize(
    ("facts", "bad"),
    [
        (MobileFacts(URL, (375, 812), 375, (), (tap("a", 0, 0), tap("b", 0, 50)), b""), set()),
        (MobileFacts(URL, (375, 812), 720, ("header.bar",), (), b""), {"horizontal_overflow_px"}),
        (
            MobileFacts(URL, (375, 812), 375, (), (tap("a", 0, 0), tap("b", 50, 20)), b""),
            {"overlapping_tap_targets"},
        ),
        (MobileFacts(URL, (375, 812), 375, (), (tap("a", 0, 0), tap("b", 100, 0)), b""), set()),
    ],
    ids=["fits", "overflow", "overlap", "touching-edges"],
)
def test_mobile(facts: MobileFacts, bad: set[str]) -> None:
    """On a phone: no sideways scrolling, no overlapping tap targets (touching is fine)."""
    assert failed(rules.evaluate_mobile(facts)) == bad


def a11y(*impacts: str) -> A11yFacts:
    found = tuple(Violation(f"rule-{i}", impact, "help", 1) for i, impact in enumerate(impacts))
    return A11yFacts(URL, "axe-core 4.14.1", found, 30)


@pytest.mark.parametrize(
    ("facts", "fail_at", "bad"),
    [
        (a11y(), "serious", set()),
        (a11y("minor", "moderate"), "serious", set()),
        (a11y("critical"), "serious", {"critical_violations"}),
        (a11y("serious", "minor"), "serious", {"serious_violations"}),
        (a11y("moderate"), "moderate", {"moderate_violations"}),
        (a11y("serious"), "critical", set()),
    ],
    ids=["none", "mild-listed", "critical", "serious", "stricter", "laxer"],
)
def test_a11y(facts: A11yFacts, fail_at: str, bad: set[str]) -> None:
    """Violations at the configured impact or worse fail; milder ones are only listed."""
    assert failed(rules.evaluate_a11y(facts, fail_at)) == bad


def test_journey() -> None:
    """A journey passes only when every step ran and succeeded; a failed step names itself."""
    ok = StepResult(1, "goto /", True)
    bad = StepResult(2, "expect text Signed in as", False, "Timeout 15000ms exceeded")
    passed = JourneyFacts("login", (ok,), 1, URL, ())
    broken = JourneyFacts("login", (ok, bad), 4, URL, (ConsoleEntry("error", "404"),))
    assert conclude(rules.evaluate_journey(passed))[0] is Outcome.PASSED
    findings = rules.evaluate_journey(broken)
    assert failed(findings) == {"step_2", "steps_completed"}
    assert "expect text Signed in as: Timeout" in conclude(findings)[2]
