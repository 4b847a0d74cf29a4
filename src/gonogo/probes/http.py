"""HTTP probes for the web-security checks: a page, a redirect chain, CORS, exposure, rate limit.

I/O only. Every request has a timeout, verifies TLS against the configured CA bundle (or the
system store), never follows redirects by itself (a chain is evidence, followed by hand and
bounded) and reads at most ``MAX_BODY`` bytes (a probe for ``/backup.tar.gz`` must not
download a backup). Headers are kept raw: duplicates and order matter to the rules (two HSTS
headers, ``X-Frame-Options: DENY`` twice...). httpx errors become ``ProbeTimeout`` /
``ProbeRefused`` / ``ProbeError`` with a message naming the host and what to do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import ssl
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout

MAX_BODY = 1_000_000
EXCERPT = 4096
USER_AGENT = "gonogo-security-probe/0.1 (release gate)"
FOREIGN_ORIGIN = "https://gonogo-probe.example"
RANDOM = "{random}"  # replaced in probed paths by a fresh token (a path that cannot exist)
# not-found pages in the app's and the static server's territory (a framework's debug 404)
NOT_FOUND_TRIGGERS = ("/api/gonogo-{random}", "/gonogo-{random}.php", "/static/gonogo-{random}.js")
JSON, FORM = "application/json", "application/x-www-form-urlencoded"
ODD_JSON = b'{"username": 12345, "password": null, "id": "x", "page": -1, "items": {"a": []}}'
BAD_FORM = b"gonogo=%E0%A4%A&%zz=1&a[=&=&%"


@dataclass(frozen=True, slots=True)
class ScriptRef:
    """A ``<script src>`` of a page. Attributes: src (as written), integrity, crossorigin."""

    src: str
    integrity: str | None = None
    crossorigin: str | None = None


@dataclass(frozen=True, slots=True)
class HttpFacts:
    """One HTTP response, not redirected.

    Attributes:
        url: the URL requested. status: the status code.
        headers: raw (name, value) pairs in wire order, duplicates kept.
        set_cookies: every ``Set-Cookie`` value, in order.
        body_excerpt: the first ``EXCERPT`` characters of the body (decoded, lossy).
        elapsed_ms: time to the end of the (capped) body. http_version: e.g. ``HTTP/1.1``.
        meta: ``<meta http-equiv>`` (and ``name=referrer``) pairs, name lower-cased.
        scripts: the page's ``<script src>`` elements.
        body_sha256 / body_length: of the (capped) body, to compare pages.
    """

    url: str
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    set_cookies: tuple[str, ...] = ()
    body_excerpt: str = ""
    elapsed_ms: float = 0.0
    http_version: str = "HTTP/1.1"
    meta: tuple[tuple[str, str], ...] = ()
    scripts: tuple[ScriptRef, ...] = ()
    body_sha256: str = ""
    body_length: int = 0

    @property
    def https(self) -> bool:
        return self.url.lower().startswith("https://")

    def values(self, name: str) -> tuple[str, ...]:
        """Every value of header ``name`` (case-insensitive), in wire order."""
        key = name.lower()
        return tuple(v for k, v in self.headers if k.lower() == key)

    def header(self, name: str) -> str | None:
        found = self.values(name)
        return found[0] if found else None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


@dataclass(frozen=True, slots=True)
class Hop:
    """One response of a redirect chain. ``location`` is absolute (resolved against ``url``)."""

    url: str
    status: int
    location: str | None = None


@dataclass(frozen=True, slots=True)
class RedirectChain:
    """The responses from ``hops[0].url`` to the first non-redirect (or the bound).

    Attributes: hops: in order. truncated: still redirecting when the bound was reached.
    """

    hops: tuple[Hop, ...]
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class CorsObservation:
    """One request sent with an ``Origin`` and what the server allowed.

    Attributes:
        url / method (``GET`` or ``OPTIONS`` for a preflight) / origin (as sent) / status.
        allow_origin: every ``Access-Control-Allow-Origin`` value (several is itself a bug).
        allow_credentials / allow_methods / vary: the headers, when present.
    """

    url: str
    method: str
    origin: str
    status: int
    allow_origin: tuple[str, ...] = ()
    allow_credentials: str | None = None
    allow_methods: str | None = None
    vary: str | None = None


@dataclass(frozen=True, slots=True)
class CorsFacts:
    observations: tuple[CorsObservation, ...]


@dataclass(frozen=True, slots=True)
class PathProbe:
    """A GET of a path that should not serve anything interesting.

    Attributes: path (as asked), url, status, content_type, length/sha256 of the capped body,
    excerpt (decoded start of the body), head_hex (first 8 bytes, for archive magic numbers).
    """

    path: str
    url: str
    status: int
    content_type: str = ""
    length: int = 0
    sha256: str = ""
    excerpt: str = ""
    head_hex: str = ""


@dataclass(frozen=True, slots=True)
class ExposureFacts:
    """Probed paths and, for comparison, the answer to a path that cannot exist (SPA catch-all)."""

    baseline: PathProbe
    probes: tuple[PathProbe, ...]


@dataclass(frozen=True, slots=True)
class ScriptMaps:
    """A same-origin script and its source-map candidates.

    Attributes: script_url, script_status, declared (``sourceMappingURL``/``SourceMap`` value,
    resolved; ``data:`` when the map is inlined), candidates: the map URLs fetched.
    """

    script_url: str
    script_status: int
    declared: str | None
    candidates: tuple[PathProbe, ...]


@dataclass(frozen=True, slots=True)
class SourceMapFacts:
    page_url: str
    scripts: tuple[ScriptMaps, ...]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One login attempt: number (1-based), status, at (UTC ISO, when sent), offset_s (since the
    first was sent), retry_after (the header, if any)."""

    number: int
    status: int
    at: str
    offset_s: float
    retry_after: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimitFacts:
    url: str
    attempts: tuple[Attempt, ...]
    planned: int


