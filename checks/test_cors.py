"""CORS: probed with a foreign origin, null, the allowed origins and look-alikes of them."""

from __future__ import annotations

from functools import partial

import pytest

from gonogo.probes import cors
from gonogo.rules import cors as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("cors.policy")
def test_cors_policy(gate):
    web, cfg = gate.require("web"), gate.config.cors
    paths = cfg.paths(web.health_path)
    gate.target(f"{web.base_url} {' '.join(paths)}")
    probe = partial(
        cors.probe_cors,
        web.base_url,
        paths,
        cfg.allowed_origins,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
    )
    gate.judge(rules.evaluate_cors(gate.shared(f"cors:{web.base_url}", probe), cfg))
