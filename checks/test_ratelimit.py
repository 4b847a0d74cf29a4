"""Login rate limiting (intrusive: sends failed logins until refused, engaging the limiter)."""

from __future__ import annotations

import pytest

from gonogo.probes import ratelimit
from gonogo.recipes import web
from gonogo.rules import ratelimit as rules

# trips the login rate limiter: after cookies.flags, on the same worker under xdist (intrusive
# checks run last; gonogo.engine.scheduling puts every web check in one xdist group)
pytestmark = [pytest.mark.predeploy, pytest.mark.security, pytest.mark.intrusive]


@pytest.mark.check("ratelimit.login")
def test_login_rate_limit(gate):
    cfg = gate.require("ratelimit")
    login = web.site(gate, gate.require("web").url(cfg.login_path))
    gate.target(login.url)
    gate.judge(rules.evaluate_login_rate_limit(ratelimit.probe_rate_limit(login, cfg), cfg))
