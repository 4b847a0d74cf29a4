"""HTTP → HTTPS redirection of the entry point, judged on the whole redirect chain."""

from __future__ import annotations

import pytest

from gonogo import web
from gonogo.rules import redirect

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("redirect.https")
def test_https_redirect(gate):
    gate.target(web.redirect_start(gate))
    gate.judge(redirect.evaluate_redirect(web.redirect_chain(gate), gate.config.headers))
