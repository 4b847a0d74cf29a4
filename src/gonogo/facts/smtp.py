"""An SMTP relay's dialogue up to RCPT TO (:mod:`gonogo.probes.smtp` →
:mod:`gonogo.rules.smtp`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SmtpFacts:
    """What the relay answered; nothing was sent (RSET and QUIT after RCPT TO).

    Attributes:
        url: the relay. greeting: the 220 line's code. starttls_offered: EHLO listed STARTTLS.
        tls_version: the TLS version after STARTTLS (None without it). mail: MAIL FROM's reply
        (code, text). rcpt: RCPT TO's reply (None when MAIL FROM was refused). extensions:
        the EHLO keywords (after STARTTLS when it succeeded).
    """

    url: str
    greeting: int
    starttls_offered: bool
    tls_version: str | None
    mail: tuple[int, str]
    rcpt: tuple[int, str] | None
    extensions: tuple[str, ...]
