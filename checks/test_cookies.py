"""Flags of every cookie set by the configured pages and the login flow."""

from __future__ import annotations

import pytest

from gonogo.probes import cookies
from gonogo.recipes import web
from gonogo.rules import cookies as rules

# the login flow shares the rate limiter with ratelimit.login, which runs after this check (on the
# same worker under xdist: gonogo.engine.scheduling groups the web checks)
pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("cookies.flags")
def test_cookie_flags(gate):
    site, cfg = web.site(gate), gate.config.cookies
    gate.target(site.url)
    facts = cookies.collect_cookies(site, cfg)
    limits = gate.config.ratelimit  # a refused login is not verified, as ratelimit.login counts
    refused = limits.refusal_statuses if limits else rules.REFUSAL_STATUSES
    gate.judge(rules.evaluate_cookies(facts, cfg, refused))
