"""What the site must not serve: sensitive files, source maps, debug output on error pages."""

from __future__ import annotations

import pytest

from gonogo.probes import exposure
from gonogo.recipes import web
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
    site, cfg = gate.require("web"), gate.config.exposure
    gate.target(site.base_url)
    facts = exposure.find_source_maps(
        web.page(gate),  # the page headers.* judge, fetched once
        ca_bundle=site.ca_bundle,
        timeout=site.timeout_s,
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
