"""The sign-off page around the fragments: its stylesheet, the sign-off block, pytest-html folded.

report.html reads as a sign-off page rather than a test log: the verdict and why, the sign-off
block, what did not pass, the plan, then what passed; pytest-html's environment, plugin and test
tables are folded into one closed ``<details>`` at the end. The stylesheet keeps the page free of
horizontal scrolling from phone width up (long ids and URLs wrap, wide tables become stacked
rows below 720 px) and prints cleanly (colours kept, the folded log left out, rows not split).
No script, no external resource.
"""

from __future__ import annotations

from html import escape

LOG_START = "<!-- gonogo:log -->"
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1"/>'

STYLE = """
<style>
body{min-width:0;max-width:1400px;margin:0 auto;padding:0 16px;color:#1f2328;
  font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;overflow-wrap:anywhere}
code{font-size:12px}
.gng-banner{padding:16px 20px;border-radius:6px;color:#fff;margin:12px 0 16px 0}
.gng-banner h1{margin:0 0 6px 0;font-size:28px;color:#fff}
.gng-banner ul{margin:6px 0 0 18px;padding:0}
.gng-banner code{color:#fff}
.gng-meta{font-size:13px;opacity:.95}
.gng-table{border-collapse:collapse;margin:8px 0 16px 0;width:100%;table-layout:fixed}
.gng-table th,.gng-table td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;
  vertical-align:top;font-size:13px;overflow-wrap:anywhere}
.gng-table th{background:#f6f8fa}
.gng-table caption{caption-side:bottom;text-align:left;font-size:12px;color:#57606a}
.gng-checks col.c-check{width:19%}.gng-checks col.c-sev{width:7%}
.gng-checks col.c-out{width:9%}.gng-checks col.c-ev{width:38%}
.gng-checks col.c-target{width:12%}.gng-checks col.c-plan{width:15%}
.gng-items col.c-status{width:11%}.gng-items col.c-item{width:42%}
.gng-coverage col.c-sec{width:45%}.gng-coverage col.c-cov{width:17%}
.gng-stages col{width:12%}
.gng-ok{color:#1a7f37}.gng-bad{color:#cf222e;font-weight:bold}
.gng-outcome{font-weight:bold}
.gng-figures{margin-top:8px}
.gng-chip{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;font-weight:bold;
  color:#fff;background:#57606a;white-space:nowrap}
.gng-s-verified,.gng-s-attested{background:#1a7f37}.gng-s-failed{background:#cf222e}
.gng-s-open{background:#bc4c00}.gng-s-waived,.gng-s-not-run{background:#9a6700}
.gng-s-not-applicable{background:#8c959f}
.gng-section th{background:#eaeef2;font-size:13px}
.gng-ref{color:#57606a}
.gng-bar{display:inline-block;width:60px;height:8px;background:#eaeef2;border-radius:4px;
  vertical-align:middle;overflow:hidden}
.gng-bar span{display:block;height:8px;background:#1a7f37}
.gng-signoff td{height:28px}
.gng-page details>summary{cursor:pointer;font-weight:bold;margin:8px 0}
.gng-page a{color:#0969da}
.gng-page h2{margin:20px 0 6px 0;font-size:18px;color:#1f2328}
.gng-log{margin:24px 0;border-top:1px solid #d0d7de;padding-top:8px}
.gng-log>summary{cursor:pointer;font-weight:bold;color:#57606a}
#results-table{table-layout:fixed}
#results-table td,#results-table th{overflow-wrap:anywhere}
@media (max-width:720px){
  body{padding:0 8px}
  .gng-table,.gng-table tbody,.gng-table tr,.gng-table td{display:block;width:auto}
  .gng-table thead,.gng-table colgroup{display:none}
  .gng-table tr{border:1px solid #d0d7de;margin-bottom:6px}
  .gng-table td,.gng-table th{border:none;display:block}
  .gng-table tr.gng-head{display:none}
  .gng-signoff td{height:auto;padding:6px 8px}
  .gng-table td[data-label]::before{content:attr(data-label) ": ";color:#57606a}
}
@media print{
  body{max-width:none;padding:0;font-size:10pt}
  .gng-log,.gng-noprint{display:none}
  .gng-banner,.gng-chip,.gng-bar span,.gng-table th{-webkit-print-color-adjust:exact;
    print-color-adjust:exact}
  .gng-table tr{break-inside:avoid}
  .gng-table th,.gng-table td{font-size:9pt}
  .gng-page h2{break-after:avoid}
  .gng-page details>summary{list-style:none}
  a{color:inherit;text-decoration:none}
}
</style>
"""


def signoff_block(verdict: str, env: str, release: str | None) -> str:
    """The sign-off block of summary.md as a table with blank lines to fill in (or print)."""
    roles = ("Release manager", "Service owner")
    blank = "".join(
        f'<td data-label="{label}"></td>' for label in ("approver", "decision", "date", "signature")
    )
    rows = "".join(f"<tr><td>{escape(role)}</td>{blank}</tr>" for role in roles)
    return (
        '<section class="gng-signoff-section"><h2>Sign-off</h2>'
        f"<p>The gate says <b>{escape(verdict)}</b> for {escape(env)}"
        f"{', release ' + escape(release) if release else ''}. The approvers decide:</p>"
        '<table class="gng-table gng-signoff"><thead><tr class="gng-head"><th>role</th>'
        "<th>approver</th><th>decision (GO / NO-GO)</th><th>date</th><th>signature</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></section>"
    )


def fold_log(page: str, anchor: str = '<h1 id="title">') -> str:
    """pytest-html's part of the page (title, environment and plugins, test table) folded into
    one closed ``<details>`` after the sign-off page (idempotent: a page folded stays so)."""
    start = page.find(anchor)
    end = page.rfind("</body>")
    if start < 0 or end < start or LOG_START in page:
        return page
    head = page.find("</head>")
    if 0 <= head < start and 'name="viewport"' not in page[:head]:
        page = page[:head] + VIEWPORT + page[head:]
        start, end = start + len(VIEWPORT), end + len(VIEWPORT)
    summary = (
        "<summary>Test log (pytest-html): environment, plugins and every test with its "
        "output</summary>"
    )
    return (
        f'{page[:start]}{LOG_START}<details class="gng-log">{summary}'
        f"{page[start:end]}</details>{page[end:]}"
    )
