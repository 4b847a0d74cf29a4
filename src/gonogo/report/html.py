"""HTML fragments for pytest-html: the verdict banner, the checks table, extra columns."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from gonogo.evidence import CheckWire
from gonogo.model import FindingWire, Outcome
from gonogo.plans.wire import PlanWire
from gonogo.report import plan as plan_report
from gonogo.report.artefacts import STAGE_NOTE, RunMeta, key_figures
from gonogo.report.summary import describe_selection, stage_table
from gonogo.verdict import CheckResult, Decision, describe_waiver

_COLOURS = {"GO": "#1a7f37", "CONDITIONAL": "#9a6700", "NO-GO": "#cf222e", "ROLL BACK": "#82071e"}
_OUTCOME_COLOURS = {
    "passed": "#1a7f37",
    "failed": "#cf222e",
    "error": "#cf222e",
    "refused": "#cf222e",
    "skipped": "#9a6700",
    "waived": "#9a6700",
    "not-applicable": "#57606a",
}

STYLE = """
<style>
.gng-banner{padding:16px 20px;border-radius:6px;color:#fff;margin:8px 0 16px 0}
.gng-banner h1{margin:0 0 6px 0;font-size:28px}
.gng-banner ul{margin:6px 0 0 18px;padding:0}
.gng-table{border-collapse:collapse;margin:8px 0 16px 0;width:100%}
.gng-table th,.gng-table td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;font-size:13px}
.gng-table th{background:#f6f8fa}
.gng-ok{color:#1a7f37}.gng-bad{color:#cf222e;font-weight:bold}
.gng-outcome{font-weight:bold}
.gng-figures{margin-top:8px}
.gng-table caption{caption-side:bottom;text-align:left;font-size:12px;color:#57606a}
</style>
"""


def _outcome(value: str) -> str:
    colour = _OUTCOME_COLOURS.get(value, "#000")
    return f'<span class="gng-outcome" style="color:{colour}">{escape(value)}</span>'


def evidence_html(findings: Sequence[FindingWire], message: str = "") -> str:
    items = [
        f'<div class="{"gng-ok" if f["ok"] else "gng-bad"}">{"✓" if f["ok"] else "✗"} {escape(f["message"])}</div>'
        for f in findings
    ]
    if not items and message:
        items.append(f"<div>{escape(message)}</div>")
    return "".join(items)


def _selection(meta: RunMeta) -> str:
    """One line under the run's identity when options narrowed or chose the gate tests."""
    chosen = meta.selection
    options = describe_selection(meta)
    if chosen is None or (not options and not chosen["gate_tests_deselected"]):
        return ""
    text = ", ".join(o.replace("`", "") for o in options) or "no options"
    return (
        f"<div>selection: {escape(text)} &middot; {chosen['gate_tests_collected']} gate tests "
        f"collected, {chosen['gate_tests_deselected']} deselected</div>"
    )


def banner(
    decision: Decision, results: list[CheckResult], meta: RunMeta, plan: PlanWire | None = None
) -> str:
    """The verdict block, the stage counts and the checks table (pytest-html's summary)."""
    return verdict_block(decision, results, meta, plan) + _tables(results)


def verdict_block(
    decision: Decision, results: list[CheckResult], meta: RunMeta, plan: PlanWire | None = None
) -> str:
    """The verdict banner between its markers (hoisted to the top of the page)."""
    verdict = decision.verdict.value
    reasons = "".join(f"<li>{escape(r)}</li>" for r in decision.reasons)
    figures = "".join(
        f"<li><code>{escape(check_id)}</code>: {escape(f['message'])}</li>"
        for check_id, f in key_figures(results)
    )
    figures = (
        f'<div class="gng-figures"><b>Key figures</b><ul>{figures}</ul></div>' if figures else ""
    )
    head = (
        f'{STYLE}<div class="gng-banner" style="background:{_COLOURS[verdict]}">'
        f"<h1>{escape(verdict)} &mdash; {escape(meta.env)}</h1>"
        f"<div>release <b>{escape(meta.release or 'not set')}</b> &middot; run {escape(meta.run_id)}"
        f" &middot; {escape(meta.started_at)} &rarr; {escape(meta.finished_at)}"
        f" &middot; gonogo {escape(meta.gonogo_version)} &middot; suite {escape(meta.suite_commit or '?')}</div>"
        f"{_selection(meta)}<ul>{reasons}</ul>{figures}</div>"
    )
    if plan is not None:
        head += plan_report.html_section(plan, (r.id for r in results))
    return f"{BANNER_START}{head}{BANNER_END}"


def _tables(results: list[CheckResult]) -> str:
    stages = stage_table(results)
    stage_rows = "".join(
        "<tr>"
        + "".join(
            f"<{'th' if i == 0 else 'td'}>{escape(c)}</{'th' if i == 0 else 'td'}>" for c in row
        )
        + "</tr>"
        for i, row in enumerate(stages)
    )
    rows = []
    # blockers first, and within a severity what needs attention before what passed
    settled = (Outcome.PASSED, Outcome.NOT_APPLICABLE)
    for r in sorted(results, key=lambda r: (r.severity.rank, r.outcome in settled)):
        waiver = escape(describe_waiver(r))
        rows.append(
            f'<tr id="check-{escape(r.id)}">'
            f"<td><code>{escape(r.id)}</code><br><small>{escape(r.title)}</small></td>"
            f"<td>{escape(r.severity.value)}</td>"
            f"<td>{_outcome(r.outcome.value)}{'<br><small>' + escape(r.error_reason) + '</small>' if r.error_reason else ''}</td>"
            f"<td>{evidence_html(r.evidence, r.message)}</td>"
            f"<td><small>{escape(r.target)}</small></td>"
            f"<td><small>{'<br>'.join(escape(c) for c in r.covers)}</small></td>"
            f"<td><small>{waiver}</small></td>"
            "</tr>"
        )
    table = (
        '<h2>Checks (blockers first)</h2><table class="gng-table"><tr><th>check</th><th>severity</th>'
        "<th>outcome</th><th>evidence</th><th>target</th><th>plan items</th><th>waiver</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    return (
        f'<h2>By stage</h2><table class="gng-table"><caption>{escape(STAGE_NOTE)}</caption>{stage_rows}</table>'
        + table
    )


BANNER_START = "<!-- gonogo:verdict -->"
BANNER_END = "<!-- /gonogo:verdict -->"


def replace_banner(page: str, block: str) -> str:
    """``page`` with its verdict banner replaced by ``block`` (the decision changed after
    pytest-html rendered it: an interrupt while the run was finishing)."""
    start, end = page.find(BANNER_START), page.find(BANNER_END)
    if start < 0 or end < 0:
        return page
    return page[:start] + block + page[end + len(BANNER_END) :]


def standalone_page(title: str, block: str) -> str:
    """The sign-off page without pytest-html's table (it wrote no page: ``-p no:html``, or the
    run ended before its session did, e.g. interrupted while the demo stack started)."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"/>'
        f"<title>{escape(title)}</title></head><body>"
        f'<h1 id="title">{escape(title)}</h1>{block}</body></html>\n'
    )


def hoist_banner(page: str) -> str:
    """Move the verdict banner from pytest-html's summary section to the top of the page."""
    start, end = page.find(BANNER_START), page.find(BANNER_END)
    anchor = page.find('<h1 id="title">')
    if start < 0 or end < 0 or anchor < 0 or anchor > start:
        return page
    block = page[start : end + len(BANNER_END)]
    page = page[:start] + page[end + len(BANNER_END) :]
    return page[:anchor] + block + page[anchor:]


HEADER_CELLS = [
    '<th class="sortable" data-column-type="checkid">Check id</th>',
    '<th class="sortable" data-column-type="severity">Severity</th>',
    '<th class="sortable" data-column-type="gngoutcome">Outcome</th>',
    "<th>Evidence</th>",
]


def row_cells(data: CheckWire | None) -> list[str]:
    if data is None:
        return [
            '<td class="col-checkid"></td>',
            '<td class="col-severity"></td>',
            '<td class="col-gngoutcome"></td>',
            "<td></td>",
        ]
    return [
        f'<td class="col-checkid">{escape(data["id"])}</td>',
        f'<td class="col-severity">{escape(data["severity"])}</td>',
        f'<td class="col-gngoutcome">{escape(data["outcome"])}</td>',
        f"<td>{evidence_html(data['findings'], data['message'])}</td>",
    ]
