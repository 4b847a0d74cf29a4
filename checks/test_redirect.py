"""HTTP → HTTPS redirection of the entry point, judged on the whole redirect chain."""

from __future__ import annotations

from functools import partial

import pytest

from gonogo.probes import http
from gonogo.rules import redirect

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("redirect.https")
def test_https_redirect(gate):
    web, cfg = gate.require("web"), gate.config.headers
    start = web.http_url or http.plain_url(web.base_url)
    gate.target(start)
    follow = partial(
        http.follow_redirects,
        start,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
        max_hops=cfg.max_redirects,
    )
    gate.judge(redirect.evaluate_redirect(gate.shared(f"redirect:{start}", follow), cfg))
