"""The markdown reader on real snippets of the five sample plans: every construct they use."""

from __future__ import annotations

import time

import pytest

from gonogo.plans.markdown import parse
from gonogo.plans.model import ItemKind
from wallclock import ends_within

C, S, T = ItemKind.CHECKBOX, ItemKind.STEP, ItemKind.TABLE

# (markdown, [(section, text, kind, ticked)]): snippets copied from ../shared/plans, some
# with one mark changed to exercise a variant the five plans do not use ([x], *, +, tables)
CASES = {
    "dash-checkboxes-under-headings (000)": (
        "# Biddt Deployment Plan\n\n## Phase 1: Pre-Deployment (Week 1)\n\n"
        "### Security Team Tasks\n- [ ] Final security audit\n- [ ] Penetration testing\n",
        [
            (("Phase 1: Pre-Deployment (Week 1)", "Security Team Tasks"), "Final security audit", C, False),
            (("Phase 1: Pre-Deployment (Week 1)", "Security Team Tasks"), "Penetration testing", C, False),
        ],
    ),
    "ticked-star-and-plus-boxes (002 variant)": (
        "#### Code Freeze\n* [x] All features complete and merged\n+ [X] No new features added\n"
        "- [ ] Version number finalized\n",
        [
            (("Code Freeze",), "All features complete and merged", C, True),
            (("Code Freeze",), "No new features added", C, True),
            (("Code Freeze",), "Version number finalized", C, False),
        ],
    ),
    "nested-checkboxes-under-a-bold-group (001)": (
        "### âœ… Pre-Deployment (Dec 30)\n\n- [ ] **Code & Build**\n"
        "  - [ ] All tests passing (100%)\n  - [ ] Version tagged in git\n\n"
        "- [ ] **Infrastructure**\n  - [ ] SSL/TLS certificates installed\n",
        [
            (("Pre-Deployment (Dec 30)",), "**Code & Build**", C, False),
            (("Pre-Deployment (Dec 30)", "Code & Build"), "All tests passing (100%)", C, False),
            (("Pre-Deployment (Dec 30)", "Code & Build"), "Version tagged in git", C, False),
            (("Pre-Deployment (Dec 30)",), "**Infrastructure**", C, False),
            (("Pre-Deployment (Dec 30)", "Infrastructure"), "SSL/TLS certificates installed", C, False),
        ],
    ),
    "checklist-in-a-bash-fence-with-a-comment-label (003)": (
        "#### Database Security\n```bash\n# MongoDB Production Checklist\n"
        "- [ ] Authentication enabled\n- [ ] Encryption in transit (TLS)\n```\n",
        [
            (("Database Security", "MongoDB Production Checklist"), "Authentication enabled", C, False),
            (("Database Security", "MongoDB Production Checklist"), "Encryption in transit (TLS)", C, False),
        ],
    ),
    "numbered-labels-inside-a-javascript-fence (003)": (
        "#### Backend Security\n```javascript\n// Key areas to verify:\n\n1. CORS Configuration\n"
        "   - [ ] Whitelist production frontend domain only\n   - [ ] Remove * wildcard\n\n"
        "2. Headers Security\n   - [ ] Content-Security-Policy\n```\n",
        [
            (("Backend Security", "CORS Configuration"), "Whitelist production frontend domain only", C, False),
            (("Backend Security", "CORS Configuration"), "Remove * wildcard", C, False),
            (("Backend Security", "Headers Security"), "Content-Security-Policy", C, False),
        ],
    ),
    "bare-boxes-under-team-labels-in-a-fence (003)": (
        "#### Training Checklist\n```\nDevelopment Team:\n  [ ] Production deployment procedure\n\n"
        "Operations Team:\n  [ ] Backup & restore procedures\n```\n",
        [
            (("Training Checklist", "Development Team"), "Production deployment procedure", C, False),
            (("Training Checklist", "Operations Team"), "Backup & restore procedures", C, False),
        ],
    ),
    "numbered-steps (000)": (
        "### Deployment Steps\n1. Deploy backend to staging\n2. Deploy mobile app to TestFlight/Internal Testing\n",
        [
            (("Deployment Steps",), "Deploy backend to staging", S, None),
            (("Deployment Steps",), "Deploy mobile app to TestFlight/Internal Testing", S, None),
        ],
    ),
    "numbered-steps-with-code-between (002)": (
        "#### Deployment Steps\n\n1. **Deploy Web Application**\n```bash\n# Build production bundle\n"
        "npm run build\n```\n\n2. **Deploy Database Migrations**\n```bash\n# Run migrations\n"
        "npx supabase db push\n```\n",
        [
            (("Deployment Steps",), "**Deploy Web Application**", S, None),
            (("Deployment Steps",), "**Deploy Database Migrations**", S, None),
        ],
    ),
    "numbered-line-labels-the-boxes-after-it (002)": (
        "#### Post-Deployment (Immediate)\n\n1. **Smoke Tests** (First 15 minutes)\n"
        "- [ ] Homepage loads\n- [ ] User login works\n\n2. **Monitoring** (First hour)\n"
        "- [ ] Error rates normal\n\n3. **Gradual Rollout**\n```bash\n# Enable for 10% of users\n```\n",
        [
            (("Post-Deployment (Immediate)", "Smoke Tests (First 15 minutes)"), "Homepage loads", C, False),
            (("Post-Deployment (Immediate)", "Smoke Tests (First 15 minutes)"), "User login works", C, False),
            (("Post-Deployment (Immediate)", "Monitoring (First hour)"), "Error rates normal", C, False),
            (("Post-Deployment (Immediate)",), "**Gradual Rollout**", S, None),
        ],
    ),
    "bold-paragraph-labels-duplicate-steps (001)": (
        "## Contingency Planning\n\n**If Deployment Fails**:\n1. Immediately execute rollback script\n"
        "2. Investigate root cause\n\n**If Performance Issues Occur**:\n1. Monitor metrics closely\n"
        "2. Investigate root cause\n",
        [
            (("Contingency Planning", "If Deployment Fails"), "Immediately execute rollback script", S, None),
            (("Contingency Planning", "If Deployment Fails"), "Investigate root cause", S, None),
            (("Contingency Planning", "If Performance Issues Occur"), "Monitor metrics closely", S, None),
            (("Contingency Planning", "If Performance Issues Occur"), "Investigate root cause", S, None),
        ],
    ),
    "duplicate-items-under-different-sections (004)": (
        "## ðŸ“¦ Deliverables\n- [ ] User documentation\n\n### Launch Preparation\n"
        "- [ ] User documentation\n",
        [
            (("Deliverables",), "User documentation", C, False),
            (("Deliverables", "Launch Preparation"), "User documentation", C, False),
        ],
    ),
    "table-with-checkbox-cells (001 variant)": (
        "### Success Criteria\n\n| Done | Criterion | Target |\n|------|-----------|--------|\n"
        "| [x] | Zero deployment blockers | 0 |\n| [ ] | Rollback procedures tested | Yes |\n"
        "| Monitoring configured | 100% | [ ] |\n| Documentation complete | 100% | ðŸŸ¡ In Progress |\n",
        [
            (("Success Criteria",), "Zero deployment blockers | 0", T, True),
            (("Success Criteria",), "Rollback procedures tested | Yes", T, False),
            (("Success Criteria",), "Monitoring configured | 100%", T, False),
        ],
    ),
    "plain-bullets-and-code-comments-are-not-items (000, 001)": (
        "### Criteria for Rollback\n- Error rate > 1%\n- API response time > 500ms\n\n"
        "```bash\n# 1. Create backup\npg_dump merchants_prod > backup.sql\n```\n",
        [],
    ),
    "report-template-placeholders-in-a-fence (002)": (
        "### Template\n```markdown\n# Deployment Report - [Date]\n\n## Lessons Learned\n- [Lesson 1]\n\n"
        "## Action Items\n- [ ] [Action 1]\n- [ ] [Action 2]\n```\n",
        [
            (("Template", "Action Items"), "[Action 1]", C, False),
            (("Template", "Action Items"), "[Action 2]", C, False),
        ],
    ),
    "setext-headings-and-crlf": (
        "\ufeffLaunch\r\n======\r\n\r\nFinal Checks\r\n------------\r\n- [ ] Support team briefed\r\n",
        [(("Final Checks",), "Support team briefed", C, False)],
    ),
    "emoji-double-encoded-with-a-lost-byte (002)": (
        "## ğŸ” Security Procedures\n\n### Production Access\n- [ ] MFA enabled for all admin accounts\n",
        [(("Security Procedures", "Production Access"), "MFA enabled for all admin accounts", C, False)],
    ),
    "fence-closes-a-checkbox-list": (
        "### Checks\n- [ ] Outside\n\n```\n- [ ] Inside\n```\n",
        [(("Checks",), "Outside", C, False), (("Checks",), "Inside", C, False)],
    ),
}


