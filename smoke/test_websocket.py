"""Protocol smoke: a WebSocket handshake and one message round trip (the bidding plan's
real-time feature); not applicable unless `[smoke.websocket]` is declared."""

from __future__ import annotations

import pytest

from gonogo.probes.websocket import round_trip
from gonogo.recipes import smoke as recipe
from gonogo.rules import websocket


@pytest.mark.check("smoke.websocket")
def test_websocket(gate):
    web, cfg = gate.require("web"), gate.require("smoke").websocket  # catalogue: smoke.websocket
    gate.target(web.url(cfg.path))
    recipe.ready(gate)
    gate.judge(websocket.evaluate_websocket(round_trip(web, cfg), cfg))
