"""Security headers of the HTTPS page (same-origin redirects from base_url followed): one fetch
feeds every check; plus the overall grade."""

from __future__ import annotations

from functools import partial

import pytest

from gonogo.errors import ProbeRefused
from gonogo.probes import cors, http, tls
from gonogo.rules import csp, csp_parse, grade, headers, hsts, permissions

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


def _page(gate, verify=True, fresh=False):  # same key and probe as checks/test_exposure.py
    web = gate.require("web")
    gate.target(web.base_url)
    fetch = partial(
        http.fetch_page,
        web.base_url,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
        max_hops=gate.config.headers.max_redirects,
        verify=verify,
    )
    if fresh:  # a second response of the page, not the shared one
        return fetch()
    return gate.shared(f"page:{web.base_url}" + ("" if verify else ":unverified"), fetch)


@pytest.mark.check("headers.hsts")
def test_hsts(gate):
    gate.judge(hsts.evaluate_hsts(_page(gate), gate.config.headers))


@pytest.mark.check("headers.csp")
def test_csp(gate):
    page = _page(gate)
    again = _page(gate, fresh=True) if csp_parse.nonces(page) else None  # is the nonce fresh?
    gate.judge(csp.evaluate_csp(page, gate.config.headers, again))


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
    gate.judge(permissions.evaluate_permissions_policy(_page(gate), gate.config.headers))


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
    web = gate.require("web")
    gate.target(web.base_url)  # names the endpoint: fails fast when it is down
    cert = _certificate(gate)
    # a chain browsers reject is graded as the Observatory does: fetched anyway, scored down
    valid = grade.certificate_valid(cert)
    try:
        chain = _chain(gate, web, valid)
    except ProbeRefused:  # no plain-HTTP listener: the Observatory's "redirection-not-needed"
        chain = None
    page, cors = _page(gate, valid), _cors(gate, web, valid)
    gate.judge(grade.evaluate_grade(page, chain, cors, gate.config.headers, cert))


def _certificate(gate):  # same key and probe as checks/test_tls.py
    web = gate.require("web")
    ep = tls.endpoint(web.base_url, gate.config.tls.server_name)
    fetch = partial(
        tls.fetch_certificate, ep.host, ep.port, ep.server_name, web.ca_bundle, web.timeout_s
    )
    return gate.shared(f"tls.certificate:{ep}:{ep.server_name}:{web.ca_bundle}", fetch)


def _chain(gate, web, verify):  # same key and probe as checks/test_redirect.py
    start = web.http_url or http.plain_url(web.base_url)
    hops = gate.config.headers.max_redirects
    follow = partial(
        http.follow_redirects,
        start,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
        max_hops=hops,
        verify=verify,
    )
    return gate.shared(f"redirect:{start}" + ("" if verify else ":unverified"), follow)


def _cors(gate, web, verify):  # same key and probe as checks/test_cors.py
    cfg = gate.config.cors
    probe = partial(
        cors.probe_cors,
        web.base_url,
        cfg.paths(web.health_path),
        cfg.allowed_origins,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
        verify=verify,
    )
    return gate.shared(f"cors:{web.base_url}" + ("" if verify else ":unverified"), probe)
