"""HTTP → HTTPS redirection of the entry point, judged on the whole redirect chain."""

from __future__ import annotations

import pytest

from gonogo.recipes import web
from gonogo.rules import redirect

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("redirect.https")
def test_https_redirect(gate):
    gate.target(web.redirect_start(gate))
    chain = web.plain_http(gate)  # None: no plain-HTTP listener, judged by the page's HSTS
    page = web.page(gate) if chain is None else None
    gate.judge(redirect.evaluate_redirect(chain, gate.config.headers, page))
