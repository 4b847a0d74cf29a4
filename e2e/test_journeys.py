"""Python journeys: what a declarative journey cannot say (here: a new, unique account).

Each uses the ``browser_journey`` fixture (a fresh page of the run's browser) and ends in
``gate.judge(rules.evaluate_journey(...))``; a failed step attaches a screenshot, the steps and
the console log.
"""

from __future__ import annotations

import secrets

import pytest

from gonogo.recipes import e2e
from gonogo.rules import browser as rules

pytestmark = pytest.mark.e2e


@pytest.mark.intrusive  # it creates an account
@pytest.mark.check("e2e.signup")
def test_signup(gate, browser_journey):
    """A new user signs up on the sign-up page, then signs in with the new account."""
    path, j = e2e.signup_path(gate), browser_journey
    user, password = f"gonogo-e2e-{secrets.token_hex(4)}", secrets.token_urlsafe(18)
    j.step(f"open {path}", lambda page: page.goto(j.url(path)))
    j.step("fill the sign-up form", lambda page: e2e.fill_form(j, user, password, "#signup"))
    j.step("create the account", lambda page: page.click("#signup button[type=submit]"))
    j.step(
        "see it created", lambda page: page.get_by_text(f"Account created for {user}").wait_for()
    )
    j.step("open the shop", lambda page: page.goto(j.url("/")))
    j.step("sign in as the new user", lambda page: e2e.fill_form(j, user, password, "#login"))
    j.step("submit", lambda page: page.click("#login button[type=submit]"))
    j.step("see it signed in", lambda page: page.get_by_text(f"Signed in as {user}").wait_for())
    gate.judge(rules.evaluate_journey(e2e.finished(gate, j)))
