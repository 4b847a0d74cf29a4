"""The demo app's JSON API for the smoke journeys: a session log-in API, a few endpoints and
a WebSocket (the bidding plan's real-time feature).

- ``POST /api/session`` logs the demo user in (JSON ``username``/``password``) and sets a
  ``sid`` cookie held server-side; ``DELETE /api/session`` revokes it; ``GET /api/account``
  needs it (401 otherwise).
- ``GET /api/status`` (service, currency, API version), ``GET /api/orders/recent`` and
  ``POST /api/cart/quote`` (a JSON body in, a total out).
- ``/ws/bids``: one text message in, ``ack <message>`` out.

Faults (read per request): ``login-broken`` (the log-in answers 500), ``endpoint-missing``
(``/api/orders/recent`` is 404), ``json-wrong-value`` (``/api/status`` says USD),
``endpoint-flaky`` (``/api/status`` answers 503 to every other request, starting with the first
after the fault is applied; the demo Prometheus's own synthetic traffic is left out of the count,
so a gate's first request always meets the 503), ``websocket-silent`` (the socket is accepted, never answers).
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from gonogo.demo.app_support import verify_password

SESSION_COOKIE = "sid"
QUOTE_PRICE_CENTS = 1250


def _faults(request: Request | WebSocket) -> Any:
    return request.app.state.faults


def _sessions(request: Request) -> dict[str, str]:
    state = request.app.state
    if not hasattr(state, "api_sessions"):
        state.api_sessions = {}
    found: dict[str, str] = state.api_sessions
    return found


def _flaky_now(request: Request) -> bool:
    """Under ``endpoint-flaky``: True for the 1st, 3rd... request since the fault was applied.

    The demo Prometheus scrapes this path every few seconds as synthetic traffic; its requests
    are answered normally and do not advance the count, else a scrape between the fault and the
    gate's first request would hand the gate the good answer first (seen in CI)."""
    state = request.app.state
    if "endpoint-flaky" not in _faults(request):
        state.api_flaky_next = True
        return False
    if request.headers.get("user-agent", "").startswith("Prometheus/"):
        return False
    fail = getattr(state, "api_flaky_next", True)
    state.api_flaky_next = not fail
    return bool(fail)


def _user(request: Request) -> str | None:
    sid = request.cookies.get(SESSION_COOKIE, "")
    return _sessions(request).get(sid) if sid else None


async def session_login(request: Request) -> Response:
    if "login-broken" in _faults(request):
        return JSONResponse({"ok": False, "error": "session store unavailable"}, status_code=500)
    try:
        form = await request.json()
    except ValueError:
        return JSONResponse({"ok": False, "error": "invalid JSON"}, status_code=400)
    user = str(form.get("username") or "") if isinstance(form, dict) else ""
    password = str(form.get("password") or "") if isinstance(form, dict) else ""
    rows = await request.app.state.backends.query(
        "SELECT password_hash FROM app_users WHERE username = %s", (user,)
    )
    if not rows or not verify_password(password, rows[0][0]):
        return JSONResponse({"ok": False, "error": "invalid credentials"}, status_code=401)
    # a recognisable shape ({"sid": ...} in base64) so that the leak test can look for it
    token = json.dumps({"sid": secrets.token_hex(16)}, separators=(",", ":"))
    sid = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
    _sessions(request)[sid] = user
    response = JSONResponse({"ok": True, "user": user})
    response.headers.append(
        "set-cookie",
        f"{SESSION_COOKIE}={sid}; Path=/api; Max-Age=3600; Secure; HttpOnly; SameSite=Lax",
    )
    return response


async def session_logout(request: Request) -> Response:
    _sessions(request).pop(request.cookies.get(SESSION_COOKIE, ""), None)
    response = JSONResponse({"ok": True})
    response.headers.append(
        "set-cookie", f"{SESSION_COOKIE}=; Path=/api; Max-Age=0; Secure; HttpOnly"
    )
    return response


async def account(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return JSONResponse({"error": "not logged in"}, status_code=401)
    return JSONResponse({"user": user, "roles": ["customer"], "orders": 3})


async def status(request: Request) -> Response:
    if _flaky_now(request):
        return JSONResponse({"error": "upstream busy"}, status_code=503)
    currency = "USD" if "json-wrong-value" in _faults(request) else "EUR"
    return JSONResponse({"service": "storefront", "currency": currency, "api": 2})


async def recent_orders(request: Request) -> Response:
    if "endpoint-missing" in _faults(request):
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse({"orders": [{"id": 1001, "status": "shipped"}], "count": 1})


async def quote(request: Request) -> Response:
    try:
        body = await request.json()
        quantity = sum(int(item["quantity"]) for item in body["items"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "expected {items: [{sku, quantity}]}"}, status_code=400)
    return JSONResponse({"items": quantity, "total_cents": quantity * QUOTE_PRICE_CENTS})


async def bids(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive_text()
            if "websocket-silent" in _faults(websocket):
                continue  # accepted, reads, never answers
            await websocket.send_text(f"ack {message[:200]}")
    except WebSocketDisconnect:
        return


ROUTES = [
    Route("/api/session", session_login, methods=["POST"]),
    Route("/api/session", session_logout, methods=["DELETE"]),
    Route("/api/account", account),
    Route("/api/status", status),
    Route("/api/orders/recent", recent_orders),
    Route("/api/cart/quote", quote, methods=["POST"]),
    WebSocketRoute("/ws/bids", bids),
]
