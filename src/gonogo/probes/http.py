"""HTTP probes: the site's page, a redirect chain, and the client the other web probes share.

The CORS, exposure, cookie and rate-limit probes (``probes/cors.py``, ``exposure.py``,
``cookies.py``, ``ratelimit.py``) send their requests through ``open_client``/``request`` here.
I/O only. Every exchange (connect, TLS, request, headers and body) ends within its timeout,
wall-clock, however slowly the server trickles its answer (``_deadline.py``); it verifies TLS
against the configured CA bundle (or the system store), never follows redirects by itself (a
chain is evidence, followed by hand and bounded) and reads at most ``MAX_BODY`` bytes (a probe
for ``/backup.tar.gz`` must not download a backup). Headers are kept raw: duplicates and order
matter to the rules (two HSTS headers, ``X-Frame-Options: DENY`` twice...). httpx errors become ``ProbeTimeout`` /
``ProbeRefused`` / ``ProbeError`` with a message naming the host and what to do.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from gonogo.endpoints import origin
from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.facts.http import Hop, HttpFacts, RedirectChain, ScriptRef
from gonogo.model import ErrorReason
from gonogo.probes._deadline import Backend, Budget
from gonogo.probes._html import PageParser
from gonogo.redact import observe

if TYPE_CHECKING:
    from gonogo.schema.web import WebConfig

MAX_BODY = 1_000_000
EXCERPT = 4096
USER_AGENT = "gonogo-security-probe/0.1 (release gate)"


@dataclass(frozen=True, slots=True)
class Site:
    """What a web probe talks to: a URL of the site, the CA bundle to trust, the timeout.

    The web family's typed target, derived from ``[web]`` by :meth:`of` (gate tests and recipes
    never unpack the section by hand). ``verify=False`` leaves the certificate unchecked: only
    to grade a site whose certificate ``tls.certificate`` already failed.

    Attributes: url: the URL probed (``[web] base_url`` unless told). ca_bundle: PEM file of
    the CAs to trust (None: the system store). timeout_s: for each exchange, wall-clock.
    verify: check the certificate.
    """

    url: str
    ca_bundle: Path | None = None
    timeout_s: float = 10.0
    verify: bool = True

    @classmethod
    def of(cls, web: WebConfig, url: str | None = None, *, verify: bool = True) -> Site:
        """The site ``[web]`` names, at ``url`` (default: its ``base_url``)."""
        return cls(str(url or web.base_url), web.ca_bundle, web.timeout_s, verify)

    def at(self, url: str) -> Site:
        """The same site, another URL of it."""
        return replace(self, url=url)

    def path(self, path: str) -> str:
        """``url`` joined with ``path`` (``/login``) as the probes request it."""
        return self.url.rstrip("/") + path


def fetch(
    site: Site, *, method: str = "GET", headers: Mapping[str, str] | None = None
) -> HttpFacts:
    """One request to ``site.url``, redirects not followed."""
    with open_client(site.ca_bundle, site.timeout_s, verify=site.verify) as client:
        return request(client, site.url, site.timeout_s, method=method, headers=headers)


def fetch_page(
    site: Site, *, max_hops: int = 10, headers: Mapping[str, str] | None = None
) -> HttpFacts:
    """The document a browser shows for ``site.url``: same-origin redirects followed (at most
    ``max_hops``), as the HTTP Observatory judges its final response.

    A redirect to another origin is not followed (that origin's headers are not the site's):
    the 3xx is returned, its ``Location`` kept. ``redirects`` holds the hops followed.
    """
    hops: list[Hop] = []
    timeout = site.timeout_s
    with open_client(site.ca_bundle, timeout, verify=site.verify) as client:
        current = site.url
        while True:
            facts = request(client, current, timeout, headers=headers)
            location = facts.header("location")
            if not (300 <= facts.status < 400 and location) or len(hops) >= max_hops:
                break
            target = urljoin(current, location.strip())
            if origin(target) != origin(current):
                break
            hops.append(Hop(url=current, status=facts.status, location=target))
            current = target
    return replace(facts, redirects=tuple(hops))


def follow_redirects(site: Site, *, max_hops: int = 10) -> RedirectChain:
    """Follow ``Location`` by hand from ``site.url`` (usually ``http://``), at most ``max_hops``."""
    hops: list[Hop] = []
    timeout = site.timeout_s
    with open_client(site.ca_bundle, timeout, verify=site.verify) as client:
        current = site.url
        for _ in range(max_hops + 1):
            facts = request(client, current, timeout, method="GET")
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


def plain_url(base_url: str) -> str:
    """The ``http://`` twin of an ``https://`` base URL, on the default port 80."""
    host = urlsplit(base_url).hostname or ""
    return f"http://[{host}]/" if ":" in host else f"http://{host}/"


# -- internals -------------------------------------------------------------------------------


class ProbeClient(httpx.Client):
    """An httpx client whose every wait ends at the deadline of the exchange in progress.

    Attributes: budget: that deadline (set by :func:`exchange`), shared by its connections.
    """

    def __init__(self, budget: Budget, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = budget


def open_client(ca_bundle: Path | None, timeout: float, *, verify: bool = True) -> ProbeClient:
    # An explicit SSL context: the CA bundle when configured, else the system store. trust_env
    # is off so that no proxy variable sends probe traffic anywhere but the target.
    context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    if not verify:  # only to grade a site whose certificate tls.certificate already failed
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    budget = Budget()
    transport = httpx.HTTPTransport(verify=context, trust_env=False)
    # httpx has no parameter for httpcore's network backend; its pool reads this attribute
    # whenever it opens a connection. tests/probes/test_http_probe.py fails if that changes.
    pool = transport._pool
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise ProbeError(
            f"httpx {httpx.__version__}: cannot bound HTTP exchanges (no network backend); "
            "install the httpx version gonogo pins",
            reason=ErrorReason.BUG,
        )
    pool._network_backend = Backend(budget)
    return ProbeClient(
        budget,
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
        # every cookie and credential that crosses the wire is masked in the run's output,
        # wherever pytest shows it (locals with -l, captured logs); after auth, before send
        event_hooks={"request": [_observe_request], "response": [_observe_response]},
    )


def _observe_request(request: httpx.Request) -> None:
    observe(request.headers.multi_items())


def _observe_response(response: httpx.Response) -> None:
    observe(response.headers.multi_items())


@contextmanager
def _mapped(url: str, timeout: float, budget: Budget) -> Iterator[None]:
    host = urlsplit(url).hostname or url
    try:
        yield
    except httpx.TimeoutException as err:
        if budget.received:  # it did answer, too slowly: say how much came in how long
            raise ProbeTimeout(
                f"{host}: {url} answered too slowly: {budget.received} bytes in "
                f"{budget.elapsed:.1f} s (an exchange must end within {timeout:g} s); check the "
                "site, or raise [web] timeout_s"
            ) from err
        raise ProbeTimeout(
            f"{host}: no answer from {url} within {timeout:g} s; check the site is up "
            "and reachable from this runner, or raise [web] timeout_s"
        ) from err
    except httpx.ConnectError as err:
        reason = _reason(err)
        if "CERTIFICATE_VERIFY_FAILED" in reason:
            raise ProbeError(
                f"{host}: the TLS certificate of {url} is not accepted: {_verify_failure(reason)}"
                f"{_issued_by(url, timeout)}; tls.certificate judges the chain (set [web] "
                "ca_bundle if a private CA signed it)",
                reason=ErrorReason.TLS,
            ) from err
        raise ProbeRefused(
            f"{host}: cannot connect to {url} ({reason}); check [web] base_url/http_url "
            "and that the service listens"
        ) from err
    except (httpx.HTTPError, httpx.InvalidURL) as err:
        raise ProbeError(
            f"{host}: request to {url} failed ({_reason(err)}); check the URL in [web]"
        ) from err


def exchange(
    client: ProbeClient,
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
    client.budget.start(timeout)  # the whole exchange, not each read (see _deadline.py)
    try:
        with _mapped(url, timeout, client.budget), client.stream(method, url, **kwargs) as response:  # type: ignore[arg-type]
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) >= limit:
                    break
    finally:
        client.budget.stop()
    return response, bytes(data[:limit]), (time.perf_counter() - started) * 1000


def request(
    client: ProbeClient,
    url: str,
    timeout: float,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: tuple[str, dict[str, str]] | None = None,
    limit: int = MAX_BODY,
) -> HttpFacts:
    response, data, elapsed = exchange(
        client, url, timeout, method=method, headers=headers, body=body, limit=limit
    )
    return _facts(url, response, data, elapsed)


def _facts(url: str, response: httpx.Response, data: bytes, elapsed: float) -> HttpFacts:
    raw = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw)
    text = data.decode(response.charset_encoding or "utf-8", errors="replace")
    parser = PageParser()
    ctype = response.headers.get("content-type", "").lower()
    if "html" in ctype or (not ctype and text.lstrip()[:1] == "<"):
        parser.feed(text)
        parser.close()
    return HttpFacts(
        url=url,
        status=response.status_code,
        headers=raw,
        set_cookies=tuple(v for k, v in raw if k.lower() == "set-cookie"),
        body_excerpt=text[:EXCERPT],
        elapsed_ms=round(elapsed, 1),
        http_version=response.http_version,
        meta=tuple(parser.head_meta),
        scripts=tuple(ScriptRef(*script) for script in parser.scripts),
        body_sha256=hashlib.sha256(data).hexdigest(),
        body_length=len(data),
        body_meta=tuple(parser.body_meta),
    )


def _verify_failure(reason: str) -> str:
    # "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:992)"
    why = reason.split("certificate verify failed:", 1)[-1]
    return why.split(" (_ssl.c", 1)[0].strip() or "verification failed"


def _issued_by(url: str, timeout: float) -> str:
    """``, issued by <issuer>`` of the certificate ``url`` presents, read without verifying it
    (only to name it in the error); empty when it cannot be read."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("ALL:@SECLEVEL=0")  # also read a certificate OpenSSL 3 rejects (RSA-1024)
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except (OSError, ValueError):
        return ""
    if not der:
        return ""
    from cryptography import x509  # only on this error path

    cert = x509.load_der_x509_certificate(der)
    issuer = cert.issuer.rfc4514_string()
    return f" (issued by {issuer}{', self-signed' if cert.issuer == cert.subject else ''})"


def _reason(err: Exception) -> str:
    text = str(err) or type(err).__name__
    return text.splitlines()[0][:200]
