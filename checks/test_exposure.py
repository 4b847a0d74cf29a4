"""What the site must not serve: sensitive files, source maps, debug output on error pages."""

from __future__ import annotations

from functools import partial

import pytest

from gonogo.probes import exposure, http
from gonogo.rules import exposure as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("exposure.sensitive-paths")
def test_sensitive_paths(gate):
    web, cfg = gate.require("web"), gate.config.exposure
    gate.target(web.base_url)
    facts = exposure.probe_paths(
        web.base_url, rules.sensitive_paths(cfg), ca_bundle=web.ca_bundle, timeout=web.timeout_s
    )
    gate.judge(rules.evaluate_sensitive_paths(facts, cfg))


@pytest.mark.check("exposure.source-maps")
def test_source_maps(gate):
    web, cfg = gate.require("web"), gate.config.exposure
    gate.target(web.base_url)
    fetch = partial(  # same key and probe as checks/test_headers.py: one page fetch per run
        http.fetch_page,
        web.base_url,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
        max_hops=gate.config.headers.max_redirects,
        verify=True,
    )
    facts = exposure.find_source_maps(
        gate.shared(f"page:{web.base_url}", fetch),
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
        max_scripts=cfg.max_scripts,
    )
    gate.judge(rules.evaluate_source_maps(facts, cfg))


@pytest.mark.check("exposure.debug")
def test_debug_output(gate):
    web, cfg, cors = gate.require("web"), gate.config.exposure, gate.config.cors
    gate.target(web.base_url)
    facts = exposure.provoke_errors(
        web.base_url,
        body_paths=rules.body_paths(cfg, gate.config.cookies.login_path, cors.api_path),
        api_path=cors.api_path,
        error_paths=cfg.error_paths,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
    )
    gate.judge(rules.evaluate_debug(facts, cfg))
