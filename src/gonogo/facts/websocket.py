"""A WebSocket handshake and one message round trip (:mod:`gonogo.probes.websocket` →
:mod:`gonogo.rules.websocket`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebSocketFacts:
    """What the WebSocket endpoint did.

    Attributes:
        url: the ``wss://`` URL. status: 101 when the upgrade was accepted, else the HTTP status
        of the refusal. handshake_ms: time to the handshake's answer. sent: the text sent.
        answer: the first message received (first 200 characters), None when none came within
        ``timeout_s``. round_trip_ms: from sending to the answer (None without one).
    """

    url: str
    status: int
    handshake_ms: float
    sent: str
    answer: str | None
    round_trip_ms: float | None
    timeout_s: float
