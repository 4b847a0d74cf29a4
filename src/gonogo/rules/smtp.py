"""SMTP smoke rule. Check id: ``smoke.smtp``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.model import Comparison, Finding, compare, expect, info

if TYPE_CHECKING:
    from gonogo.facts.smtp import SmtpFacts
    from gonogo.schema.smoke import Smtp


def evaluate_smtp(facts: SmtpFacts, cfg: Smtp) -> list[Finding]:
    """The relay greets (220), offers STARTTLS and negotiates it (when required), and accepts
    the sender and the recipient (250)."""
    findings = [
        compare("greeting", facts.greeting, Comparison.EQ, 220, what=f"{facts.url} greeting")
    ]
    if cfg.starttls:
        findings.append(
            expect(
                "starttls",
                facts.tls_version is not None,
                f"STARTTLS negotiated ({facts.tls_version})"
                if facts.tls_version
                else "STARTTLS offered but not negotiated"
                if facts.starttls_offered
                else "the relay does not offer STARTTLS: mail would cross the network in clear",
                facts.tls_version,
                "STARTTLS",
            )
        )
    findings.append(
        compare(
            "mail_from",
            facts.mail[0],
            Comparison.EQ,
            250,
            what=f"MAIL FROM:<{cfg.sender}> ({facts.mail[1]})",
        )
    )
    if facts.rcpt is not None:
        findings.append(
            compare(
                "rcpt_to",
                facts.rcpt[0],
                Comparison.EQ,
                250,
                what=f"RCPT TO:<{cfg.recipient}> ({facts.rcpt[1]})",
            )
        )
    findings.append(info("extensions", "EHLO extensions", list(facts.extensions)))
    return findings
