"""The page probe: what a browser takes from an HTML page, and same-origin redirects followed
to the document, against the real demo nginx and app and a small redirecting server."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gonogo.endpoints import origin
from gonogo.errors import ProbeTimeout
from gonogo.probes import exposure, http, smoke
from gonogo.probes._html import PageParser
from probes.trickle import trickling
from wallclock import ends_within

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CSP = "content-security-policy"


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize(
    ("html", "head", "body"),
    [
        (
            "<html><head><meta http-equiv=Content-Security-Policy content=a></head><body></body>",
            ["a"],
            [],
        ),
        (
            f"<meta http-equiv={CSP} content=implied-head><p>text<meta http-equiv={CSP} content=b>",
            ["implied-head"],
            ["b"],
        ),
        (f"<head></head><meta http-equiv={CSP} content=after-head><body>", ["after-head"], []),
        (f"<html>text first<meta http-equiv={CSP} content=x>", [], ["x"]),
        (f"<head><template><meta http-equiv={CSP} content=t></template></head>", [], []),
        (
            f"<body><template><template></template><meta http-equiv={CSP} content=t></template>",
            [],
            [],
        ),
        (
            f"<head><noscript><meta http-equiv={CSP} content=n></noscript><meta http-equiv={CSP} content=h>",
            ["h"],
            [],
        ),
        (f"<head><title>a <meta http-equiv={CSP} content=in-title></title></head>", [], []),
        (
            f"<head><link rel=icon href=x><script src=a.js></script><meta http-equiv={CSP} content=h></head>",
            ["h"],
            [],
        ),
        (
            f"<head><meta http-equiv=referrer content=no-referrer><meta http-equiv={CSP}></head>",
            [],
            [],
        ),
    ],
    ids=[
        "head",
        "implied-head-then-body",
        "between-head-and-body",
        "text-starts-the-body",
        "template-in-head",
        "nested-template",
        "noscript-is-text",
        "title-is-text",
        "head-elements-keep-the-head",
        "no-such-pragma-or-content",
    ],
)
def test_meta_position(html: str, head: list[str], body: list[str]) -> None:
    """A CSP <meta> counts only in <head> (as the HTML tree builder places it); template and
    noscript contents never count."""
    parser = parse(html)
    assert [c for n, c in parser.head_meta if n == CSP] == head
    assert [c for n, c in parser.body_meta if n == CSP] == body


def test_referrer_meta_and_scripts_outside_templates() -> None:
    """name=referrer is kept wherever it is in the document; scripts inside <template> are not."""
    parser = parse(
        "<head><meta name=Referrer content=same-origin><script src=/a.js integrity=sha384-x></script></head>"
        "<body><meta name=referrer content=unsafe-url><template><script src=/t.js></script>"
        "<meta name=referrer content=never></template><script src=/b.js crossorigin></script></body>"
    )
    assert parser.head_meta == [("referrer", "same-origin")]
    assert parser.body_meta == [("referrer", "unsafe-url")]
    assert parser.scripts == [("/a.js", "sha384-x", None), ("/b.js", None, "")]


def _web(stack: Any) -> tuple[str, Path]:
    v = stack.variables()
    return f"https://localhost:{v['GONOGO_DEMO_HTTPS_PORT']}", Path(v["GONOGO_DEMO_CA_BUNDLE"])


def test_demo_page_is_the_document(demo_stack: Any) -> None:
    """The clean demo's / is a 200 HTML document reached without redirects, its script listed."""
    base, ca = _web(demo_stack)
    page = http.fetch_page(http.Site(base, ca, 5.0))
    assert (page.status, page.redirects) == (200, ())
    assert page.header("strict-transport-security")
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".HASH.", s.src) for s in page.scripts] == [
        "/static/app.HASH.js"  # hashed asset names (smoke.assets)
    ]


def test_redirect_to_another_origin_is_not_followed(demo_stack: Any) -> None:
    """A redirect that leaves the origin (here the app's trailing-slash redirect, which drops the
    port) is returned as it is, Location kept, not followed."""
    base, ca = _web(demo_stack)
    page = http.fetch_page(http.Site(base + "/version/", ca, 5.0))
    assert 300 <= page.status < 400 and page.redirects == ()
    assert origin(page.header("location") or "") != origin(base)


def test_unavailable_page_keeps_its_headers(demo_stack: Any) -> None:
    """With / answering 503, the probe reports the 503 and the headers nginx still adds."""
    base, ca = _web(demo_stack)
    with demo_stack.fault("home-unavailable"):
        page = http.fetch_page(http.Site(base, ca, 5.0))
    assert page.status == 503 and page.header("content-security-policy")


