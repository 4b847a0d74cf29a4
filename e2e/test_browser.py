"""Browser checks: each page declared in ``[[e2e.pages]]`` loaded by Chromium, as a desktop
and as a phone (gonogo.recipes.e2e); one test instance per page (``test_page[home]``)."""

from __future__ import annotations

import pytest

from gonogo.recipes import e2e
from gonogo.rules import browser as rules

pytestmark = pytest.mark.e2e
each_page = pytest.mark.each("e2e.pages")


@each_page
@pytest.mark.check("e2e.page")
def test_page(gate, entry):
    facts = e2e.page(gate, entry)
    e2e.screenshot(gate, facts, entry)
    gate.judge(rules.evaluate_page(facts))


@each_page
@pytest.mark.check("e2e.console")
def test_console(gate, entry):
    gate.judge(rules.evaluate_console(e2e.page(gate, entry)))


@each_page
@pytest.mark.check("e2e.mixed-content")
def test_mixed_content(gate, entry):
    gate.judge(rules.evaluate_mixed_content(e2e.page(gate, entry)))


@each_page
@pytest.mark.check("e2e.vitals")
def test_vitals(gate, entry):
    gate.judge(rules.evaluate_vitals(e2e.vitals(gate, entry), gate.require("e2e")))


@each_page
@pytest.mark.check("e2e.mobile")
def test_mobile(gate, entry):
    gate.judge(rules.evaluate_mobile(e2e.phone(gate, entry)))


@each_page
@pytest.mark.check("e2e.a11y")
def test_a11y(gate, entry):
    gate.judge(rules.evaluate_a11y(e2e.accessibility(gate, entry), gate.require("e2e").a11y_impact))


@pytest.mark.each("e2e.journeys")
@pytest.mark.check("e2e.journey")
def test_journey(gate, entry):
    gate.judge(rules.evaluate_journey(e2e.declarative(gate, entry)))
