"""HTML fragments of the sign-off page: the verdict banner, the checks, the plan, extra columns.

The whole sign-off page is one block (:func:`verdict_block`) that pytest-html's summary carries,
hoisted to the top of its page and replaced with the final verdict when the run ends; pytest-html's
own tables are folded below it (:func:`gonogo.report.page.fold_log`).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from gonogo.model import AttachmentWire, FindingWire, Outcome
from gonogo.plans.wire import PlanWire
from gonogo.report import page as page_mod
from gonogo.report import plan as plan_report
from gonogo.report.artefacts import STAGE_NOTE, RunMeta, key_figures
from gonogo.report.summary import describe_selection, stage_table
from gonogo.verdict import CheckResult, Decision, describe_waiver
from gonogo.wire import CheckWire

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


def figures_html(attachments: Sequence[AttachmentWire]) -> str:
    """A check's SVG attachments (the load chart) shown inline, as images: no script runs."""
    return "".join(
        f'<div><img alt="{escape(a["name"])}" style="max-width:100%" '
        f'src="data:image/svg+xml;base64,{a["content_b64"]}"></div>'
        for a in attachments
        if a["mime"] == "image/svg+xml"
    )


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
    decision: Decision,
    results: list[CheckResult],
    meta: RunMeta,
    plan: PlanWire | None = None,
    trend: str = "",
) -> str:
    """The sign-off page's block (pytest-html's summary carries it to the top of its page)."""
    return verdict_block(decision, results, meta, plan, trend)


def verdict_block(
    decision: Decision,
    results: list[CheckResult],
    meta: RunMeta,
    plan: PlanWire | None = None,
    trend: str = "",
) -> str:
    """The sign-off page between its markers (hoisted to the top of the page): the verdict and
    why, the sign-off block, the checks not passed, the plan, the checks that passed."""
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
        f'{page_mod.STYLE}<div class="gng-page"><header class="gng-banner" '
        f'style="background:{_COLOURS[verdict]}">'
        f"<h1>{escape(verdict)} &mdash; {escape(meta.env)}</h1>"
        '<div class="gng-meta">'
        f"release <b>{escape(meta.release or 'not set')}</b> &middot; run {escape(meta.run_id)}"
        f" &middot; {escape(meta.started_at)} &rarr; {escape(meta.finished_at)}"
        f" &middot; gonogo {escape(meta.gonogo_version)} &middot; suite {escape(meta.suite_commit or '?')}</div>"
        f"{_selection(meta)}<ul>{reasons}</ul>{figures}</header>"
    )
    head += page_mod.signoff_block(verdict, meta.env, meta.release)
    attention, settled = _split(results)
    head += _checks_table(
        f"Needs attention: {len(attention)} check{'s' if len(attention) != 1 else ''} not passed",
        attention,
        "every check passed or was not applicable",
    )
    head += trend  # the trend of the headline numbers (gonogo.report.trend), when known
    if plan is not None:
        head += plan_report.html_section(plan, (r.id for r in results))
    head += _checks_table(f"Passed and not applicable: {len(settled)} checks", settled, "none")
    head += _stages(results) + "</div>"
    return f"{BANNER_START}{head}{BANNER_END}"


def _split(results: list[CheckResult]) -> tuple[list[CheckResult], list[CheckResult]]:
    """(not passed, passed or not applicable), each by severity: a failed major comes before a
    passed blocker."""
    settled = (Outcome.PASSED, Outcome.NOT_APPLICABLE)
    ordered = sorted(results, key=lambda r: (r.severity.rank, r.outcome in settled, r.id))
    return [r for r in ordered if r.outcome not in settled], [
        r for r in ordered if r.outcome in settled
    ]


def _checks_table(title: str, results: list[CheckResult], empty: str) -> str:
    if not results:
        return f"<h2>{escape(title)}</h2><p>{escape(empty)}</p>"
    rows = []
    for r in results:
        waiver = describe_waiver(r)
        reason = f"<br><small>{escape(r.error_reason)}</small>" if r.error_reason else ""
        waived = f"<br><small>waiver {escape(waiver)}</small>" if waiver else ""
        rows.append(
            f'<tr id="check-{escape(r.id)}">'
            f"<td><code>{escape(r.id)}</code><br><small>{escape(r.title)}</small></td>"
            f'<td data-label="severity">{escape(r.severity.value)}</td>'
            f"<td>{_outcome(r.outcome.value)}{reason}{waived}</td>"
            f"<td>{evidence_html(r.evidence, r.message)}{figures_html(r.attachments)}</td>"
            f'<td data-label="target"><small>{escape(r.target)}</small></td>'
            f'<td data-label="plan items"><small>{"<br>".join(escape(c) for c in r.covers)}'
            "</small></td></tr>"
        )
    return (
        f'<h2>{escape(title)}</h2><table class="gng-table gng-checks"><colgroup>'
        '<col class="c-check"><col class="c-sev"><col class="c-out"><col class="c-ev">'
        '<col class="c-target"><col class="c-plan"></colgroup><thead><tr class="gng-head">'
        "<th>check</th><th>severity</th><th>outcome</th><th>evidence</th><th>target</th>"
        f"<th>plan items</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _stages(results: list[CheckResult]) -> str:
    stages = stage_table(results)
    head = "".join(f"<th>{escape(c)}</th>" for c in stages[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in stages[1:]
    )
    return (
        '<h2>By stage</h2><table class="gng-table gng-stages"><caption>'
        f'{escape(STAGE_NOTE)}</caption><thead><tr class="gng-head">{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
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
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{escape(title)}</title></head><body>{block}</body></html>\n"
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
