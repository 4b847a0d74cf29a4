"""The grading table: every header, cookie, CORS and redirect situation graded as the table says,
next to the Observatory's result, and the document rendered from it is current."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import graded
from grading_table import ROWS, WHY, Row, agrees, findings, observatory_code, render, severities

ROOT = Path(__file__).resolve().parents[2]
SEVERITY = severities()


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.check}:{r.situation}" for r in ROWS])
def test_gonogo_grades_the_situation(row: Row) -> None:
    """gonogo's rule gives the situation the table's result (pass, warn, major or blocker)."""
    found = findings(row)
    assert graded(found, SEVERITY[row.check]) == row.expected, [
        (f.message, f.severity) for f in found if not f.ok
    ]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.check}:{r.situation}" for r in ROWS])
def test_observatory_reads_the_situation(row: Row) -> None:
    """The Observatory's result code in the table is what gonogo's emulation of its analyzer
    gives, and a row where gonogo differs from it says why (and only such a row)."""
    assert observatory_code(row) == row.code
    assert (agrees(row.expected, row.code) is False) == bool(row.why) or row.why in ("strict", "required"), (
        "a difference without a reason, or a reason without a difference"
    )
    assert not row.why or row.why in WHY


def test_table_is_large_and_named() -> None:
    """At least 150 situations, each named once per check."""
    names = [(r.check, r.situation) for r in ROWS]
    assert len(ROWS) >= 150 and len(set(names)) == len(names)


def test_document_is_current() -> None:
    """docs/security-grading.md is exactly what the table renders (run `make docs`)."""
    assert (ROOT / "docs" / "security-grading.md").read_text() == render(), "stale: run `make docs`"
