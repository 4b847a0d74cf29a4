"""Table tests of the WebSocket smoke rule: upgrade, an answer in time, the expected text."""

from __future__ import annotations

import pytest

from gonogo.facts.websocket import WebSocketFacts
from gonogo.rules import websocket
from gonogo.schema.smoke import WebSocket

CFG = WebSocket(path="/ws/bids", send="bid 42", expect="ack bid 42")


def facts(status: int = 101, answer: str | None = "ack bid 42") -> WebSocketFacts:
    took = 4.0 if answer is not None else None
    return WebSocketFacts("wss://x:443/ws/bids", status, 3.0, "bid 42", answer, took, 5.0)


@pytest.mark.parametrize(
    ("found", "cfg", "bad"),
    [
        (facts(), CFG, set()),
        (facts(answer="ack something else"), CFG, {"answer"}),
        (facts(answer="anything"), WebSocket(path="/ws"), set()),
        (facts(answer=None), CFG, {"round_trip_ms"}),
        (facts(status=404, answer=None), CFG, {"handshake"}),
        (facts(status=426, answer=None), CFG, {"handshake"}),
    ],
    ids=["round-trip", "wrong-answer", "any-answer", "silent", "no-endpoint", "upgrade-refused"],
)
def test_evaluate_websocket(found: WebSocketFacts, cfg: WebSocket, bad: set[str]) -> None:
    """The upgrade must be 101 and the message answered in time with the expected text."""
    assert {f.name for f in websocket.evaluate_websocket(found, cfg) if not f.ok} == bad