class _Redirecting(BaseHTTPRequestHandler):
    """/ -> /a -> /home (relative and absolute Locations), /loop -> /loop, /away -> elsewhere;
    /health.json: a JSON health document of 20 KB; /app.js and its source map /app.js.map."""

    def do_GET(self) -> None:
        host = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/app.js":
            self._send(200, "text/javascript", b"run();\n//# sourceMappingURL=app.js.map\n")
            return
        if self.path == "/app.js.map":
            self._send(200, "application/json", b'{"version":3,"sources":["src/app.ts"]}')
            return
        if self.path == "/health.json":
            body = json.dumps(
                {"status": "ok", "checks": [{"name": f"dep{i}"} for i in range(1000)]}
            )
            self._send(200, "application/json", body.encode())
            return
        moves = {"/": "/a", "/a": f"{host}/home", "/loop": "/loop", "/away": "http://localhost:9/"}
        if self.path in moves:
            self.send_response(302)
            self.send_header("Location", moves[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<!doctype html><head><meta http-equiv=Content-Security-Policy content=\"default-src 'self'\">"
        self._send(200, "text/html", body)

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirecting() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_same_origin_redirects_are_followed(redirecting: str) -> None:
    """Relative and absolute same-origin redirects are followed to the document; the route is kept."""
    page = http.fetch_page(http.Site(redirecting + "/", None, 5.0))
    assert (page.status, page.url) == (200, redirecting + "/home")
    assert [(h.status, h.url) for h in page.redirects] == [
        (302, redirecting + "/"),
        (302, redirecting + "/a"),
    ]
    assert page.header("x-frame-options") == "DENY" and page.meta == ((CSP, "default-src 'self'"),)


def test_scripts_of_the_page_origin_are_probed_however_written(redirecting: str) -> None:
    """A script referenced with the host in capitals is the page's own (same origin): its
    source map is found, as for a relative src; another host's script is left alone."""
    page = http.fetch_page(http.Site(redirecting + "/", None, 5.0))
    port = redirecting.rsplit(":", 1)[1]
    refs = (
        http.ScriptRef(f"http://LOCALHOST:{port}/app.js"),
        http.ScriptRef("/app.js"),
        http.ScriptRef("http://127.0.0.2:9/other.js"),
    )
    page = replace(page, url=f"http://localhost:{port}/home", scripts=refs)
    facts = exposure.find_source_maps(http.Site(page.url, None, 5.0), page)
    assert [m.script_url for m in facts.scripts] == [
        f"http://LOCALHOST:{port}/app.js",
        f"http://localhost:{port}/app.js",
    ]
    for maps in facts.scripts:
        assert maps.script_status == 200 and maps.declared and maps.declared.endswith("/app.js.map")
        assert any(c.status == 200 for c in maps.candidates)


def test_health_json_longer_than_the_excerpt_is_parsed(redirecting: str) -> None:
    """A health document past the 4 KiB body excerpt is still JSON to smoke.health."""
    facts = smoke.fetch_json(http.Site(redirecting + "/health.json", None, 5.0))
    assert facts.status == 200 and facts.body is not None and facts.body["status"] == "ok"
    assert len(facts.body["checks"]) == 1000 and len(facts.text) == 500


@pytest.mark.parametrize(
    ("path", "hops"), [("/loop", 3), ("/away", 0)], ids=["loop-bounded", "other-origin"]
)
def test_redirects_stop_at_the_bound_or_the_origin(redirecting: str, path: str, hops: int) -> None:
    """A redirect loop stops after max_hops; a redirect to another origin is not followed."""
    page = http.fetch_page(http.Site(redirecting + path, None, 5.0), max_hops=3)
    assert page.status == 302 and len(page.redirects) == hops


@pytest.mark.parametrize("mode", ["body", "headers"])
def test_trickling_answer_ends_at_the_exchange_deadline(mode: str) -> None:
    """A server that answers a byte at a time (each read well within the timeout) is cut off at
    the exchange's wall-clock deadline: a ProbeTimeout naming the host and what came in how long."""
    with trickling(mode) as port:
        started = time.monotonic()
        with pytest.raises(ProbeTimeout, match=r"^127\.0\.0\.1: .* answered too slowly: \d+ bytes"):
            http.fetch(http.Site(f"http://127.0.0.1:{port}/", None, 1.0))
        assert time.monotonic() - started < ends_within(1.0)


def test_each_exchange_of_a_client_has_its_own_deadline(redirecting: str) -> None:
    """The deadline bounds one exchange, not the client: requests after the first budget has
    passed still get a full one."""
    budget = 5.0  # what a loopback answer gets on a loaded machine, as elsewhere in these tests
    with trickling("body") as port, http.open_client(None, budget) as client:
        with pytest.raises(ProbeTimeout):  # ends at its deadline: the whole first budget spent
            http.request(client, f"http://127.0.0.1:{port}/", budget)
        second = http.request(client, redirecting + "/home", budget)
    assert second.status == 200
