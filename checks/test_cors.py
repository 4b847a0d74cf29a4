"""CORS: probed with a foreign origin, null, the allowed origins and look-alikes of them."""

from __future__ import annotations

import pytest

from gonogo.recipes import web
from gonogo.rules import cors as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("cors.policy")
def test_cors_policy(gate):
    site, cfg = gate.require("web"), gate.config.cors
    gate.target(f"{site.base_url} {' '.join(cfg.paths(site.health_path))}")
    gate.judge(rules.evaluate_cors(web.cors_answers(gate), cfg))
