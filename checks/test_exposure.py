"""What the site must not serve: sensitive files, source maps, debug output on error pages."""

from __future__ import annotations

import pytest

from gonogo.probes import exposure
from gonogo.recipes import web
from gonogo.rules import exposure as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("exposure.sensitive-paths")
def test_sensitive_paths(gate):
    site, cfg = web.site(gate), gate.config.exposure
    gate.target(site.url)
    facts = exposure.probe_paths(site, rules.sensitive_paths(cfg))
    gate.judge(rules.evaluate_sensitive_paths(facts, cfg))


@pytest.mark.check("exposure.source-maps")
def test_source_maps(gate):
    site, cfg = web.site(gate), gate.config.exposure
    gate.target(site.url)
    page = web.page(gate)  # the page headers.* judge, fetched once
    facts = exposure.find_source_maps(site, page, max_scripts=cfg.max_scripts)
    gate.judge(rules.evaluate_source_maps(facts, cfg))


@pytest.mark.check("exposure.debug")
def test_debug_output(gate):
    site, cfg, cors = web.site(gate), gate.config.exposure, gate.config.cors
    gate.target(site.url)
    facts = exposure.provoke_errors(
        site,
        body_paths=rules.body_paths(cfg, gate.config.cookies.login_path, cors.api_path),
        api_path=cors.api_path,
        error_paths=cfg.error_paths,
    )
    gate.judge(rules.evaluate_debug(facts, cfg))
