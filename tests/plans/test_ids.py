"""Stable item ids: the documented rule, duplicates, and ids that survive edits elsewhere."""

from __future__ import annotations

import pytest

from gonogo.plans.ids import ID_PATTERN, assign, base_id, normalise, plan_name, slug
from gonogo.plans.markdown import parse

RULE = {
    "section-and-text": (("Phase 1", "Code Freeze"), "Version number finalized", "code-freeze/version-number-finalized"),
    "emphasis-and-punctuation-dropped": (("Security Checklist",), "**HTTPS Enforcement**: SSL/TLS certificates", "security-checklist/https-enforcement-ssl-tls-certificates"),
    "emoji-and-accents-dropped": (("✅ Pre-Déploiement",), "✨ Réseau configuré", "pre-deploiement/reseau-configure"),
    "no-section": ((), "Deploy", "top/deploy"),
    "long-text-cut-at-a-word": (("Load Testing Results",), "1000 concurrent users: Response time < 2s under the peak load of launch day", "load-testing-results/1000-concurrent-users-response-time-2s-under-the"),
    "text-without-words": (("Template",), "[ ]", "template/item"),
}


@pytest.mark.parametrize("section, text, expected", RULE.values(), ids=RULE.keys())
def test_base_id(section: tuple[str, ...], text: str, expected: str) -> None:
    """Rule 1: the innermost section's slug and the text's slug, ASCII, at most 48 characters."""
    assert base_id(section, text) == expected
    assert ID_PATTERN.match(expected)
    assert len(expected.split("/")[1]) <= 48


def test_same_words_under_sections_of_the_same_name_get_digests() -> None:
    """Rule 2: equal base ids under different section paths differ by a digest of the path."""
    parsed = parse(
        "## Pre-Deployment\n### Monitoring\n- [ ] Dashboards created\n"
        "## Deployment Day\n### Monitoring\n- [ ] Dashboards created\n"
    )
    first, second = assign(parsed.items)
    assert first != second
    assert first.startswith("monitoring/dashboards-created~") and ID_PATTERN.match(first)
    assert second.startswith("monitoring/dashboards-created~") and ID_PATTERN.match(second)


def test_identical_items_in_one_section_are_numbered() -> None:
    """Rule 3: the same text twice in the same section: the second one is numbered."""
    parsed = parse("### Checks\n- [ ] Backup verified\n- [ ] Backup verified\n- [ ] Backup verified\n")
    ids = assign(parsed.items)
    assert ids[0] + "-2" == ids[1] and ids[0] + "-3" == ids[2]
    assert all(ID_PATTERN.match(i) for i in ids)


def test_ids_survive_changes_above_and_cosmetic_edits() -> None:
    """Lines added above, other sections renamed, case/emphasis/emoji changes: same ids."""
    before = parse("## Phase 1\n### Infrastructure\n- [ ] SSL certificates valid\n- [ ] CDN configured\n")
    after = parse(
        "# New title\n\nIntro paragraph.\n\n## Phase 0\n### Kickoff\n- [ ] Meeting held\n\n"
        "## Phase One (renamed)\n### âœ… Infrastructure\n- [ ] **SSL Certificates Valid**\n"
        "- [ ] CDN configured.\n"
    )
    assert assign(before.items) == assign(after.items)[1:]


def test_normalise_and_slug() -> None:
    """Normalised text is the lower-case ASCII words; a slug joins them with dashes."""
    assert normalise("**Security Headers**: HSTS, CSP, X-Frame-Options") == (
        "security headers hsts csp x frame options"
    )
    assert slug("X-Frame-Options: DENY") == "x-frame-options-deny"
    assert plan_name("Alaska Pay - Production Deployment Procedures") == (
        "alaska-pay-production-deployment"
    )
