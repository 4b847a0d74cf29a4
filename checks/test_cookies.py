"""Flags of every cookie set by the configured pages and the login flow."""

from __future__ import annotations

import pytest

from gonogo.probes import cookies
from gonogo.rules import cookies as rules

# the login flow shares the rate limiter with ratelimit.login, which runs after this check (on the
# same worker under xdist: gonogo.scheduling groups the web checks)
pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("cookies.flags")
def test_cookie_flags(gate):
    web, cfg = gate.require("web"), gate.config.cookies
    gate.target(web.base_url)
    login = {
        "login_path": cfg.login_path,
        "login_method": cfg.login_method,
        "login_format": cfg.login_format,
        "login_fields": cfg.login_fields,
    }
    facts = cookies.collect_cookies(
        web.base_url, cfg.pages, ca_bundle=web.ca_bundle, timeout=web.timeout_s, **login
    )
    limits = gate.config.ratelimit  # a refused login is not verified, as ratelimit.login counts
    refused = limits.refusal_statuses if limits else rules.REFUSAL_STATUSES
    gate.judge(rules.evaluate_cookies(facts, cfg, refused))