@dataclass(frozen=True, slots=True)
class CookieObservation:
    """One ``Set-Cookie``: the step that caused it (``GET /``, ``POST /login``), the response URL,
    status and ``Date`` (to tell a deletion from a cookie), and the raw header value."""

    step: str
    url: str
    status: int
    set_cookie: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class CookieFacts:
    """Every Set-Cookie seen while visiting pages and logging in; ``steps`` with their statuses."""

    observations: tuple[CookieObservation, ...]
    steps: tuple[str, ...]


def fetch(
    url: str,
    *,
    ca_bundle: Path | None,
    timeout: float,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    verify: bool = True,
) -> HttpFacts:
    """One request to ``url``, redirects not followed (``verify=False``: certificate unchecked)."""
    with _client(ca_bundle, timeout, verify=verify) as client:
        return _fetch(client, url, timeout, method=method, headers=headers)


def follow_redirects(
    url: str, *, ca_bundle: Path | None, timeout: float, max_hops: int = 10, verify: bool = True
) -> RedirectChain:
    """Follow ``Location`` by hand from ``url`` (usually ``http://``), at most ``max_hops``."""
    hops: list[Hop] = []
    with _client(ca_bundle, timeout, verify=verify) as client:
        current = url
        for _ in range(max_hops + 1):
            facts = _fetch(client, current, timeout, method="GET")
            location = facts.header("location")
            target = (
                urljoin(current, location.strip())
                if location and 300 <= facts.status < 400
                else None
            )
            hops.append(Hop(url=current, status=facts.status, location=target))
            if target is None:
                return RedirectChain(hops=tuple(hops))
            current = target
    return RedirectChain(hops=tuple(hops), truncated=True)


def probe_cors(
    base_url: str,
    paths: Sequence[str],
    allowed: Sequence[str],
    *,
    ca_bundle: Path | None,
    timeout: float,
    verify: bool = True,
) -> CorsFacts:
    """GET each path with a foreign origin, ``null``, each allowed origin and look-alikes of it,
    and send one preflight per path (foreign origin, and the first allowed origin)."""
    origins = [FOREIGN_ORIGIN, "null", *allowed]
    for origin in allowed:  # look-alikes catch suffix/prefix matching and scheme confusion
        parts = urlsplit(origin)
        origins += [
            f"{parts.scheme}://{parts.netloc}.gonogo-probe.example",
            f"{parts.scheme}://gonogo{parts.netloc}",
        ]
        if parts.scheme == "https":
            origins.append(f"http://{parts.netloc}")
    found: list[CorsObservation] = []
    with _client(ca_bundle, timeout, verify=verify) as client:
        for path in paths:
            url = base_url.rstrip("/") + path
            for origin in origins:
                found.append(_cors(client, url, "GET", origin, timeout))
            for origin in [FOREIGN_ORIGIN, *allowed[:1]]:
                found.append(_cors(client, url, "OPTIONS", origin, timeout))
    return CorsFacts(observations=tuple(found))


