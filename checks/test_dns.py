"""DNS: every declared record resolves, to the expected answers when declared (one instance per
record)."""

from __future__ import annotations

import pytest

from gonogo.probes import dns
from gonogo.rules import dns as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.infra]


@pytest.mark.check("dns.records")
@pytest.mark.each("dns.records")
def test_record(gate, entry):
    cfg = gate.require("dns")
    gate.target(f"{entry.name} {entry.type} via {dns.resolver_label(cfg)}")
    gate.judge(rules.evaluate_record(dns.resolve(cfg, entry), entry))
