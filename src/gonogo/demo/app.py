"""The demo web application (Starlette, served by uvicorn behind nginx).

Run as ``uvicorn gonogo.demo.app:create_app --factory`` with ``GONOGO_DEMO_APP_DIR`` pointing
at the directory holding ``.env.production`` and ``static/``. The app-level faults (see
``faults.py``) are read per request from the file named by ``GONOGO_DEMO_APP_FAULTS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import psycopg
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from gonogo.demo import app_api, app_assets, app_pages
from gonogo.demo.app_http import DemoMiddleware
from gonogo.demo.app_load import search
from gonogo.demo.app_support import (
    FaultFlags,
    LoginLimiter,
    Metrics,
    Settings,
    sign_session,
    verify_password,
)

PRODUCTS_KEY = "products:v1"
STATIC_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".map": "application/json",
    ".html": "text/html; charset=utf-8",
}
GIT_FILES = {
    "/.git/HEAD": "ref: refs/heads/main\n",
    "/.git/config": (
        "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n"
        '[remote "origin"]\n\turl = https://git.example.test/shop/storefront.git\n'
        "\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
        '[branch "main"]\n\tremote = origin\n\tmerge = refs/heads/main\n'
    ),
}


class Backends:
    """One PostgreSQL connection (reopened after a failure) and a Redis connection pool."""

    def __init__(self, settings: Settings) -> None:
        self._dsn = settings.database_url
        self._db: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()
        # a pooled connection to a restarted Redis fails once: reconnect and retry instead
        # of reporting the cache down
        self.cache = aioredis.from_url(
            settings.redis_url,
            socket_timeout=1.0,
            socket_connect_timeout=1.0,
            decode_responses=True,
            retry=Retry(NoBackoff(), 2),
            retry_on_error=[RedisConnectionError],
        )

    async def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        async with self._lock:
            # one retry: after a database restart the first use of the old connection fails
            for attempt in (1, 2):
                if self._db is None or self._db.closed:
                    self._db = await psycopg.AsyncConnection.connect(
                        self._dsn, autocommit=True, connect_timeout=2
                    )
                try:
                    cursor = await self._db.execute(sql, params)
                    return await cursor.fetchall()
                except psycopg.OperationalError:
                    await self._db.close()
                    self._db = None
                    if attempt == 2:
                        raise
            return []

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
        await self.cache.aclose()


def _state(request: Request) -> tuple[Settings, FaultFlags, Backends]:
    app = request.app
    return app.state.settings, app.state.faults, app.state.backends


async def _check(coro: Any, timeout: float) -> str:
    try:
        await asyncio.wait_for(coro, timeout)
    except (TimeoutError, psycopg.Error, RedisError, OSError):
        return "down"
    return "ok"


def _release(settings: Settings, faults: FaultFlags) -> str:
    return "1.4.1" if "wrong-version" in faults else settings.release


async def health(request: Request) -> Response:
    settings, faults, backends = _state(request)
    if "slow-health" in faults:
        await asyncio.sleep(2.0)
    database, cache = await asyncio.gather(
        _check(backends.query("SELECT 1"), 1.5), _check(backends.cache.ping(), 1.0)
    )
    if "health-degraded" in faults:
        cache = "down"
    checks = {"database": database, "cache": cache}
    ok = all(v == "ok" for v in checks.values())
    body = {
        "status": "ok" if ok else "degraded",
        "checks": checks,
        "version": _release(settings, faults),
    }
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


async def version(request: Request) -> Response:
    settings, faults, _ = _state(request)
    return JSONResponse({"version": _release(settings, faults)})


async def products(request: Request) -> Response:
    _, _, backends = _state(request)
    with contextlib.suppress(RedisError, OSError):
        cached = await backends.cache.get(PRODUCTS_KEY)
        if cached:
            return Response(cached, media_type="application/json", headers={"X-Cache": "HIT"})
    rows = await backends.query(
        "SELECT id, sku, name, price_cents FROM products WHERE active ORDER BY id LIMIT 100"
    )
    body = json.dumps(
        {"products": [{"id": r[0], "sku": r[1], "name": r[2], "price_cents": r[3]} for r in rows]}
    )
    with contextlib.suppress(RedisError, OSError):
        await backends.cache.set(PRODUCTS_KEY, body, ex=30)
    return Response(body, media_type="application/json", headers={"X-Cache": "MISS"})


async def login(request: Request) -> Response:
    settings, faults, backends = _state(request)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            form = await request.json()
        except ValueError:
            return JSONResponse({"ok": False, "error": "invalid JSON"}, status_code=400)
    else:
        # urlencoded by hand: Starlette's form parser needs python-multipart
        parsed = parse_qs((await request.body()).decode("utf-8", "replace"))
        form = {key: values[0] for key, values in parsed.items()}
    user = str(form.get("username") or form.get("user") or "")
    password = str(form.get("password") or "")
    limiter: LoginLimiter = request.app.state.login_limiter
    # the per-account lockout is off under both rate-limit faults (nginx alone limits then)
    limited = not {"no-rate-limit", "ratelimit-per-second"} & faults.active()
    wait = limiter.retry_after(user) if limited else None
    if wait is not None:
        return JSONResponse(
            {"ok": False, "error": "too many failed logins"},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    rows = await backends.query("SELECT password_hash FROM app_users WHERE username = %s", (user,))
    if not rows or not verify_password(password, rows[0][0]):
        if limited:
            limiter.failed(user)
        return JSONResponse({"ok": False, "error": "invalid credentials"}, status_code=401)
    response = JSONResponse({"ok": True, "user": user})
    # written by hand to pin the exact attribute spelling the cookie checks read
    cookie = f"session={sign_session(settings.secret_key, user)}; Path=/; Max-Age=3600"
    if "cookie-insecure" not in faults:
        cookie += "; Secure; HttpOnly; SameSite=Lax"
    response.headers.append("set-cookie", cookie)
    return response


async def metrics(request: Request) -> Response:
    return PlainTextResponse(
        request.app.state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
    )


async def checkout(request: Request) -> Response:
    # the error-spike fault: the checkout fails for everyone (trips the post-deploy gate)
    _, faults, _ = _state(request)
    if "error-spike" in faults:
        return JSONResponse({"error": "payment provider unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def boom(request: Request) -> Response:
    raise RuntimeError("simulated failure in /api/boom (order total mismatch)")


async def exposed(request: Request) -> Response:
    settings, faults, _ = _state(request)
    path = request.url.path
    if path == "/.env" and "env-exposed" in faults:
        return PlainTextResponse((settings.app_dir / ".env.production").read_text())
    if path in GIT_FILES and "git-exposed" in faults:
        return PlainTextResponse(GIT_FILES[path])
    if path == "/backup.dump" and "dump-exposed" in faults:
        # a deploy that left the newest pg_dump in the web root: the real custom-format archive
        newest = max((settings.app_dir.parent / "backups").glob("app-*.dump"), default=None)
        if newest is not None:
            return Response(newest.read_bytes(), media_type="application/octet-stream")
    return PlainTextResponse("Not Found", status_code=404)


async def static(request: Request) -> Response:
    _, faults, _ = _state(request)
    asked = request.path_params.get("name", "index.html")
    files: dict[str, bytes] = request.app.state.static
    name = app_assets.resolve(asked, files)  # app.<hash>.js is app.js (demo/app_assets.py)
    maps = "source-map-served" in faults
    if name not in files or (name.endswith(".map") and not maps):
        return PlainTextResponse("Not Found", status_code=404)
    body = files[name]
    if name == "index.html":
        host = request.headers.get("host", "")
        body = app_assets.render_index(body, files, faults.active(), host)
        body = app_pages.render_index(body, faults, host)  # the e2e faults (demo/app_pages.py)
    if name == "app.js" and maps:
        body += b"\n//# sourceMappingURL=app.js.map\n"
    cache = app_assets.cache_control(asked, name, faults.active())
    return Response(
        body, media_type=STATIC_TYPES[Path(name).suffix], headers={"Cache-Control": cache}
    )


def create_app() -> Starlette:
    """The ASGI app configured from ``GONOGO_DEMO_APP_DIR`` (uvicorn ``--factory``)."""
    app_dir = Path(os.environ["GONOGO_DEMO_APP_DIR"])
    faults_env = os.environ.get("GONOGO_DEMO_APP_FAULTS")
    settings = Settings.load(app_dir, Path(faults_env) if faults_env else None)
    faults = FaultFlags(settings.faults_file)
    metrics_registry = Metrics(settings.release)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.backends = Backends(settings)
        yield
        await app.state.backends.close()

    routes = [
        Route("/", static),
        Route("/static/{name}", static),
        Route("/health", health),
        Route("/version", version),
        Route("/api/products", products),
        Route("/api/search", search),
        Route("/login", login, methods=["POST"]),
        Route("/metrics", metrics),
        Route("/api/boom", boom),
        Route("/api/checkout", checkout),
        Route("/.env", exposed),
        Route("/.git/{rest:path}", exposed),
        Route("/backup.dump", exposed),
        *app_api.ROUTES,  # the smoke journeys' API and WebSocket
        *app_pages.ROUTES,
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(DemoMiddleware, settings=settings, faults=faults, metrics=metrics_registry)
        ],
    )
    app.state.settings = settings
    app.state.faults = faults
    app.state.metrics = metrics_registry
    app.state.login_limiter = LoginLimiter()
    app.state.static = {
        p.name: p.read_bytes() for p in (app_dir / "static").iterdir() if p.is_file()
    }
    return app
