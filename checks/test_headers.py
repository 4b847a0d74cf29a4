"""Security headers of the HTTPS page (same-origin redirects from base_url followed): one fetch
feeds every check; plus the overall grade."""

from __future__ import annotations

import pytest

from gonogo.errors import ProbeRefused
from gonogo.recipes import tls, web
from gonogo.rules import csp, csp_parse, grade, headers, hsts, permissions

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


def _page(gate, verify=True, fresh=False):
    gate.target(gate.require("web").base_url)
    return web.page(gate, verify=verify, fresh=fresh)


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
    gate.target(gate.require("web").base_url)  # names the endpoint: fails fast when it is down
    cert = tls.certificate(gate)
    # a chain browsers reject is graded as the Observatory does: fetched anyway, scored down
    valid = grade.certificate_valid(cert)
    try:
        chain = web.redirect_chain(gate, verify=valid)
    except ProbeRefused:  # no plain-HTTP listener: the Observatory's "redirection-not-needed"
        chain = None
    page, cors = _page(gate, valid), web.cors_answers(gate, verify=valid)
    gate.judge(grade.evaluate_grade(page, chain, cors, gate.config.headers, cert))
