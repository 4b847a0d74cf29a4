"""Login rate limiting (intrusive: sends failed logins until refused, engaging the limiter)."""

from __future__ import annotations

import pytest

from gonogo.probes import ratelimit
from gonogo.rules import ratelimit as rules

# trips the login rate limiter: after cookies.flags, on the same worker under xdist (intrusive
# checks run last; gonogo.scheduling puts every web check in one xdist group)
pytestmark = [pytest.mark.predeploy, pytest.mark.security, pytest.mark.intrusive]


@pytest.mark.check("ratelimit.login")
def test_login_rate_limit(gate):
    web, cfg = gate.require("web"), gate.require("ratelimit")
    url = web.url(cfg.login_path)
    gate.target(url)
    facts = ratelimit.probe_rate_limit(
        url,
        attempts=cfg.max_attempts + cfg.extra_attempts,
        refusal_statuses=cfg.refusal_statuses,
        ca_bundle=web.ca_bundle,
        timeout=web.timeout_s,
        method=cfg.login_method,
        body_format=cfg.login_format,
        fields=cfg.login_fields,
        recheck_after_s=cfg.recheck_after_s,
    )
    gate.judge(rules.evaluate_login_rate_limit(facts, cfg))
