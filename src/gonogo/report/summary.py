"""summary.md (the sign-off sheet) and the terminal verdict table."""

from __future__ import annotations

from collections.abc import Sequence

from gonogo.model import Outcome, Severity
from gonogo.plans.wire import PlanWire
from gonogo.report import plan as plan_report
from gonogo.report.artefacts import (
    OUTCOME_COLUMNS,
    STAGE_NOTE,
    RunMeta,
    counts_by_stage,
    key_figures,
)
from gonogo.verdict import CheckResult, Decision, describe_waiver


def stage_table(results: list[CheckResult]) -> list[list[str]]:
    rows = [["stage", *OUTCOME_COLUMNS]]
    for stage, counts in counts_by_stage(results).items():
        rows.append([stage, *(str(counts[o]) for o in OUTCOME_COLUMNS)])
    return rows


def _md_table(rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows[1:]]
    return out


def _evidence_line(result: CheckResult) -> str:
    failed = [f["message"] for f in result.evidence if not f["ok"]]
    if failed:
        return "; ".join(failed)
    return result.message or "; ".join(f["message"] for f in result.evidence[:2])


def describe_selection(meta: RunMeta) -> list[str]:
    """The options that chose the gate tests, e.g. ``-k `not hsts```; empty for the defaults."""
    chosen = meta.selection
    if chosen is None:
        return []
    parts = []
    if chosen["markexpr"]:
        parts.append(f"-m `{chosen['markexpr']}`")
    if chosen["keyword"]:
        parts.append(f"-k `{chosen['keyword']}`")
    parts += [f"--deselect `{d}`" for d in chosen["deselect"]]
    parts += [f"path `{p}`" for p in chosen["paths"]]
    return parts


def selection_lines(meta: RunMeta) -> list[str]:
    """The "Selection" section: options, gate tests collected and deselected, checks not run."""
    chosen = meta.selection
    if chosen is None:
        return []
    options = describe_selection(meta)
    out = [
        "## Selection",
        "",
        f"- Options: {', '.join(options) if options else 'none (every gate test of the suite)'}",
        f"- Gate tests: {chosen['gate_tests_collected']} collected, "
        f"{chosen['gate_tests_deselected']} deselected",
    ]
    left_out = chosen.get("not_applicable", [])
    if chosen["complete"] and left_out:
        applicable = chosen["expected"] - len(left_out)
        out.append(f"- Every one of the {applicable} applicable catalogue checks selected ran")
    elif chosen["complete"]:
        out.append(f"- Every one of the {chosen['expected']} catalogue checks selected ran")
    else:
        out.append("- Not run (catalogue checks of the selected stages):")
        out += [
            f"  - `{n['id']}` ({n['severity']}): {n['why']}"
            for n in sorted(
                chosen["not_run"], key=lambda n: (Severity(n["severity"]).rank, n["id"])
            )
        ]
    if left_out:
        out.append("- Not applicable, and left out by the selection:")
        groups: dict[str, list[str]] = {}
        for item in left_out:
            groups.setdefault(item["why"], []).append(f"`{item['id']}`")
        out += [f"  - {why}: {', '.join(ids)}" for why, ids in groups.items()]
    return [*out, ""]


def summary_markdown(
    results: list[CheckResult],
    decision: Decision,
    meta: RunMeta,
    plan: PlanWire | None = None,
    trend: Sequence[str] = (),
) -> str:
    verdict = decision.verdict.value
    out = [
        f"# Release gate: **{verdict}** ({meta.env})",
        "",
        f"- Release: `{meta.release or 'not set'}`",
        f"- Run: `{meta.run_id}`, {meta.started_at} → {meta.finished_at}",
        f"- gonogo {meta.gonogo_version}, suite commit `{meta.suite_commit or 'unknown'}`",
        f"- Environment marked sensitive: {'yes' if meta.sensitive else 'no'}",
        "",
        "## Why",
        "",
        *[f"- {reason}" for reason in decision.reasons],
        "",
    ]
    out += selection_lines(meta)
    figures = key_figures(results)
    if figures:
        out += ["## Key figures", ""]
        out += [f"- `{check_id}`: {finding['message']}" for check_id, finding in figures]
        out.append("")
    out += [
        "## Checks by stage",
        "",
        *_md_table(stage_table(results)),
        "",
        f"_{STAGE_NOTE[0].upper()}{STAGE_NOTE[1:]}._",
        "",
    ]
    attention = [r for r in results if r.outcome.unverified or r.outcome is Outcome.WAIVED]
    attention.sort(key=lambda r: (r.severity.rank, r.id))
    if attention:
        rows = [["check", "severity", "outcome", "evidence"]]
        rows += [
            [f"`{r.id}`", r.severity.value, r.outcome.value, _evidence_line(r)] for r in attention
        ]
        out += ["## Needs attention", "", *_md_table(rows), ""]
    waived = [r for r in results if r.waiver]
    out += ["## Waivers", ""]
    if waived or decision.expired_waivers:
        out += [f"- `{r.id}` ({r.severity.value}) {describe_waiver(r)}" for r in waived]
        out += [f"- {line}" for line in decision.expired_waivers]
    else:
        out.append("- none")
    out.append("")
    out += trend  # the headline numbers over the last runs (gonogo.report.trend)
    if plan is not None:
        out += plan_report.markdown_lines(plan)
    blockers = sum(r.severity is Severity.BLOCKER for r in results)
    out += [
        "## Sign-off",
        "",
        f"{len(results)} checks ran ({blockers} blockers). Evidence: `report.html`, `evidence.json`, "
        "`junit.xml`; integrity: `manifest.sha256`.",
        "",
        "| role | name | decision (GO / NO-GO) | date | signature |",
        "|---|---|---|---|---|",
        "| Release manager | | | | |",
        "| Service owner | | | | |",
        "",
    ]
    return "\n".join(out)


def terminal_lines(results: list[CheckResult], decision: Decision) -> list[str]:
    rows = stage_table(results)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.rjust(w) if i else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.append(f"({STAGE_NOTE})")
    lines.append("")
    lines += [f"- {reason}" for reason in decision.reasons[:20]]
    if len(decision.reasons) > 20:
        lines.append(f"- ... {len(decision.reasons) - 20} more in summary.md")
    return lines
