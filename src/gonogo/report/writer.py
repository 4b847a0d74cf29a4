"""Every file of one run, written into its staging directory (plain data in, files out).

:func:`gonogo.report.artefacts.commit` then gives the directory the run's name and moves
``latest``; nothing here touches the run directory itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.interrupts import checkpoint
from gonogo.plans.wire import PlanWire
from gonogo.redact import Redactor
from gonogo.report import artefacts, html, junit, summary, trend
from gonogo.report import history as history_mod
from gonogo.report.artefacts import RunMeta
from gonogo.report.page import fold_log
from gonogo.verdict import CheckResult, Decision


@dataclass(frozen=True, slots=True)
class Page:
    """pytest-html's rendering of report.html, if it wrote one.

    Attributes:
        text: the page as pytest-html wrote it (its verdict banner is the one decided before
            it rendered), or None: the run ended before pytest-html could render (interrupted
            while the demo stack started, ``-p no:html``).
        user_html: the ``--html`` path the user chose, written too.
    """

    text: str | None
    user_html: Path | None = None


@dataclass(frozen=True, slots=True)
class JudgedRun:
    """What the report renders: the judged run, as plain data (the engine builds it).

    Attributes:
        results: every check's result, in run order.
        decision: the verdict and why.
        meta: what the report says about the run (environment, release, selection...).
        majors_block: ``--conditional-fails``: a major failure is red in junit.xml too.
        plan: the ``plan`` block of evidence.json (:func:`gonogo.plans.wire.to_wire`), when the
            run was judged against a plan (``--plan``).
        history: the environment's earlier runs (:func:`gonogo.report.history.load`), for the
            trend.
    """

    results: tuple[CheckResult, ...]
    decision: Decision
    meta: RunMeta
    majors_block: bool = False
    plan: PlanWire | None = None
    history: tuple[dict[str, Any], ...] = ()


def write_run(staging: Path, run: JudgedRun, *, redact: Redactor, page: Page) -> dict[str, Any]:
    """Attachments, evidence.json, junit.xml, summary.md, report.html and, last, the manifest.

    Returns this run's history line, for :func:`gonogo.report.history.append` once the run is
    committed.
    """
    results, decision, meta, plan = list(run.results), run.decision, run.meta, run.plan
    majors_block, history = run.majors_block, run.history
    staging.mkdir(parents=True, exist_ok=True)
    attachments = artefacts.write_attachments(staging, results, redact)
    document = artefacts.evidence_document(
        results=results, decision=decision, meta=meta, attachments=attachments
    )
    document["plan"] = plan
    line = history_mod.entry(document)
    artefacts.write_json(staging / "evidence.json", document, redact)
    checkpoint("writing")
    junit_text = junit.junit_xml(results, decision, meta, majors_block=majors_block)
    artefacts.write_text(staging / "junit.xml", junit_text, redact)
    artefacts.write_text(
        staging / "summary.md",
        summary.summary_markdown(
            results, decision, meta, plan, trend.markdown_lines(history, line)
        ),
        redact,
    )
    trend_html = trend.html_section(history, line)
    rendered = report_page(page.text, results, decision, meta, plan, trend_html)
    artefacts.write_text(staging / "report.html", rendered, redact)
    if page.user_html is not None:
        artefacts.write_text(page.user_html, rendered, redact)
    artefacts.write_bytes(staging / "manifest.sha256", artefacts.manifest(staging).encode("utf-8"))
    return line


def report_page(
    text: str | None,
    results: list[CheckResult],
    decision: Decision,
    meta: RunMeta,
    plan: PlanWire | None = None,
    trend_html: str = "",
) -> str:
    """pytest-html's page with the final verdict banner on top, or a page of our own."""
    if text is None:
        title = f"gonogo release gate: {meta.env}"
        return html.standalone_page(title, html.banner(decision, results, meta, plan, trend_html))
    block = html.verdict_block(decision, results, meta, plan, trend_html)
    return fold_log(html.hoist_banner(html.replace_banner(text, block)))
