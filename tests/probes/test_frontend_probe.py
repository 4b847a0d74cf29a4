"""The front-end probe's reading of HTML: which subresources a browser would fetch, and which
of them are the same-origin assets it fetches itself."""

from __future__ import annotations

from gonogo.probes.frontend import _Refs, assets_of

HTML = """<!doctype html><html><head>
<link rel="stylesheet" href="/static/app.1a2b3c4d.css"><link rel="canonical" href="http://x/">
<link rel="icon" href="http://cdn.example.com/i.ico"><script src="app.9f8e7d6c.js"></script>
<script src="https://cdn.example.com/lib.js"></script><script>inline()</script>
</head><body><template><script src="http://inert.example/t.js"></script></template>
<noscript><img src="http://inert.example/n.png"></noscript>
<img src="//shop.example.com/logo.png"><form action="http://shop.example.com/pay"></form>
</body></html>"""


def test_refs_are_what_a_browser_fetches() -> None:
    """Scripts, stylesheets, icons, images and form actions, resolved; canonical links and
    inert template/noscript content are not fetched."""
    parser = _Refs("https://shop.example.com/")
    parser.feed(HTML)
    assert [(r.tag, r.url) for r in parser.refs] == [
        ("link", "https://shop.example.com/static/app.1a2b3c4d.css"),
        ("link", "http://cdn.example.com/i.ico"),
        ("script", "https://shop.example.com/app.9f8e7d6c.js"),
        ("script", "https://cdn.example.com/lib.js"),
        ("img", "https://shop.example.com/logo.png"),
        ("form", "http://shop.example.com/pay"),
    ]
    assert assets_of(tuple(parser.refs), "https://shop.example.com/") == [
        "https://shop.example.com/static/app.1a2b3c4d.css",
        "https://shop.example.com/app.9f8e7d6c.js",
    ]
