"""WebSocket smoke rule. Check id: ``smoke.websocket``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.model import Comparison, Finding, compare, expect

if TYPE_CHECKING:
    from gonogo.facts.websocket import WebSocketFacts
    from gonogo.schema.smoke import WebSocket


def evaluate_websocket(facts: WebSocketFacts, cfg: WebSocket) -> list[Finding]:
    """The upgrade is accepted (101) and the message sent gets an answer within ``timeout_s``
    that contains ``expect``."""
    findings = [
        compare("handshake", facts.status, Comparison.EQ, 101, what=f"upgrade of {facts.url}"),
    ]
    if facts.status != 101:
        return findings
    answered = facts.answer is not None
    findings.append(
        Finding(
            "round_trip_ms",
            answered,
            f"sent {facts.sent!r}, answered {facts.answer!r} in {facts.round_trip_ms:g} ms"
            if answered
            else f"sent {facts.sent!r}, no answer within {facts.timeout_s:g} s",
            measured=facts.round_trip_ms,
            threshold=facts.timeout_s * 1000,
            unit="ms",
            comparison=Comparison.LE,
        )
    )
    if answered and cfg.expect:
        found = cfg.expect in str(facts.answer)
        findings.append(
            expect(
                "answer",
                found,
                f"the answer {'contains' if found else 'lacks'} {cfg.expect!r}",
                facts.answer,
                cfg.expect,
            )
        )
    return findings
