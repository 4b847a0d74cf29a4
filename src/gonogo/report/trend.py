"""The trend of the headline numbers over the last runs, and the failures new since the last GO.

Rendered from history lines (:mod:`gonogo.report.history`, plain data): a table of the last runs
(the current one last) with an inline SVG sparkline per number, no script and nothing fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from gonogo.report.history import FIGURES, SHOWN, new_failures

_VERDICT_COLOURS = {
    "GO": "#1a7f37",
    "CONDITIONAL": "#9a6700",
    "NO-GO": "#cf222e",
    "ROLL BACK": "#82071e",
}
COLUMNS = [(f.key, f.label) for f in FIGURES] + [("plan_coverage", "plan coverage")]


def _value(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key == "plan_coverage" and isinstance(value, float):
        return f"{value:.0%}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def sparkline(values: Sequence[Any], width: int = 90, height: int = 18) -> str:
    """A tiny inline SVG polyline of the numbers in ``values`` (others are gaps); empty when
    fewer than two numbers."""
    points = [(i, v) for i, v in enumerate(values) if isinstance(v, int | float)]
    if len(points) < 2:
        return ""
    low, high = min(v for _i, v in points), max(v for _i, v in points)
    span = (high - low) or 1
    step = width / max(1, len(values) - 1)
    coords = " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in points
    )
    return (
        f'<svg class="gng-spark" width="{width}" height="{height}" viewBox="0 0 {width} '
        f'{height}" role="img" aria-label="trend"><polyline fill="none" stroke="#0969da" '
        f'stroke-width="1.5" points="{coords}"/></svg>'
    )


def _new_line(previous: Sequence[dict[str, Any]], current: dict[str, Any]) -> tuple[str, bool]:
    """(the sentence about failures new since the last GO, whether there are any)."""
    new = new_failures(previous, current)
    if new is None:
        return "No GO run in the history yet: nothing to compare with.", False
    last_go = next(line for line in reversed(previous) if line.get("verdict") == "GO")
    since = f"since the last GO (run {last_go['run_id']}, release {last_go['release'] or '?'})"
    if not new:
        return f"No new failures {since}.", False
    return f"New failures {since}: {', '.join(new)}.", True


def html_section(previous: Sequence[dict[str, Any]], current: dict[str, Any]) -> str:
    """The "Trend" section of report.html."""
    lines = [*previous[-(SHOWN - 1) :], current]
    sentence, alarming = _new_line(previous, current)
    head = "".join(f"<th>{escape(label)}</th>" for _key, label in COLUMNS)
    sparks = "".join(
        f"<td>{sparkline([line['figures'].get(key) for line in lines])}</td>"
        for key, _label in COLUMNS
    )
    rows = []
    for n, line in enumerate(lines):
        colour = _VERDICT_COLOURS.get(line["verdict"], "#57606a")
        note = " (interrupted)" if line.get("interrupted") else ""
        this = " (this run)" if n == len(lines) - 1 else ""
        cells = "".join(
            f'<td data-label="{escape(label)}">{escape(_value(key, line["figures"].get(key)))}</td>'
            for key, label in COLUMNS
        )
        rows.append(
            f"<tr><td>{escape(line['started_at'][:16].replace('T', ' '))}"
            f"<br><small>{escape(line['run_id'])}{escape(this)}</small></td>"
            f'<td data-label="release">{escape(line["release"] or "-")}</td>'
            f'<td><span class="gng-chip" style="background:{colour}">'
            f"{escape(line['verdict'])}</span>{escape(note)}</td>"
            f'<td data-label="not passed">{len(line.get("not_passed", []))}</td>{cells}</tr>'
        )
    flag = "gng-bad" if alarming else ""
    return (
        f'<section id="trend"><h2>Trend: the last {len(lines)} runs</h2>'
        f'<p class="{flag}">{escape(sentence)}</p>'
        '<table class="gng-table gng-trend"><thead><tr class="gng-head"><th>run</th>'
        f"<th>release</th><th>verdict</th><th>not passed</th>{head}</tr>"
        f'<tr class="gng-head gng-noprint"><td colspan="4"></td>{sparks}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def markdown_lines(previous: Sequence[dict[str, Any]], current: dict[str, Any]) -> list[str]:
    """The "Trend" section of summary.md."""
    lines = [*previous[-(SHOWN - 1) :], current]
    sentence, _alarming = _new_line(previous, current)
    head = ["run", "release", "verdict", "not passed", *(label for _k, label in COLUMNS)]
    out = ["## Trend", "", f"- {sentence}", "", "| " + " | ".join(head) + " |"]
    out.append("|" + "---|" * len(head))
    for line in lines:
        note = " (interrupted)" if line.get("interrupted") else ""
        cells = [_value(key, line["figures"].get(key)) for key, _label in COLUMNS]
        out.append(
            f"| `{line['run_id']}` | {line['release'] or '-'} | {line['verdict']}{note} | "
            f"{len(line.get('not_passed', []))} | " + " | ".join(cells) + " |"
        )
    return [*out, ""]
