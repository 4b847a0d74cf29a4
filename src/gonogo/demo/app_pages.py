"""The demo app's browser-facing pages: sign-up, and the page-level faults of the e2e checks.

The storefront (``/``, static/index.html) signs in and renders the products from the API; the
sign-up page (``/signup``) creates an account through ``POST /api/signup``. The e2e faults
change what a browser gets: markup added to the index (:func:`render_index`) and small assets
under ``/static/e2e/`` that exist only while their fault is active.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import struct
import zlib
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from gonogo.demo.app_support import hash_password

if TYPE_CHECKING:
    from gonogo.demo.app_support import FaultFlags

HERO_DELAY_S = 3.0  # the slow-lcp fault: the hero image arrives after this (LCP budget 2.5 s)
USERNAME = re.compile(r"[A-Za-z0-9._@+-]{3,64}")

# fault -> (where in index.html, markup inserted there)
_MARKUP = {
    "console-error": ("</head>", '<script src="{asset:console-error.js}" defer></script>'),
    "failing-asset": ("</head>", '<link rel="stylesheet" href="/static/app.4f1d2e.css">'),
    "mixed-content": (
        "</footer>",
        '<img src="http://{host}/static/e2e/badge.svg" alt="Secure checkout" width="88" height="31">',
    ),
    "slow-lcp": (
        "<main>",
        '<img class="hero" src="/static/e2e/hero.svg" alt="Winter sale" width="1000" height="360">',
    ),
    "layout-shift": ("</head>", '<script src="{asset:layout-shift.js}" defer></script>'),
    "mobile-overflow": ("</head>", '<link rel="stylesheet" href="{asset:wide.css}">'),
    "a11y-violations": (
        "</footer>",
        '<img src="/static/e2e/badge.svg"><input name="coupon"><button class="icon"></button>',
    ),
}
_SHARED_CSS = "{asset:faults.css}"  # sizes the hero and the badge (CSP: no inline styles)
IMMUTABLE = "public, max-age=31536000, immutable"

_ASSETS: dict[str, tuple[str, str]] = {
    "console-error.js": (
        "application/javascript",
        'document.addEventListener("DOMContentLoaded",()=>{console.error('
        '"checkout widget failed to start: TypeError: cart is undefined")});\n',
    ),
    "layout-shift.js": (
        "application/javascript",
        'document.addEventListener("DOMContentLoaded",()=>{setTimeout(()=>{'
        'const b=document.createElement("div");b.className="promo";'
        'b.textContent="Free shipping on orders over $50";b.style.height="320px";'
        'const m=document.querySelector("main");m.parentNode.insertBefore(b,m)},300)});\n',
    ),
    "wide.css": ("text/css", ".bar{min-width:720px}\n"),
    "faults.css": (
        "text/css",
        ".hero{display:block;width:100%;max-width:1000px;height:auto;margin:0 auto}"
        ".promo{background:#ffe9a8;padding:1rem 2rem;font-size:1.4rem}\n",
    ),
    "badge.svg": (
        "image/svg+xml",
        '<svg xmlns="http://www.w3.org/2000/svg" width="88" height="31">'
        '<rect width="88" height="31" fill="#2f6fed"/></svg>\n',
    ),
    "hero.svg": (
        "image/svg+xml",
        '<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="360">'
        '<rect width="1000" height="360" fill="#ffb347"/>'
        '<text x="60" y="200" font-size="72" fill="#1d2330">Winter sale</text></svg>\n',
    ),
}
# the faults whose markup refers to each asset (the shared CSS and badge serve several)
_ASSET_FAULTS = {
    "console-error.js": {"console-error"},
    "layout-shift.js": {"layout-shift"},
    "wide.css": {"mobile-overflow"},
    "faults.css": set(_MARKUP),
    "badge.svg": {"mixed-content", "a11y-violations"},
    "hero.svg": {"slow-lcp"},
}


def render_index(body: bytes, faults: FaultFlags, host: str) -> bytes:
    """index.html as served while ``faults`` are active (unchanged on a clean stack)."""
    active = [name for name in _MARKUP if name in faults]
    text = body.decode()
    if "signin-form-broken" in faults:  # the form posts to an endpoint that does not exist
        text = text.replace('action="/login"', 'action="/api/v2/login"')
    if not active:
        return text.encode()
    hostname = host.rpartition(":")[0] if host.count(":") == 1 else host
    text = text.replace("</head>", f'<link rel="stylesheet" href="{_SHARED_CSS}"></head>', 1)
    for name in active:
        where, markup = _MARKUP[name]
        markup = markup.replace("{host}", hostname or "localhost")
        text = text.replace(where, markup + where if where.startswith("</") else where + markup, 1)
    return _ASSET_REF.sub(lambda m: asset_url(m.group(1)), text).encode()


_ASSET_REF = re.compile(r"\{asset:([\w.-]+)\}")


def asset_url(name: str) -> str:
    """``/static/e2e/<stem>.<12 hex of its SHA-256><ext>``: hashed and cached for a year, as
    the front end's own assets are, so that a fault changes only what it is about."""
    stem, _, ext = name.rpartition(".")
    digest = hashlib.sha256(_ASSETS[name][1].encode()).hexdigest()[:12]
    return f"/static/e2e/{stem}.{digest}.{ext}"


