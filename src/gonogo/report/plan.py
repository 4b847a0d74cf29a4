"""The selected plan in the reports: summary.md's section and report.html's, from plain data.

Both render the ``plan`` block of evidence.json (:class:`gonogo.plans.wire.PlanWire`) in the
plan's own order and sections: each item's status (verified with the checks that verified it,
failed, waived, attested by whom and when, not applicable with the reason, not run, or not
covered), coverage per section and overall.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from gonogo.plans.wire import CoverageWire, ItemWire, PlanWire

LABELS = {
    "verified": "verified",
    "failed": "failed",
    "waived": "waived",
    "attested": "attested",
    "not-applicable": "not applicable",
    "not-run": "not run",
    "open": "not covered",
}
# what a reader must look at first: failed, then not covered, then not run, waived...
ATTENTION = ("failed", "open", "not-run", "waived")
COUNT_ORDER = ("verified", "attested", "failed", "waived", "open", "not-run", "not-applicable")


def coverage_line(c: CoverageWire) -> str:
    """``6 of 72 applicable items covered (8%): 6 verified, 66 not covered; 28 not applicable``."""
    ratio = f" ({c['ratio']:.0%})" if c["ratio"] is not None else ""
    parts = [
        f"{c['counts'][s]} {LABELS[s]}"
        for s in COUNT_ORDER
        if s != "not-applicable" and c["counts"].get(s)
    ]
    na = c["counts"].get("not-applicable", 0)
    tail = f"; {na} not applicable" if na else ""
    return (
        f"{c['covered']} of {c['applicable']} applicable items covered{ratio}: "
        f"{', '.join(parts) or 'none'}{tail}"
    )


def detail(item: ItemWire) -> str:
    """One line: the checks and their outcomes, the attestation, the reason or what is missing."""
    a = item["attestation"]
    if a is not None:
        link = f" ({a['evidence']})" if a["evidence"] else ""
        return f"by {a['by']} on {a['at'][:10]}, until {a['until']}: {a['note']}{link}"
    if item["checks"]:
        return ", ".join(f"{c['id']} {c['outcome'] or 'not run'}" for c in item["checks"])
    why = item["why"]
    if item["status"] == "open" and item["severity"]:
        return f"{item['severity']}: {why}"
    return why


def _section_title(section: list[str]) -> str:
    return " > ".join(section) if section else "(no section)"


def _by_section(items: Iterable[ItemWire]) -> list[tuple[list[str], list[ItemWire]]]:
    """Consecutive items of the same section, in the plan's order."""
    out: list[tuple[list[str], list[ItemWire]]] = []
    for item in items:
        if out and out[-1][0] == item["section"]:
            out[-1][1].append(item)
        else:
            out.append((item["section"], [item]))
    return out


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_lines(plan: PlanWire) -> list[str]:
    """The "Plan" section of summary.md."""
    out = [
        f"## Plan: {plan['title']} (`{plan['name']}`)",
        "",
        f"- Coverage: {coverage_line(plan['overall'])}",
        f"- Source: `{plan['source']}` (sha256 `{plan['sha256'][:12]}`)",
    ]
    if not plan["manual_gate"]:
        out.append("- Manual items are reported only (`manual_gate = false`): they do not weigh")
    out += [f"- {line}" for line in (*plan["expired"],)]
    out += ["", "| section | covered | " + " | ".join(LABELS[s] for s in COUNT_ORDER) + " |"]
    out.append("|---|---|" + "---|" * len(COUNT_ORDER))
    for c in plan["sections"]:
        if len(c["section"]) > 3:
            continue
        indent = "&nbsp;&nbsp;" * (len(c["section"]) - 1)
        ratio = f"{c['covered']}/{c['applicable']}"
        counts = " | ".join(str(c["counts"].get(s, 0) or "") for s in COUNT_ORDER)
        out.append(f"| {indent}{_md(c['section'][-1])} | {ratio} | {counts} |")
    out.append("")
    for section, items in _by_section(i for i in plan["items"]):
        out += [
            f"### {_md(_section_title(section))}",
            "",
            "| status | item | detail |",
            "|---|---|---|",
        ]
        out += [
            f"| {LABELS[i['status']]} | {_md(plain(i['text']))} `{i['id']}` | {_md(detail(i))} |"
            for i in items
        ]
        out.append("")
    return out