def probe_paths(
    base_url: str,
    paths: Sequence[str],
    *,
    ca_bundle: Path | None,
    timeout: float,
    excerpt: int = 2048,
) -> ExposureFacts:
    """GET each path (``{random}`` replaced) and a path that cannot exist, for comparison."""
    with _client(ca_bundle, timeout) as client:
        baseline = _path(client, base_url, f"/gonogo-{RANDOM}-not-found", timeout, excerpt)
        probes = tuple(_path(client, base_url, p, timeout, excerpt) for p in paths)
    return ExposureFacts(baseline=baseline, probes=probes)


def provoke_errors(
    base_url: str,
    *,
    body_paths: Sequence[str],
    api_path: str | None,
    error_paths: Sequence[str],
    ca_bundle: Path | None,
    timeout: float,
    excerpt: int = 16384,
) -> ExposureFacts:
    """Ask for error pages: not-found paths, malformed bodies, bad encodings, an over-long path,
    an unknown method, and ``error_paths``. Each probe's ``path`` says what was sent.

    Nothing here changes data: bodies are malformed (no handler can act on them) and the
    unknown method ``GONOGO`` is implemented by no server.
    """
    api = (api_path or "/api/").rstrip("/") or ""
    sends: list[tuple[str, str, str, bytes | None, str | None]] = [
        ("GET", p, f"GET {p}", None, None) for p in NOT_FOUND_TRIGGERS
    ]
    for path in dict.fromkeys(body_paths):
        sends += [
            ("POST", path, f"POST {path} (malformed JSON)", b'{"gonogo": [1, 2,', JSON),
            ("POST", path, f"POST {path} (JSON of unexpected types)", ODD_JSON, JSON),
            ("POST", path, f"POST {path} (malformed form)", BAD_FORM, FORM),
        ]
    sends += [
        ("GET", f"{api}/%zz%E0%A4", f"GET {api}/%zz%E0%A4 (bad percent-encoding)", None, None),
        ("GET", f"{api}?q=%zz%&page=-1", f"GET {api}?q=%zz%&page=-1 (bad query)", None, None),
        ("GET", "/" + "gonogo-" + "a" * 9000, "GET /gonogo-aaa... (9 kB path)", None, None),
        ("GONOGO", "/", "GONOGO / (unknown method)", None, None),
        ("GONOGO", api or "/", f"GONOGO {api or '/'} (unknown method)", None, None),
    ]
    sends += [("GET", p, f"GET {p} (error_paths)", None, None) for p in error_paths]
    with _client(ca_bundle, timeout) as client:
        baseline = _path(client, base_url, f"/gonogo-{RANDOM}-not-found", timeout, excerpt)
        probes = tuple(
            _path(
                client,
                base_url,
                path,
                timeout,
                excerpt,
                method=method,
                body=body,
                content_type=ctype,
                label=label,
            )
            for method, path, label, body, ctype in sends
        )
    return ExposureFacts(baseline=baseline, probes=probes)


def find_source_maps(
    page: HttpFacts, *, ca_bundle: Path | None, timeout: float, max_scripts: int = 20
) -> SourceMapFacts:
    """Fetch the page's same-origin scripts and every source map they point to (or ``.map``)."""
    host = urlsplit(page.url).netloc
    urls = [urljoin(page.url, s.src) for s in page.scripts]
    same = [u for u in dict.fromkeys(urls) if urlsplit(u).netloc == host][:max_scripts]
    found: list[ScriptMaps] = []
    with _client(ca_bundle, timeout) as client:
        for url in same:
            response, data, _ = _exchange(client, url, timeout)
            declared = (
                response.headers.get("sourcemap")
                or response.headers.get("x-sourcemap")
                or _map_comment(data[-4096:].decode("utf-8", errors="replace"))
            )
            if declared and not declared.startswith("data:"):
                declared = urljoin(url, declared)
            candidates = {url.split("?")[0].split("#")[0] + ".map"}
            if declared and not declared.startswith("data:") and urlsplit(declared).netloc == host:
                candidates.add(declared)
            probes = tuple(_path(client, u, "", timeout, 512) for u in sorted(candidates))
            found.append(
                ScriptMaps(url, response.status_code, declared[:200] if declared else None, probes)
            )
    return SourceMapFacts(page_url=page.url, scripts=tuple(found))


