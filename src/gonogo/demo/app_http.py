"""The demo app's one middleware: metrics, CORS, error pages and the disclosure faults.

Pure ASGI rather than ``BaseHTTPMiddleware``: it only touches the response start message, and
it must not buffer streaming bodies or change exception propagation.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import starlette

from gonogo.demo.app_support import FaultFlags, Metrics, Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Paths reported as themselves in the metrics; anything else is "other" (bounded cardinality).
KNOWN_PATHS = frozenset(
    {
        "/",
        "/health",
        "/version",
        "/api/products",
        "/login",
        "/metrics",
        "/api/boom",
        "/api/checkout",
    }
)
ALLOWED_METHODS = "GET, POST, OPTIONS"


class DemoMiddleware:
    """Wraps every HTTP request of the demo app."""

    def __init__(
        self, app: ASGIApp, settings: Settings, faults: FaultFlags, metrics: Metrics
    ) -> None:
        self.app = app
        self.settings = settings
        self.faults = faults
        self.metrics = metrics

    def _origin_allowed(self, origin: str) -> bool:
        # the cors-permissive fault reflects any origin while allowing credentials
        return origin in self.settings.cors_origins or "cors-permissive" in self.faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin", "")
        allowed = bool(origin) and self._origin_allowed(origin)
        status_seen = 500
        path = (
            scope["path"]
            if scope["path"] in KNOWN_PATHS or scope["path"].startswith("/static/")
            else "other"
        )
        if path.startswith("/static/"):
            path = "/static"

        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            status_seen = 204 if allowed else 400
            await self._preflight(send, origin if allowed else None)
            self.metrics.observe("OPTIONS", path, status_seen, time.perf_counter() - started)
            return

        async def send_wrapper(message: Message) -> None:
            nonlocal status_seen
            if message["type"] == "http.response.start":
                status_seen = message["status"]
                extra: list[tuple[bytes, bytes]] = []
                if allowed:
                    extra += [
                        (b"access-control-allow-origin", origin.encode("latin-1")),
                        (b"access-control-allow-credentials", b"true"),
                    ]
                elif origin and "cors-public" in self.faults:  # public access, no credentials
                    extra.append((b"access-control-allow-origin", b"*"))
                if scope["path"] == "/" and "cookies-lax" in self.faults:
                    # a preference without Secure or SameSite, a token-named cookie scripts read
                    extra += [
                        (b"set-cookie", b"theme=dark; Path=/"),
                        (b"set-cookie", b"access_token=demo-public; Path=/; Secure; SameSite=Lax"),
                    ]
                if origin:
                    extra.append((b"vary", b"Origin"))
                if "server-version-disclosed" in self.faults:
                    extra.append((b"x-powered-by", f"Starlette/{starlette.__version__}".encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send_wrapper(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            # answered here rather than by Starlette's ServerErrorMiddleware, which re-raises:
            # uvicorn then drops the connection and nginx's next POST on it fails with a 502
            if response_started:
                raise
            await self._error(tracking_send, exc)
        finally:
            self.metrics.observe(scope["method"], path, status_seen, time.perf_counter() - started)

    async def _error(self, send: Send, exc: Exception) -> None:
        if "debug-errors" in self.faults:
            text = "Internal Server Error\n\n" + "".join(traceback.format_exception(exc))
            body, ctype = text.encode(), b"text/plain; charset=utf-8"
        else:
            body, ctype = b'{"error":"internal server error"}', b"application/json"
        headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _preflight(self, send: Send, origin: str | None) -> None:
        headers = [(b"content-length", b"0"), (b"vary", b"Origin")]
        if origin is not None:
            headers += [
                (b"access-control-allow-origin", origin.encode("latin-1")),
                (b"access-control-allow-credentials", b"true"),
                (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
                (b"access-control-allow-headers", b"Content-Type"),
                (b"access-control-max-age", b"600"),
            ]
        await send(
            {"type": "http.response.start", "status": 204 if origin else 400, "headers": headers}
        )
        await send({"type": "http.response.body", "body": b""})
