"""The API smoke journey: each declared endpoint (one test instance per `[[smoke.endpoints]]`
entry, its name in the test id), the synthetic account's log-in and its log-out.

Each check first waits for the site to be ready (`recipe.ready`, shared with smoke.readiness).
"""

from __future__ import annotations

import pytest

from gonogo.probes import api as probe
from gonogo.recipes import smoke as recipe
from gonogo.rules import api


@pytest.mark.check("smoke.endpoint")
@pytest.mark.each("smoke.endpoints")
def test_endpoint(gate, entry):
    web, cfg = gate.require("web"), gate.require("smoke")
    gate.target(web.url(entry.path))
    recipe.ready(gate)
    session = recipe.session(gate) if entry.auth else None
    gate.judge(api.evaluate_endpoint(probe.call(web, cfg, entry, session), entry))


@pytest.mark.check("smoke.login")
def test_login(gate):
    web, login = gate.require("web"), gate.require("smoke").login  # catalogue: smoke.login
    gate.target(web.url(login.path))
    recipe.ready(gate)
    gate.judge(api.evaluate_login(recipe.session_facts(gate), login))


@pytest.mark.check("smoke.logout")
def test_logout(gate):
    web, cfg = gate.require("web"), gate.require("smoke")
    gate.target(web.url(cfg.login.logout_path or cfg.login.path))
    recipe.ready(gate)
    gate.judge(api.evaluate_logout(probe.log_out(web, cfg, cfg.login), cfg.login))