def collect_cookies(
    base_url: str,
    pages: Sequence[str],
    *,
    ca_bundle: Path | None,
    timeout: float,
    login_path: str | None = None,
    login_method: str = "POST",
    login_format: str = "form",
    login_fields: Mapping[str, str] | None = None,
) -> CookieFacts:
    """Visit ``pages`` then submit the login form once; record every Set-Cookie.

    Raises ``ProbeError`` when the login is rate limited (429): nothing could be judged.
    """
    requests: list[tuple[str, str, tuple[str, dict[str, str]] | None]]
    requests = [("GET", path, None) for path in pages]
    if login_path:
        requests.append((login_method, login_path, (login_format, dict(login_fields or {}))))
    seen: list[CookieObservation] = []
    steps: list[str] = []
    with _client(ca_bundle, timeout) as client:  # one client: cookies carry over, as in a browser
        for method, path, body in requests:
            facts = _fetch(client, base_url.rstrip("/") + path, timeout, method=method, body=body)
            step = f"{method} {path}"
            if body is not None and facts.status == 429:
                # Not a verdict on cookies: the login was never processed (often the
                # rate-limit probe's own doing, the limiter stays engaged for its window).
                raise ProbeError(
                    f"{urlsplit(facts.url).hostname}: {step} answered 429 (rate limited), so its "
                    "cookies were not checked; rerun after the limiter's window, or run "
                    "cookies.flags before ratelimit.login"
                )
            steps.append(f"{step} -> {facts.status}")
            date = facts.header("date")
            seen += [
                CookieObservation(step, facts.url, facts.status, c, date) for c in facts.set_cookies
            ]
    return CookieFacts(observations=tuple(seen), steps=tuple(steps))


def probe_rate_limit(
    url: str,
    *,
    attempts: int,
    refusal_statuses: Sequence[int],
    ca_bundle: Path | None,
    timeout: float,
    method: str = "POST",
    body_format: str = "form",
    fields: Mapping[str, str] | None = None,
) -> RateLimitFacts:
    """Send up to ``attempts`` failed logins, one after the other; stop at the first refusal.

    A fresh client per attempt, so that no session cookie makes the limiter treat us kindly.
    """
    done: list[Attempt] = []
    start = time.monotonic()
    for number in range(1, attempts + 1):
        # when the attempt was sent: the limiter's window is counted from the requests
        at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        offset = round(time.monotonic() - start, 3)
        with _client(ca_bundle, timeout) as client:
            body = (body_format, dict(fields or {}))
            facts = _fetch(client, url, timeout, method=method, body=body)
        done.append(Attempt(number, facts.status, at, offset, facts.header("retry-after")))
        if facts.status in refusal_statuses:
            break
    return RateLimitFacts(url=url, attempts=tuple(done), planned=attempts)


def plain_url(base_url: str) -> str:
    """The ``http://`` twin of an ``https://`` base URL, on the default port 80."""
    host = urlsplit(base_url).hostname or ""
    return f"http://[{host}]/" if ":" in host else f"http://{host}/"


# -- internals -------------------------------------------------------------------------------


