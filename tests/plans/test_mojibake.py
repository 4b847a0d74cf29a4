"""Repairing emoji and punctuation that were UTF-8 encoded twice, on lines of the sample plans."""
# ruff: noqa: RUF001  (the mojibake under test is made of look-alike characters)

from __future__ import annotations

import pytest

from gonogo.plans.mojibake import repair

CASES = {
    "rocket-cp1252 (000)": ("## ðŸš€ Production Deployment Strategy", "## 🚀 Production Deployment Strategy"),
    "check-mark (001)": ("**Status**: âœ… IN PROGRESS", "**Status**: ✅ IN PROGRESS"),
    "ballot-check-in-code (001)": ('echo "âœ“ Checking environment..."', 'echo "✓ Checking environment..."'),
    "box-drawing-and-arrow (001)": ("    â”œâ”€ YES â†’ Immediate Rollback", "    ├─ YES → Immediate Rollback"),
    "bullet (001)": ("    â”‚         â€¢ Stop all traffic", "    │         • Stop all traffic"),
    "green-circle (001)": ("| Zero deployment blockers | 0 | ðŸŸ¢ Ready |", "| Zero deployment blockers | 0 | 🟢 Ready |"),
    "cp1254-lead-letter (002)": ("## ğŸ”„ Rollback Procedures", "## 🔄 Rollback Procedures"),
    "lost-byte-one-candidate-cross (002)": ("âŒ Deploy on Fridays", "❌ Deploy on Fridays"),
    "lost-byte-one-candidate-hourglass (001)": ("| 100% | â³ Pending |", "| 100% | ⏳ Pending |"),
    "lost-byte-ambiguous-is-dropped (002)": ("## ğŸ” Security Procedures", "## Security Procedures"),
    "lost-byte-ambiguous-in-a-list (001)": ("- ðŸ› Fixed campaign creation validation", "- Fixed campaign creation validation"),
    "lost-emoji-and-its-selector (003)": ("## ðŸ—ï¸ PHASE 2", "##  PHASE 2"),
    "proper-utf8-untouched (004)": ("## 📦 Deliverables ┌──┐", "## 📦 Deliverables ┌──┐"),
    "latin-text-untouched": ("Café façade ação naïve über", "Café façade ação naïve über"),
    "ascii-untouched": ("- [ ] SSL certificates valid", "- [ ] SSL certificates valid"),
}


@pytest.mark.parametrize("broken, fixed", CASES.values(), ids=CASES.keys())
def test_repair(broken: str, fixed: str) -> None:
    """Double-encoded sequences become their character; a guess is never made; text is kept."""
    assert repair(broken) == fixed


def test_repair_is_idempotent() -> None:
    """Repairing repaired text changes nothing."""
    text = repair("## ðŸš€ Go âœ… âŒ ğŸ” done")
    assert repair(text) == text
