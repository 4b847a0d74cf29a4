"""Security headers of the HTTPS entry page: one fetch feeds every check; plus the overall grade."""

from __future__ import annotations

from functools import partial

import pytest

from gonogo.errors import ProbeRefused
from gonogo.probes import http
from gonogo.rules import csp, grade, headers

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


def _page(gate):  # same key and probe as checks/test_exposure.py: one fetch per run
    web = gate.require("web")
    gate.target(web.base_url)
    fetch = partial(http.fetch, web.base_url, ca_bundle=web.ca_bundle, timeout=web.timeout_s)
    return gate.shared(f"https:{web.base_url}", fetch)


@pytest.mark.check("headers.hsts")
def test_hsts(gate):
    gate.judge(headers.evaluate_hsts(_page(gate), gate.config.headers))


@pytest.mark.check("headers.csp")
def test_csp(gate):
    gate.judge(csp.evaluate_csp(_page(gate), gate.config.headers))


@pytest.mark.check("headers.frame")
def test_frame(gate):
    gate.judge(headers.evaluate_frame(_page(gate), gate.config.headers))


@pytest.mark.check("headers.content-type-options")
def test_content_type_options(gate):
    gate.judge(headers.evaluate_content_type_options(_page(gate), gate.config.headers))


@pytest.mark.check("headers.referrer-policy")
def test_referrer_policy(gate):
    gate.judge(headers.evaluate_referrer_policy(_page(gate), gate.config.headers))


@pytest.mark.check("headers.permissions-policy")
def test_permissions_policy(gate):
    gate.judge(headers.evaluate_permissions_policy(_page(gate), gate.config.headers))


@pytest.mark.check("headers.cross-origin")
def test_cross_origin(gate):
    gate.judge(headers.evaluate_cross_origin(_page(gate), gate.config.headers))


@pytest.mark.check("headers.disclosure")
def test_disclosure(gate):
    gate.judge(headers.evaluate_disclosure(_page(gate), gate.config.headers))


@pytest.mark.check("headers.xss-protection")
def test_xss_protection(gate):
    gate.judge(headers.evaluate_xss_protection(_page(gate), gate.config.headers))


@pytest.mark.check("headers.grade")
def test_grade(gate):
    web, page = gate.require("web"), _page(gate)
    try:
        chain = _chain(gate, web)
    except ProbeRefused:  # no plain-HTTP listener: the Observatory's "redirection-not-needed"
        chain = None
    gate.judge(grade.evaluate_grade(page, chain, _cors(gate, web), gate.config.headers))


def _chain(gate, web):  # same key and probe as checks/test_redirect.py
    start = web.http_url or http.plain_url(web.base_url)
    hops = gate.config.headers.max_redirects
    follow = partial(
        http.follow_redirects, start, ca_bundle=web.ca_bundle, timeout=web.timeout_s, max_hops=hops
    )
    return gate.shared(f"redirect:{start}", follow)


def _cors(gate, web):  # same key and probe as checks/test_cors.py
    cfg = gate.config.cors
    paths = cfg.paths(web.health_path)
    probe = partial(
        http.probe_cors,
        web.base_url,
        paths,
        cfg.allowed_origins,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
    )
    return gate.shared(f"cors:{web.base_url}", probe)
