"""Exposure probes: paths that should serve nothing, provoked error pages, source maps.

I/O only; requests go through ``probes/http.py`` (timeouts, capped bodies, no redirects).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from gonogo.endpoints import origin
from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.facts.exposure import ExposureFacts, PathProbe, ScriptMaps, SourceMapFacts, Technique
from gonogo.facts.http import HttpFacts
from gonogo.probes import http

RANDOM = "{random}"  # replaced in probed paths by a fresh token (a path that cannot exist)
# not-found pages in the app's and the static server's territory (a framework's debug 404)
NOT_FOUND_TRIGGERS = ("/api/gonogo-{random}", "/gonogo-{random}.php", "/static/gonogo-{random}.js")
JSON, FORM = "application/json", "application/x-www-form-urlencoded"


# over every default header limit (nginx 8 kB, Apache 8 kB, Node.js and IIS 16 kB, h11 16 kB)
BIG_HEADER = {"X-Gonogo-Padding": "a" * 32 * 1024}
BAD_JSON = b'{"gonogo": [1, 2,'
ODD_JSON = b'{"username": 12345, "password": null, "id": "x", "page": -1, "items": {"a": []}}'
BAD_FORM = b"gonogo=%E0%A4%A&%zz=1&a[=&=&%"


def probe_paths(site: http.Site, paths: Sequence[str], *, excerpt: int = 2048) -> ExposureFacts:
    """GET each path (``{random}`` replaced) and a path that cannot exist, for comparison."""
    base_url, timeout = site.url, site.timeout_s
    with http.open_client(site.ca_bundle, timeout) as client:
        baseline = _path(client, base_url, f"/gonogo-{RANDOM}-not-found", timeout, excerpt)
        probes = tuple(_path(client, base_url, p, timeout, excerpt) for p in paths)
    return ExposureFacts(baseline=baseline, probes=probes)


def provoke_errors(
    site: http.Site,
    *,
    body_paths: Sequence[str],
    api_path: str | None,
    error_paths: Sequence[str],
    excerpt: int = 16384,
) -> ExposureFacts:
    """Ask for error pages with the standard techniques (``Technique``): not-found paths,
    malformed bodies, bad percent-encoding, an over-long path, an oversized header, an
    unsupported method, and ``error_paths``. Each probe's ``path`` says what was sent.

    Nothing here changes data: bodies are malformed (no handler can act on them), the
    unknown method ``GONOGO`` is implemented by no server, and the oversized header is sent
    with a GET of ``/``.
    """
    api, t = (api_path or "/api/").rstrip("/"), Technique
    sends = [_Send(t.NOT_FOUND, "GET", p, f"GET {p}") for p in NOT_FOUND_TRIGGERS]
    for path in dict.fromkeys(body_paths):
        sends += [
            _Send(t.BODY, "POST", path, f"POST {path} (malformed JSON)", BAD_JSON, JSON),
            _Send(t.BODY, "POST", path, f"POST {path} (JSON of unexpected types)", ODD_JSON, JSON),
            _Send(t.BODY, "POST", path, f"POST {path} (malformed form)", BAD_FORM, FORM),
        ]
    bad_path, bad_query, long_path = (
        f"{api}/%zz%E0%A4",
        f"{api}?q=%zz%&page=-1",
        "/gonogo-" + "a" * 9000,
    )
    sends += [
        _Send(t.ENCODING, "GET", bad_path, f"GET {bad_path} (bad percent-encoding)"),
        _Send(t.ENCODING, "GET", bad_query, f"GET {bad_query} (bad query)"),
        _Send(t.LONG_PATH, "GET", long_path, "GET /gonogo-aaa... (9 kB path)"),
        _Send(t.BIG_HEADER, "GET", "/", "GET / (32 kB header)", headers=BIG_HEADER),
        _Send(t.METHOD, "GONOGO", "/", "GONOGO / (unknown method)"),
        _Send(t.METHOD, "GONOGO", api or "/", f"GONOGO {api or '/'} (unknown method)"),
    ]
    sends += [_Send(t.DECLARED, "GET", p, f"GET {p} (error_paths)") for p in error_paths]
    base_url, timeout = site.url, site.timeout_s
    with http.open_client(site.ca_bundle, timeout) as client:
        baseline = _path(
            client,
            base_url,
            f"/gonogo-{RANDOM}-not-found",
            timeout,
            excerpt,
            technique=Technique.NOT_FOUND,
        )
        probes = tuple(_sent(client, base_url, send, timeout, excerpt) for send in sends)
    return ExposureFacts(baseline=baseline, probes=probes)


@dataclass(frozen=True, slots=True)
class _Send:
    """One provoking request: its technique, method, path, label, body and extra headers."""

    technique: str
    method: str
    path: str
    label: str
    body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] | None = None


def _sent(
    client: http.ProbeClient, base_url: str, send: _Send, timeout: float, excerpt: int
) -> PathProbe:
    """The answer to ``send``; status 0 when a malformed request got none: a server may close
    the connection on an oversized header or a bad request line, which shows nothing either."""
    try:
        return _path(
            client,
            base_url,
            send.path,
            timeout,
            excerpt,
            method=send.method,
            body=send.body,
            content_type=send.content_type,
            label=send.label,
            headers=send.headers,
            technique=send.technique,
        )
    except (ProbeRefused, ProbeTimeout):  # the site is down or silent: the check cannot go on
        raise
    except ProbeError:
        if send.technique in (
            Technique.NOT_FOUND,
            Technique.DECLARED,
        ):  # well-formed requests deserve an answer
            raise
        url = base_url.rstrip("/") + send.path
        return PathProbe(f"{send.label} (no answer)", url, 0, technique=send.technique)


def find_source_maps(site: http.Site, page: HttpFacts, *, max_scripts: int = 20) -> SourceMapFacts:
    """Fetch the same-origin scripts of ``page`` (a page of ``site``) and every source map they
    point to (or ``.map``)."""
    timeout = site.timeout_s
    host, page_origin = urlsplit(page.url).netloc, origin(page.url)

    def served_here(url: str) -> bool:
        # the page's origin (an explicit :443 included) or its host as written (a script
        # referenced over http:// is still the target's file)
        return origin(url) == page_origin or urlsplit(url).netloc == host

    urls = [urljoin(page.url, s.src) for s in page.scripts]
    same = [u for u in dict.fromkeys(urls) if served_here(u)][:max_scripts]
    found: list[ScriptMaps] = []
    with http.open_client(site.ca_bundle, timeout) as client:
        for url in same:
            response, data, _ = http.exchange(client, url, timeout)
            declared = (
                response.headers.get("sourcemap")
                or response.headers.get("x-sourcemap")
                or _map_comment(data[-4096:].decode("utf-8", errors="replace"))
            )
            if declared and not declared.startswith("data:"):
                declared = urljoin(url, declared)
            candidates = {url.split("?")[0].split("#")[0] + ".map"}
            if declared and not declared.startswith("data:") and served_here(declared):
                candidates.add(declared)
            probes = tuple(_path(client, u, "", timeout, 512) for u in sorted(candidates))
            found.append(
                ScriptMaps(url, response.status_code, declared[:200] if declared else None, probes)
            )
    return SourceMapFacts(page_url=page.url, scripts=tuple(found), page_status=page.status)


def _path(
    client: http.ProbeClient,
    base_url: str,
    path: str,
    timeout: float,
    excerpt: int,
    *,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str | None = None,
    label: str | None = None,
    headers: dict[str, str] | None = None,
    technique: str = "",
) -> PathProbe:
    asked = path.replace(RANDOM, secrets.token_hex(8))
    url = base_url.rstrip("/") + asked if path else base_url
    sent = {**(headers or {}), **({"Content-Type": content_type} if content_type else {})}
    response, data, _ = http.exchange(
        client, url, timeout, method=method, headers=sent or None, content=body, limit=http.MAX_BODY
    )
    return PathProbe(
        path=label or path or url,
        url=url,
        status=response.status_code,
        content_type=response.headers.get("content-type", "").split(";")[0].strip().lower(),
        length=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        excerpt=data[: excerpt * 4].decode("utf-8", errors="replace")[:excerpt],
        head_hex=data[:8].hex(),
        technique=technique,
    )


def _map_comment(tail: str) -> str | None:
    # Bundlers append the comment on the last line; //@ is the legacy spelling.
    for marker in ("//# sourceMappingURL=", "//@ sourceMappingURL=", "/*# sourceMappingURL="):
        at = tail.rfind(marker)
        if at >= 0:
            value = tail[at + len(marker) :].split()
            return value[0].removesuffix("*/") if value else None
    return None