def _real_name(asked: str) -> str:
    for name in _ASSETS:
        if asset_url(name) == f"/static/e2e/{asked}":
            return name
    return asked


async def fault_asset(request: Request) -> Response:
    """``/static/e2e/<name>``: a fault's asset, served only while that fault is active."""
    faults: FaultFlags = request.app.state.faults
    name = _real_name(request.path_params["name"])
    if name not in _ASSETS or not any(f in faults for f in _ASSET_FAULTS[name]):
        return PlainTextResponse("Not Found", status_code=404)
    if name == "hero.svg":
        await asyncio.sleep(HERO_DELAY_S)
    mime, content = _ASSETS[name]
    return Response(content, media_type=mime, headers={"Cache-Control": IMMUTABLE})


def _favicon() -> bytes:
    """A 16x16 PNG in the storefront's blue (browsers ask for /favicon.ico on their own)."""
    row = b"\x00" + bytes((0x25, 0x58, 0xC8)) * 16
    chunk = zlib.compress(row * 16)

    def part(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = part(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + part(b"IDAT", chunk) + part(b"IEND", b"")


FAVICON = _favicon()


async def favicon(request: Request) -> Response:
    return Response(
        FAVICON, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
    )


async def signup_page(request: Request) -> Response:
    files: dict[str, bytes] = request.app.state.static
    return Response(
        files["signup.html"],
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


async def signup(request: Request) -> Response:
    """``POST /api/signup`` (JSON username, password): 201 with the new account, 409 if taken."""
    try:
        form = await request.json()
    except ValueError:
        return JSONResponse({"ok": False, "error": "invalid JSON"}, status_code=400)
    user = str(form.get("username") or "") if isinstance(form, dict) else ""
    password = str(form.get("password") or "") if isinstance(form, dict) else ""
    if not USERNAME.fullmatch(user) or len(password) < 12:
        error = "a user name of 3-64 letters or digits and a password of at least 12 characters"
        return JSONResponse({"ok": False, "error": error}, status_code=400)
    rows = await request.app.state.backends.query(
        "INSERT INTO app_users (username, password_hash) VALUES (%s, %s) "
        "ON CONFLICT (username) DO NOTHING RETURNING username",
        (user, hash_password(password)),
    )
    if not rows:
        return JSONResponse({"ok": False, "error": "user name taken"}, status_code=409)
    return JSONResponse({"ok": True, "user": user}, status_code=201)


ROUTES = [
    Route("/favicon.ico", favicon),
    Route("/signup", signup_page),
    Route("/api/signup", signup, methods=["POST"]),
    Route("/static/e2e/{name}", fault_asset),
]