def _client(ca_bundle: Path | None, timeout: float, *, verify: bool = True) -> httpx.Client:
    # An explicit SSL context: the CA bundle when configured, else the system store. trust_env
    # is off so that no proxy variable sends probe traffic anywhere but the target.
    context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    if not verify:  # only to grade a site whose certificate tls.certificate already failed
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return httpx.Client(
        verify=context,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


@contextmanager
def _mapped(url: str, timeout: float) -> Iterator[None]:
    host = urlsplit(url).hostname or url
    try:
        yield
    except httpx.TimeoutException as err:
        raise ProbeTimeout(
            f"{host}: no answer from {url} within {timeout:g} s; check the site is up "
            "and reachable from this runner, or raise [web] timeout_s"
        ) from err
    except httpx.ConnectError as err:
        reason = _reason(err)
        if "CERTIFICATE_VERIFY_FAILED" in reason:
            raise ProbeError(
                f"{host}: TLS certificate of {url} not trusted ({reason}); set [web] ca_bundle "
                "to the CA that signed it"
            ) from err
        raise ProbeRefused(
            f"{host}: cannot connect to {url} ({reason}); check [web] base_url/http_url "
            "and that the service listens"
        ) from err
    except (httpx.HTTPError, httpx.InvalidURL) as err:
        raise ProbeError(
            f"{host}: request to {url} failed ({_reason(err)}); check the URL in [web]"
        ) from err


def _exchange(
    client: httpx.Client,
    url: str,
    timeout: float,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: tuple[str, dict[str, str]] | None = None,
    content: bytes | None = None,
    limit: int = MAX_BODY,
) -> tuple[httpx.Response, bytes, float]:
    kwargs: dict[str, object] = {"headers": dict(headers or {})}
    if body is not None:
        kwargs["json" if body[0] == "json" else "data"] = body[1]
    elif content is not None:  # sent as is: malformed on purpose
        kwargs["content"] = content
    started = time.perf_counter()
    with _mapped(url, timeout), client.stream(method, url, **kwargs) as response:  # type: ignore[arg-type]
        data = bytearray()
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= limit:
                break
    return response, bytes(data[:limit]), (time.perf_counter() - started) * 1000


def _fetch(
    client: httpx.Client,
    url: str,
    timeout: float,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: tuple[str, dict[str, str]] | None = None,
    limit: int = MAX_BODY,
) -> HttpFacts:
    response, data, elapsed = _exchange(
        client, url, timeout, method=method, headers=headers, body=body, limit=limit
    )
    return _facts(url, response, data, elapsed)


def _facts(url: str, response: httpx.Response, data: bytes, elapsed: float) -> HttpFacts:
    raw = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw)
    text = data.decode(response.charset_encoding or "utf-8", errors="replace")
    meta: tuple[tuple[str, str], ...] = ()
    scripts: tuple[ScriptRef, ...] = ()
    ctype = response.headers.get("content-type", "").lower()
    if "html" in ctype or (not ctype and text.lstrip()[:1] == "<"):
        parser = _PageParser()
        parser.feed(text)
        parser.close()
        meta, scripts = tuple(parser.meta), tuple(parser.scripts)
    return HttpFacts(
        url=url,
        status=response.status_code,
        headers=raw,
        set_cookies=tuple(v for k, v in raw if k.lower() == "set-cookie"),
        body_excerpt=text[:EXCERPT],
        elapsed_ms=round(elapsed, 1),
        http_version=response.http_version,
        meta=meta,
        scripts=scripts,
        body_sha256=hashlib.sha256(data).hexdigest(),
        body_length=len(data),
    )


def _path(
    client: httpx.Client,
    base_url: str,
    path: str,
    timeout: float,
    excerpt: int,
    *,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str | None = None,
    label: str | None = None,
) -> PathProbe:
    asked = path.replace(RANDOM, secrets.token_hex(8))
    url = base_url.rstrip("/") + asked if path else base_url
    headers = {"Content-Type": content_type} if content_type else None
    response, data, _ = _exchange(
        client, url, timeout, method=method, headers=headers, content=body, limit=MAX_BODY
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
    )


def _cors(
    client: httpx.Client, url: str, method: str, origin: str, timeout: float
) -> CorsObservation:
    headers = {"Origin": origin}
    if method == "OPTIONS":
        headers |= {
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        }
    facts = _fetch(client, url, timeout, method=method, headers=headers, limit=EXCERPT)
    return CorsObservation(
        url=url,
        method=method,
        origin=origin,
        status=facts.status,
        allow_origin=facts.values("access-control-allow-origin"),
        allow_credentials=facts.header("access-control-allow-credentials"),
        allow_methods=facts.header("access-control-allow-methods"),
        vary=", ".join(facts.values("vary")) or None,
    )


def _map_comment(tail: str) -> str | None:
    # Bundlers append the comment on the last line; //@ is the legacy spelling.
    for marker in ("//# sourceMappingURL=", "//@ sourceMappingURL=", "/*# sourceMappingURL="):
        at = tail.rfind(marker)
        if at >= 0:
            value = tail[at + len(marker) :].split()
            return value[0].removesuffix("*/") if value else None
    return None


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.scripts: list[ScriptRef] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta" and "content" in values:
            name = values.get("http-equiv") or (
                "referrer" if values.get("name", "").lower() == "referrer" else ""
            )
            if name:
                self.meta.append((name.lower(), values["content"]))
        elif tag == "script" and values.get("src"):
            self.scripts.append(
                ScriptRef(values["src"], values.get("integrity"), values.get("crossorigin"))
            )


def _reason(err: Exception) -> str:
    text = str(err) or type(err).__name__
    return text.splitlines()[0][:200]
