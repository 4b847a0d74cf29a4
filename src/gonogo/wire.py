"""Plain data that crosses a boundary as builtins: a check's phase from the process that ran it
to the controller (:class:`CheckWire`, on ``report.gonogo``, also under xdist), and the run's
selection into the report (:class:`SelectionJson`, ``selection`` of evidence.json).

The engine produces them, the report renders them; neither side owns them, so that
:mod:`gonogo.report` never imports :mod:`gonogo.engine`.
"""

from __future__ import annotations

from typing import TypedDict

from gonogo.model import AttachmentWire, FindingWire


class CheckWire(TypedDict):
    """One phase (setup, call, teardown) of one check, attached to its report as ``report.gonogo``.

    ``severity`` is the effective severity (environment override, then the band a failed
    finding hit), ``default_severity`` the catalogue's; ``when`` is the pytest phase, or ``crash`` for the phase the controller adds
    when the worker running the check died.
    """

    id: str
    title: str
    severity: str
    default_severity: str
    covers: list[str]
    intrusive: bool
    markers: list[str]
    nodeid: str
    when: str
    outcome: str
    error_reason: str | None
    message: str
    duration_s: float
    target: str
    findings: list[FindingWire]
    attachments: list[AttachmentWire]


class SelectionJson(TypedDict):
    """``selection`` of evidence.json (documented in docs/evidence-schema.md)."""

    markexpr: str | None
    keyword: str | None
    deselect: list[str]
    paths: list[str]
    expected: int
    gate_tests_collected: int
    gate_tests_deselected: int
    complete: bool
    not_run: list[dict[str, str]]
    not_applicable: list[dict[str, str]]
