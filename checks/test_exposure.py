"""What the site must not serve: sensitive files, source maps, debug output on error pages."""

from __future__ import annotations

from functools import partial

import pytest

from gonogo.probes import http
from gonogo.rules import exposure

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("exposure.sensitive-paths")
def test_sensitive_paths(gate):
    web, cfg = gate.require("web"), gate.config.exposure
    gate.target(web.base_url)
    facts = http.probe_paths(
        web.base_url, exposure.sensitive_paths(cfg), ca_bundle=web.ca_bundle, timeout=web.timeout_s
    )
    gate.judge(exposure.evaluate_sensitive_paths(facts, cfg))


@pytest.mark.check("exposure.source-maps")
def test_source_maps(gate):
    web, cfg = gate.require("web"), gate.config.exposure
    gate.target(web.base_url)
    fetch = partial(
        http.fetch, web.base_url, ca_bundle=web.ca_bundle, timeout=web.timeout_s
    )  # as in test_headers.py
    facts = http.find_source_maps(
        gate.shared(f"https:{web.base_url}", fetch),
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
        max_scripts=cfg.max_scripts,
    )
    gate.judge(exposure.evaluate_source_maps(facts, cfg))


@pytest.mark.check("exposure.debug")
def test_debug_output(gate):
    web, cfg, cors = gate.require("web"), gate.config.exposure, gate.config.cors
    gate.target(web.base_url)
    facts = http.provoke_errors(
        web.base_url,
        body_paths=exposure.body_paths(cfg, gate.config.cookies.login_path, cors.api_path),
        api_path=cors.api_path,
        error_paths=cfg.error_paths,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
    )
    gate.judge(exposure.evaluate_debug(facts, cfg))