def attention(plan: PlanWire) -> list[ItemWire]:
    """Items not settled, most urgent first: failed, then not covered blockers before majors..."""
    rank = {"blocker": 0, "major": 1, "minor": 2, "info": 3}
    items = [i for i in plan["items"] if i["status"] in ATTENTION and i["mapping"] != "group"]
    return sorted(
        items, key=lambda i: (ATTENTION.index(i["status"]), rank.get(i["severity"] or "", 0))
    )


def plain(text: str) -> str:
    """An item's text without markdown emphasis marks (``**Code & Build**``)."""
    return text.replace("**", "").replace("__", "").strip()


def _chip(status: str) -> str:
    return f'<span class="gng-chip gng-s-{escape(status)}">{escape(LABELS[status])}</span>'


def _item_row(item: ItemWire, anchors: set[str]) -> str:
    checks = "".join(
        f'<a href="#check-{escape(c["id"])}">{escape(c["id"])}</a> '
        if c["id"] in anchors
        else f"<code>{escape(c['id'])}</code> "
        for c in item["checks"]
    )
    a = item["attestation"]
    if a is not None and a["evidence"]:
        more = f' <a href="{escape(a["evidence"])}" rel="noreferrer">evidence</a>'
    else:
        more = ""
    return (
        f'<tr class="gng-item gng-row-{escape(item["status"])}"><td>{_chip(item["status"])}</td>'
        f'<td>{escape(plain(item["text"]))}<br><small class="gng-ref">{escape(item["id"])}</small></td>'
        f"<td>{checks}<small>{escape(detail(item))}</small>{more}</td></tr>"
    )


def _coverage_bar(c: CoverageWire) -> str:
    pct = round(100 * (c["ratio"] or 0))
    return (
        f'<span class="gng-bar" title="{pct}% covered"><span style="width:{pct}%"></span></span>'
        f" {c['covered']}/{c['applicable']}"
    )


def html_section(plan: PlanWire, anchors: Iterable[str] = ()) -> str:
    """The plan, in its own order: coverage per section and every item with its status.

    ``anchors``: check ids with a row ``#check-<id>`` on the page (an item links to them).
    """
    linked = set(anchors)
    rows = "".join(
        f"<tr><td>{'&nbsp;' * 4 * (len(c['section']) - 1)}{escape(c['section'][-1])}</td>"
        f"<td>{_coverage_bar(c)}</td>"
        f"<td><small>{escape(coverage_line(c).split(': ', 1)[1])}</small></td></tr>"
        for c in plan["sections"]
        if len(c["section"]) <= 3
    )
    coverage = (
        '<table class="gng-table gng-coverage"><thead><tr><th>section</th><th>covered</th>'
        f"<th>items</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    body = []
    for section, items in _by_section(plan["items"]):
        body.append(
            f'<tr class="gng-section"><th colspan="3">{escape(_section_title(section))}</th></tr>'
        )
        body += [_item_row(i, linked) for i in items]
    items_table = (
        '<table class="gng-table gng-items"><thead><tr><th>status</th><th>item</th>'
        f"<th>evidence</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    expired = "".join(f"<li>{escape(line)}</li>" for line in plan["expired"])
    gate = (
        ""
        if plan["manual_gate"]
        else "<p>Manual items are reported only (<code>manual_gate = false</code>).</p>"
    )
    return (
        f'<section class="gng-plan" id="plan"><h2>Plan: {escape(plan["title"])} '
        f"<small>({escape(plan['name'])})</small></h2>"
        f"<p><b>Coverage:</b> {escape(coverage_line(plan['overall']))}</p>{gate}"
        f"{'<ul>' + expired + '</ul>' if expired else ''}"
        f"<details open><summary>Coverage by section</summary>{coverage}</details>"
        f"<details open><summary>Every item, in the plan's order</summary>{items_table}</details>"
        "</section>"
    )
