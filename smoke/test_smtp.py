"""Protocol smoke: the mail relay answers, offers STARTTLS and accepts the sender and a
recipient (the plans' email delivery); no mail is sent. Not applicable unless declared."""

from __future__ import annotations

import pytest

from gonogo.probes.smtp import converse
from gonogo.rules import smtp


@pytest.mark.check("smoke.smtp")
def test_smtp(gate):
    cfg = gate.require("smoke").smtp  # catalogue: smoke.smtp
    gate.target(cfg.url)
    gate.judge(smtp.evaluate_smtp(converse(cfg), cfg))
