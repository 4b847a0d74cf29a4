"""report.html is a sign-off page: what did not pass first, no horizontal scrolling in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.plan_project import plan_toml
from engine.project import CATALOGUE, CHECKS, latest, make_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CHROMIUM = "/usr/bin/chromium"
# a failing finding with one long unbroken token, and a long target: the page must wrap them
LONG_ENTRY = """
["t.long"]
title = "reports a very long value"
severity = "major"
markers = ["predeploy"]
"""
LONG_CHECK = """

@pytest.mark.check("t.long")
def test_long(gate):
    gate.target("https://very-long-host-name.example.com/" + "segment/" * 30)
    gate.judge([compare("token_" + "x" * 300, 5, Comparison.LE, 1)])
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Real Chromium through playwright (the sign-off page is looked at as a browser shows it)."""
    if not Path(CHROMIUM).exists():  # scripts/ensure-system-packages.sh installs it
        pytest.fail(f"{CHROMIUM} is missing: run make setup")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        args += ["--disable-component-update", "--disable-sync", "--no-first-run"]
        args += ["--disable-dev-shm-usage"]
        instance = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            yield instance
        finally:
            instance.close()


def _run(pytester: pytest.Pytester) -> Path:
    root = make_project(
        pytester,
        checks=CHECKS + LONG_CHECK,
        catalogue=CATALOGUE + LONG_ENTRY,
        extra_files={"plans/p.toml": plan_toml()},
    )
    pytester.runpytest("--env", "t", "--plan", "p")
    return latest(root) / "report.html"


def test_not_passed_first_and_pytest_html_folded(pytester: pytest.Pytester) -> None:
    """Failed majors come before passed blockers; the sign-off block is there; pytest-html's
    environment and test tables are folded in a closed <details> after the sign-off page."""
    page = _run(pytester).read_text()
    attention = page.index("Needs attention")
    assert attention < page.index('id="check-t.fail-major"') < page.index("Passed and not")
    assert page.index("Passed and not") < page.index('id="check-t.pass"')
    assert page.index("<h2>Sign-off</h2>") < attention
    assert page.index('id="plan"') < page.index("Passed and not")
    fold = page.index('<details class="gng-log">')
    assert fold > page.index('id="check-t.pass"')
    assert page.index('id="environment"') > fold and page.index('id="results-table"') > fold
    assert "@media print" in page and 'name="viewport"' in page
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", page)  # nothing fetched


@pytest.mark.parametrize("width", [1280, 1920, 390])
def test_no_horizontal_scrolling(pytester: pytest.Pytester, browser: Any, width: int) -> None:
    """At 1280 and 1920 px and at a phone's width the page never scrolls sideways."""
    html = _run(pytester)
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(html.as_uri())
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{scroll} px wide content in a {client} px window"
        page.emulate_media(media="print")
        assert page.locator(".gng-log").is_hidden()  # the folded log is not printed
    finally:
        page.close()


def test_standalone_page_without_pytest_html(pytester: pytest.Pytester) -> None:
    """With -p no:html the sign-off page is written all the same, complete and self-contained."""
    root = make_project(pytester, extra_files={"plans/p.toml": plan_toml()})
    pytester.runpytest("--env", "t", "--plan", "p", "-p", "no:html")
    page = (latest(root) / "report.html").read_text()
    assert "Needs attention" in page and 'id="plan"' in page and "<h2>Sign-off</h2>" in page
