"""Table tests of the SMTP smoke rule: greeting, STARTTLS, sender and recipient accepted."""

from __future__ import annotations

from typing import Any

import pytest

from gonogo.facts.smtp import SmtpFacts
from gonogo.rules import smtp
from gonogo.schema.smoke import Smtp

CFG = Smtp(url="smtp://mail.example.com:587", sender="a@shop.example", recipient="b@shop.example")


def facts(**changes: Any) -> SmtpFacts:
    base: dict[str, Any] = {
        "url": CFG.url,
        "greeting": 220,
        "starttls_offered": True,
        "tls_version": "TLSv1.3",
        "mail": (250, "OK"),
        "rcpt": (250, "OK"),
        "extensions": ("8bitmime", "starttls"),
    }
    return SmtpFacts(**{**base, **changes})


@pytest.mark.parametrize(
    ("found", "cfg", "bad"),
    [
        (facts(), CFG, set()),
        (facts(starttls_offered=False, tls_version=None), CFG, {"starttls"}),
        (facts(tls_version=None), CFG, {"starttls"}),
        (facts(starttls_offered=False, tls_version=None), CFG.model_copy(update={"starttls": False}), set()),
        (facts(mail=(530, "Must issue a STARTTLS command first"), rcpt=None), CFG, {"mail_from"}),
        (facts(rcpt=(550, "no such user")), CFG, {"rcpt_to"}),
        (facts(greeting=554, mail=(0, "go away"), rcpt=None, tls_version=None, starttls_offered=False),
         CFG, {"greeting", "starttls", "mail_from"}),
    ],
    ids=["relay-ok", "no-starttls", "starttls-failed", "starttls-not-required", "sender-refused",
         "recipient-refused", "greeting-refused"],
)  # fmt: skip
def test_evaluate_smtp(found: SmtpFacts, cfg: Smtp, bad: set[str]) -> None:
    """Greeting 220, STARTTLS negotiated when required, sender and recipient accepted (250)."""
    assert {f.name for f in smtp.evaluate_smtp(found, cfg) if not f.ok} == bad
