"""Browser rules: what a real browser saw on the site's pages and journeys.

Check ids: ``e2e.page``, ``e2e.console``, ``e2e.mixed-content``, ``e2e.vitals``,
``e2e.mobile``, ``e2e.a11y``, ``e2e.journey`` (and Python journeys such as ``e2e.signup``).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gonogo.facts.browser import (
    A11yFacts,
    JourneyFacts,
    MobileFacts,
    PageFacts,
    TapTarget,
    Timing,
    VitalsFacts,
)
from gonogo.model import Comparison, Finding, Severity, compare, expect, info

if TYPE_CHECKING:
    from gonogo.schema.e2e import E2eConfig

LONG_TASK_MS = 50.0  # the main thread is blocked for what a task takes beyond this
CLS_GAP_MS, CLS_WINDOW_MS = 1000.0, 5000.0  # web-vitals' session windows
IMPACTS = ("minor", "moderate", "serious", "critical")
SHOWN = 5  # examples listed in a message


def _listed(items: Sequence[str]) -> str:
    more = f" (+{len(items) - SHOWN} more)" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


def evaluate_page(facts: PageFacts) -> list[Finding]:
    """A 2xx document with a title, and no request of the page failed."""
    ok = facts.status is not None and 200 <= facts.status < 300
    failed = [
        f"{f.resource} {f.url} ({f.status if f.status is not None else f.error})"
        for f in facts.failures
    ]
    return [
        expect(
            "status",
            ok,
            f"GET {facts.url} answered {facts.status or 'nothing'}",
            facts.status,
            "2xx",
        ),
        expect(
            "title",
            bool(facts.title.strip()),
            f"title {facts.title.strip()!r}" if facts.title.strip() else "the page has no title",
            facts.title.strip(),
            "not empty",
        ),
        Finding(
            "failed_requests",
            not failed,
            f"{len(failed)} failed request(s): {_listed(failed)}"
            if failed
            else "no failed request",
            failed,
            [],
            comparison=Comparison.EQ,
        ),
        info("final_url", f"ended at {facts.final_url}", facts.final_url),
    ]


def evaluate_console(facts: PageFacts) -> list[Finding]:
    """No console error and no uncaught exception while the page loaded."""
    errors = [
        f"{e.kind}: {e.text}" + (f" ({e.source})" if e.source else "")
        for e in facts.console
        if e.kind in ("error", "exception")
    ]
    message = f"{len(errors)} console error(s): {_listed(errors)}" if errors else "no console error"
    return [Finding("console_errors", not errors, message, errors, [], comparison=Comparison.EQ)]


def evaluate_mixed_content(facts: PageFacts) -> list[Finding]:
    """No subresource of the HTTPS page over plain HTTP; active content (scripts, styles,
    frames) is a blocker, passive content (images, media) a minor warning."""
    found: list[Finding] = []
    for active in (True, False):
        urls = sorted({f"{r.element} {r.url}" for r in facts.insecure if r.active == active})
        kind = "active" if active else "passive"
        found.append(
            Finding(
                f"{kind}_mixed_content",
                not urls,
                f"{len(urls)} {kind} resource(s) over http: {_listed(urls)}"
                if urls
                else f"no {kind} mixed content",
                urls,
                [],
                comparison=Comparison.EQ,
                # MDN: browsers block active mixed content (the page breaks) and upgrade or
                # flag passive content (a warning, as smoke.mixed-content grades it)
                severity=(Severity.BLOCKER if active else Severity.MINOR) if urls else None,
            )
        )
    return found


def cumulative_layout_shift(shifts: Sequence[tuple[float, float]]) -> float:
    """The largest session window of layout shifts (gaps under 1 s, at most 5 s long)."""
    best = current = 0.0
    first = last = None
    for start, value in sorted(shifts):
        if (
            first is None
            or last is None
            or start - last > CLS_GAP_MS
            or start - first > CLS_WINDOW_MS
        ):
            first, current = start, 0.0
        current += value
        last = start
        best = max(best, current)
    return round(best, 4)


def time_to_interactive(timing: Timing) -> float:
    """An estimate: FCP, DOMContentLoaded or the end of the last long task, whichever is last."""
    ends = [start + duration for start, duration in timing.long_tasks]
    return round(max([timing.fcp_ms or 0.0, timing.dcl_ms, *ends]), 1)


def total_blocking_time(timing: Timing) -> float:
    """What long tasks after FCP took beyond 50 ms each (Lighthouse's Total Blocking Time)."""
    fcp = timing.fcp_ms or 0.0
    return round(sum(max(0.0, d - LONG_TASK_MS) for s, d in timing.long_tasks if s >= fcp), 1)


def _series(facts: VitalsFacts) -> dict[str, list[float | None]]:
    return {
        "ttfb_ms": [t.ttfb_ms for t in facts.runs],
        "fcp_ms": [t.fcp_ms for t in facts.runs],
        "lcp_ms": [t.lcp_ms for t in facts.runs],
        "cls": [cumulative_layout_shift(t.shifts) for t in facts.runs],
        "tti_ms": [time_to_interactive(t) for t in facts.runs],
        "tbt_ms": [total_blocking_time(t) for t in facts.runs],
        "load_ms": [t.load_ms or None for t in facts.runs],
    }


def _median(values: Sequence[float | None]) -> float | None:
    """The median run; a run that never measured the value (no paint) makes it absent."""
    if not values or any(v is None for v in values):
        return None
    return round(statistics.median(v for v in values if v is not None), 4)


_LABELS = {
    "fcp_ms": "First Contentful Paint",
    "lcp_ms": "Largest Contentful Paint",
    "cls": "Cumulative Layout Shift",
    "tti_ms": "Time to Interactive (estimate)",
    "tbt_ms": "Total Blocking Time",
    "load_ms": "page load",
}


def evaluate_vitals(facts: VitalsFacts, cfg: E2eConfig) -> list[Finding]:
    """The median of each web vital over the runs within its budget; the spread recorded."""
    series = _series(facts)
    n = len(facts.runs)
    findings = [
        info("runs", f"{n} load(s) of {facts.url}, each in a fresh browser", series),
        info(
            "ttfb_ms",
            f"time to first byte: median {_median(series['ttfb_ms'])} ms",
            _median(series["ttfb_ms"]),
            "ms",
        ),
    ]
    for name, label in _LABELS.items():
        values = series[name]
        shown = [v for v in values if v is not None]
        spread = f", {min(shown):g}-{max(shown):g} over {n} runs" if shown else ""
        unit = "" if name == "cls" else "ms"
        budget = getattr(cfg, name)
        what = f"{label} (median{spread})"
        if budget is None:  # recorded, not judged (tbt_ms unset)
            findings.append(
                info(name, f"{what}: {_median(values)} {unit}".rstrip(), _median(values), unit)
            )
            continue
        findings.append(compare(name, _median(values), Comparison.LT, budget, unit=unit, what=what))
    return findings


def overlapping(targets: Sequence[TapTarget]) -> list[tuple[str, str]]:
    """Pairs of tap targets whose boxes overlap (one nested in the other counts too)."""
    pairs = []
    for i, a in enumerate(targets):
        for b in targets[i + 1 :]:
            w = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
            h = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
            if w > 0.5 and h > 0.5:
                pairs.append((a.label, b.label))
    return pairs


def evaluate_mobile(facts: MobileFacts) -> list[Finding]:
    """At a phone's viewport the page does not scroll sideways and no tap targets overlap."""
    width = facts.viewport[0]
    extra = max(0, facts.scroll_width - width)
    pairs = [f"{a} / {b}" for a, b in overlapping(facts.targets)]
    wide = f": {_listed(list(facts.wide))}" if facts.wide else ""
    return [
        Finding(
            "horizontal_overflow_px",
            extra == 0,
            f"the page is {facts.scroll_width} px wide on a {width} px screen{wide}"
            if extra
            else f"fits the {width} px screen",
            extra,
            0,
            unit="px",
            comparison=Comparison.LE,
        ),
        Finding(
            "overlapping_tap_targets",
            not pairs,
            f"{len(pairs)} pair(s) of overlapping tap targets: {_listed(pairs)}"
            if pairs
            else f"{len(facts.targets)} tap targets, none overlapping",
            pairs,
            [],
            comparison=Comparison.EQ,
        ),
    ]


def evaluate_a11y(facts: A11yFacts, fail_at: str) -> list[Finding]:
    """No axe-core violation at ``fail_at`` impact or worse; the milder ones are listed."""
    floor = IMPACTS.index(fail_at)
    findings = [info("engine", f"{facts.engine}: {facts.passes} rules passed", facts.engine)]
    for impact in reversed(IMPACTS):
        found = [v for v in facts.violations if v.impact == impact]
        rules = [f"{v.rule} ({v.nodes}x: {v.help})" for v in found]
        judged = IMPACTS.index(impact) >= floor
        message = f"{len(found)} {impact} violation(s)" + (f": {_listed(rules)}" if rules else "")
        if judged:
            findings.append(
                Finding(
                    f"{impact}_violations", not found, message, rules, [], comparison=Comparison.EQ
                )
            )
        else:
            findings.append(info(f"{impact}_violations", message, rules))
    return findings


def evaluate_journey(facts: JourneyFacts) -> list[Finding]:
    """Every step of the journey succeeded, in order."""
    findings = [
        Finding(
            f"step_{s.index}",
            s.ok,
            f"step {s.index}: {s.description}" + (f": {s.detail}" if s.detail else ""),
            s.ok,
            True,
            comparison=Comparison.EQ,
        )
        for s in facts.steps
    ]
    ran = len(facts.steps)
    findings.append(
        compare(
            "steps_completed",
            sum(s.ok for s in facts.steps),
            Comparison.EQ,
            facts.total,
            what=f"journey {facts.name}: steps completed",
        )
    )
    if ran < facts.total:
        findings.append(
            info(
                "not_run",
                f"{facts.total - ran} step(s) after the failed one did not run",
                facts.total - ran,
            )
        )
    errors = [f"{e.kind}: {e.text}" for e in facts.console if e.kind in ("error", "exception")]
    findings.append(info("console", f"{len(errors)} console error(s) during the journey", errors))
    findings.append(info("final_url", f"ended at {facts.final_url}", facts.final_url))
    return findings
