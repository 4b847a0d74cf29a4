"""The front-end smoke probe: the index as a browser loads it, the subresources its HTML names,
and its same-origin scripts and stylesheets fetched with compression accepted.

I/O only, over :mod:`gonogo.probes.http` (bounded, TLS-verified, no redirects followed); at most
``MAX_ASSETS`` assets are fetched, the rest are counted.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from gonogo.facts.frontend import Asset, FrontendFacts, Ref
from gonogo.probes import http
from gonogo.schema.smoke import Frontend
from gonogo.schema.web import WebConfig

MAX_ASSETS = 20
ACCEPT = {"Accept-Encoding": "gzip, deflate, br", "Accept": "*/*"}
# the subresource attributes a browser fetches (mixed content); form action submits
_ATTRS = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
    "track": "src",
    "embed": "src",
    "object": "data",
    "form": "action",
}
_FETCHED_RELS = frozenset({"stylesheet", "preload", "modulepreload"})


class _Refs(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.refs: list[Ref] = []
        self._inert = 0  # inside <template> or <noscript>: never fetched

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("template", "noscript"):
            self._inert += 1
            return
        attr = _ATTRS.get(tag)
        values = {k.lower(): (v or "").strip() for k, v in attrs}
        if self._inert or attr is None or not values.get(attr):
            return
        rel = values.get("rel", "").lower() if tag == "link" else ""
        if tag == "link" and not (set(rel.split()) & {*_FETCHED_RELS, "icon", "manifest"}):
            return  # canonical, alternate...: not loaded by the page
        self.refs.append(Ref(tag, attr, rel, urljoin(self.base, values[attr])))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("template", "noscript") and self._inert:
            self._inert -= 1


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def assets_of(refs: tuple[Ref, ...], index_url: str) -> list[str]:
    """The same-origin scripts and stylesheets, in document order, each once."""
    origin = _origin(index_url)
    wanted = [
        r.url
        for r in refs
        if (r.tag == "script" or (r.tag == "link" and set(r.rel.split()) & _FETCHED_RELS))
        and _origin(r.url) == origin
    ]
    return list(dict.fromkeys(wanted))


def fetch_frontend(web: WebConfig, frontend: Frontend) -> FrontendFacts:
    """GET the index and its same-origin assets as a browser would (compression accepted)."""
    url = web.url(frontend.index_path)
    with http.open_client(web.ca_bundle, web.timeout_s) as client:
        headers = {**ACCEPT, "Accept": "text/html"}
        response, data, _ = http.exchange(client, url, web.timeout_s, headers=headers)
        parser = _Refs(url)
        parser.feed(data.decode(response.charset_encoding or "utf-8", errors="replace"))
        refs = tuple(parser.refs)
        wanted = assets_of(refs, url)
        assets = []
        for asset_url in wanted[:MAX_ASSETS]:
            answer, body, _ = http.exchange(client, asset_url, web.timeout_s, headers=ACCEPT)
            assets.append(
                Asset(
                    url=asset_url,
                    status=answer.status_code,
                    cache_control=answer.headers.get("cache-control", ""),
                    content_encoding=answer.headers.get("content-encoding", "").lower(),
                    content_type=answer.headers.get("content-type", "").split(";")[0].strip(),
                    size=len(body),
                )
            )
    return FrontendFacts(
        url=url,
        status=response.status_code,
        cache_control=response.headers.get("cache-control", ""),
        expires=response.headers.get("expires", ""),
        refs=refs,
        assets=tuple(assets),
        left_out=max(0, len(wanted) - MAX_ASSETS),
    )
