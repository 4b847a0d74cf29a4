"""Smoke checks: run right after the deploy (`pytest -m smoke --env NAME`).

The endpoints are opt-in: a site that declares no ``[web] health_path`` / ``version_path`` (a
static site) has nothing to check, so the check is not applicable, never a failed blocker
(catalogue ``requires``: also when the run did not select it).
"""

from __future__ import annotations

import pytest

from gonogo.probes.smoke import fetch_json
from gonogo.recipes import smoke as recipe
from gonogo.recipes import web
from gonogo.rules import smoke


@pytest.mark.check("smoke.health")
def test_health(gate):
    cfg = gate.require("web")  # and health_path: the catalogue's requires (opt-in endpoint)
    site = web.site(gate, cfg.url(cfg.health_path))
    gate.target(site.url)
    gate.judge(smoke.evaluate_health(fetch_json(site), cfg.health_budget_ms))


@pytest.mark.check("smoke.version")
def test_version(gate):
    cfg = gate.require("web")  # and version_path: the catalogue's requires (opt-in endpoint)
    site = web.site(gate, cfg.url(cfg.version_path))
    gate.target(site.url)
    recipe.ready(gate)  # after smoke.readiness: a site still starting has no version yet
    gate.judge(smoke.evaluate_version(fetch_json(site), gate.release))