@pytest.mark.parametrize("markdown, expected", CASES.values(), ids=CASES.keys())
def test_items(markdown: str, expected: list[tuple[tuple[str, ...], str, ItemKind, bool | None]]) -> None:
    """Each construct yields exactly the items, sections, kinds and ticks the plan means."""
    got = [(i.section, i.text, i.kind, i.ticked) for i in parse(markdown).items]
    assert got == expected


def test_title_is_the_only_h1_and_leaves_the_section_paths() -> None:
    """The plan's single # heading is its title, not a section of every item."""
    parsed = parse("# ðŸš€ Phase 5 Task 7: Deployment Preparation\n## Database\n- [ ] Indexes created\n")
    assert parsed.title == "Phase 5 Task 7: Deployment Preparation"
    assert parsed.items[0].section == ("Database",)


def test_parents_and_lines() -> None:
    """A nested checkbox knows the checkbox it is under, and every item its line number."""
    parsed = parse("## A\n\n- [ ] **Group**\n  - [ ] child one\n    - [ ] grandchild\n- [ ] after\n")
    assert [(i.text, i.parent, i.line) for i in parsed.items] == [
        ("**Group**", None, 3),
        ("child one", 0, 4),
        ("grandchild", 1, 5),
        ("after", None, 6),
    ]


def test_plain_bullets_are_counted() -> None:
    """Plain bullets outside code blocks are counted so an import can say they are not items."""
    assert parse("- one\n- two\n  - three\n- [ ] item\n").bullets == 3


HOSTILE = {
    "spaces-inside-a-checkbox": "- [ ] a" + " " * 300_000 + "b\n",
    "spaces-inside-a-heading": "## a" + " " * 300_000 + "b ##\n",
    "unclosed-emphasis": "- [ ] " + "*a " * 300_000 + "\n",
    "unclosed-underscores": "- [ ] " + "_a " * 300_000 + "\n",
    "unclosed-links": "- [ ] " + "[a](" * 300_000 + "\n",
    "nested-brackets": "- [ ] " + "[" * 300_000 + "](x\n",
    "many-table-boxes": "|" + " [ ] |" * 200_000 + "\n",
}


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_lines_never_hang(markdown: str) -> None:
    """A 2 MiB plan of pathological lines is read in linear time (a quadratic pattern would take
    hours): this bounds the time only to prove it ends."""
    started = time.monotonic()
    parse(markdown)
    assert time.monotonic() - started < ends_within(0)
