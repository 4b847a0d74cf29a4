"""Smoke checks: run right after the deploy (`pytest -m smoke --env NAME`).

The endpoints are opt-in: a site that declares no ``[web] health_path`` / ``version_path`` (a
static site) has nothing to check, so the check is not applicable, never a failed blocker
(catalogue ``requires``: also when the run did not select it).
"""

from __future__ import annotations

import pytest

from gonogo.probes.smoke import fetch_json
from gonogo.rules import smoke


@pytest.mark.check("smoke.health")
def test_health(gate):
    web = gate.require("web")  # and health_path: the catalogue's requires (opt-in endpoint)
    url = web.url(web.health_path)
    gate.target(url)
    facts = fetch_json(url, ca_bundle=web.ca_bundle, timeout=web.timeout_s)
    gate.judge(smoke.evaluate_health(facts, web.health_budget_ms))


@pytest.mark.check("smoke.version")
def test_version(gate):
    web = gate.require("web")  # and version_path: the catalogue's requires (opt-in endpoint)
    url = web.url(web.version_path)
    gate.target(url)
    facts = fetch_json(url, ca_bundle=web.ca_bundle, timeout=web.timeout_s)
    gate.judge(smoke.evaluate_version(facts, gate.release))
