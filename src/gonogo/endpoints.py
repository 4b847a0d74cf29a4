"""Endpoints, as text: what a check connects to (pure parsing, no I/O).

A gate test names what it looks at with ``gate.target(...)``: a URL, ``host:port`` or
``host:port/db``. Its *endpoint* is the ``host:port`` of that target (a file path has none).
Configuration keys whose name ends in ``url`` or ``dsn`` (``[web] base_url``, ``[postgres] dsn``,
``[redis] url``, ``[backup] scratch_dsn``...) name endpoints (:func:`configured_endpoints`).

The run's use of them is the engine's: :mod:`gonogo.engine.downboard` (an unreachable endpoint
fails each later check at once) and :mod:`gonogo.engine.preflight` (every configured host name
resolves before the run).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gonogo.errors import ProbeRefused, ProbeTimeout

DEFAULT_PORTS = {
    "https": 443,
    "http": 80,
    "postgresql": 5432,
    "postgres": 5432,
    "redis": 6379,
    "rediss": 6379,
}
_HOST_PORT = re.compile(
    r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})(?:/\S*)?$"
)
_ENDPOINT_KEY = re.compile(r"(url|dsn)$")
_KEYWORD = re.compile(r"^\s*(host|hostaddr|port|dbname|user)=")  # a libpq keyword DSN


def _join(host: str, port: int) -> str:
    host = host.lower()
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url`` (default ports made explicit): the web's notion of
    "same origin", shared by the redirect probe and the rules that judge a fetched page."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"https": 443, "http": 80}.get(scheme)
    except ValueError:  # a malformed port in a Location: no origin matches it
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def host_of(endpoint: str) -> str:
    """``db.internal`` of ``db.internal:5432`` (``::1`` of ``[::1]:5432``)."""
    return endpoint.rsplit(":", 1)[0].strip("[]")


def endpoint_of(target: str) -> str | None:
    """The ``host:port`` a target names, or None (a file path, a free-text description).

    Only the first word counts, so ``https://h:8443 /, /health`` is ``h:8443`` and
    ``/backups/*.dump -> db:5432/app`` (a file first) has no endpoint; a libpq keyword DSN
    (``host=db port=5433``) is read whole. Where libpq is given ``hostaddr`` (URL query or
    keyword), that address is the endpoint: libpq connects there without resolving ``host``.
    """
    words = target.split()
    if not words:
        return None
    first = words[0]
    if _KEYWORD.match(first):
        return _keyword_endpoint(words)
    if "://" in first:
        try:
            parts = urlsplit(first)
            host, port = parts.hostname, parts.port
        except ValueError:
            return None
        # libpq connects to hostaddr without resolving host (host names the server for TLS)
        hostaddr = parse_qs(parts.query).get("hostaddr")
        if hostaddr:
            host = hostaddr[0].split(",")[0]
        port = port or DEFAULT_PORTS.get(parts.scheme.lower())
        return _join(host, port) if host and port else None
    match = _HOST_PORT.match(first)
    if match is None:
        return None
    return _join(match["host"].strip("[]"), int(match["port"]))


def _keyword_endpoint(words: list[str]) -> str | None:
    """The endpoint of a libpq keyword DSN (``host=db port=5432 hostaddr=10.0.0.5``)."""
    pairs = dict(w.partition("=")[::2] for w in words if "=" in w)
    host = (pairs.get("hostaddr") or pairs.get("host") or "").strip("'\"").split(",")[0]
    port = (pairs.get("port") or "5432").strip("'\"").split(",")[0]
    if not host or host.startswith("/") or not port.isdigit():
        return None  # a Unix socket directory has no host:port
    return _join(host, int(port))


def configured_endpoints(settings: Mapping[str, Any]) -> dict[str, list[str]]:
    """Endpoint -> the key paths that name it (``web.base_url``...), from a dumped config."""
    found: dict[str, list[str]] = {}
    for keypath, value in _walk(settings, ""):
        if _ENDPOINT_KEY.search(keypath.rsplit(".", 1)[-1]) and (
            "://" in value or _KEYWORD.match(value)
        ):
            endpoint = endpoint_of(value)
            if endpoint is not None:
                found.setdefault(endpoint, []).append(keypath)
    return found


def _walk(value: Any, keypath: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, f"{keypath}.{key}" if keypath else str(key))
    elif isinstance(value, str):
        yield keypath, value


def shows_down(endpoint: str, err: BaseException) -> bool:
    """Whether ``err`` proves ``endpoint`` unreachable (refused or silent, naming its host).

    A TLS or HTTP problem (``ProbeError``) is a fact about a reachable server, and an error
    about another host (a script on a CDN) says nothing about this endpoint.
    """
    if not isinstance(err, (ProbeRefused, ProbeTimeout)):
        return False
    return host_of(endpoint) in str(err).lower()
