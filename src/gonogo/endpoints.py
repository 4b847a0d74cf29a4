"""Endpoints: what a check connects to, whether it is down, and whether its name resolves.

A gate test names what it looks at with ``gate.target(...)``: a URL, ``host:port`` or
``host:port/db``. Its *endpoint* is the ``host:port`` of that target (a file path has none).
When a probe of an endpoint is refused or times out, or a check of it runs out of its time
limit (pytest-timeout: a target that trickles bytes never trips a read timeout), the endpoint is
written on a :class:`DownBoard` that every process of the run shares (one small file per endpoint
in a run-scoped directory), so that each later check of it fails at once with the first error:
an unreachable host costs one timeout per run, not one per check.

Configuration keys whose name ends in ``url`` or ``dsn`` (``[web] base_url``, ``[postgres] dsn``,
``[redis] url``, ``[backup] scratch_dsn``...) name endpoints: their host names are resolved before
the run (a name that does not exist is a configuration error), and a failing check names the key.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.model import ErrorReason

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
# getaddrinfo's "this name does not exist" answers; EAI_AGAIN (no DNS server) is connectivity
_NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
_KINDS: dict[str, type[ProbeError]] = {
    "ProbeTimeout": ProbeTimeout,
    "ProbeRefused": ProbeRefused,
    "ProbeError": ProbeError,
}


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


def unresolvable_hosts(
    endpoints: Mapping[str, list[str]], timeout_s: float = 5.0
) -> list[tuple[str, str, str]]:
    """(key path, host, resolver message) for each configured host name that does not exist.

    IP literals are not looked up. A lookup that does not finish within ``timeout_s`` or fails
    for another reason (no DNS server reachable) is left to the checks, which report it as a
    connectivity error: only "no such name" is a configuration error.
    """
    problems = []
    for endpoint, keys in endpoints.items():
        host = host_of(endpoint)
        if _is_ip(host):
            continue
        why = _lookup(host, timeout_s)
        if why is not None:
            problems.append((keys[0], host, why))
    return problems


def _is_ip(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return True
    return False


def _lookup(host: str, timeout_s: float) -> str | None:
    outcome: list[str | None] = []

    def resolve() -> None:
        try:
            socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except socket.gaierror as err:
            outcome.append(err.strerror if err.errno in _NO_SUCH_NAME else None)
            return
        except (OSError, UnicodeError):
            outcome.append(None)
            return
        outcome.append(None)

    # getaddrinfo has no timeout of its own; a daemon thread bounds the wait
    worker = threading.Thread(target=resolve, name=f"gonogo-dns-{host}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    return outcome[0] if outcome else None


class DownBoard:
    """Endpoints found unreachable in this run, shared by every process through a directory.

    Without a directory (a unit test) the board is per process.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._known: dict[str, ProbeError] = {}

    def _file(self, endpoint: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / (re.sub(r"[^A-Za-z0-9._-]", "_", endpoint) + ".json")

    def mark(self, endpoint: str, err: ProbeError) -> None:
        """Remember the first error that showed ``endpoint`` unreachable."""
        if self.get(endpoint) is not None:
            return
        self._known[endpoint] = err
        path = self._file(endpoint)
        if path is None:
            return
        record = {"kind": type(err).__name__, "reason": err.reason.value, "message": str(err)}
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            tmp.write_text(json.dumps(record), encoding="utf-8")
            os.replace(tmp, path)  # atomic: another worker never reads half a record
        except OSError:
            tmp.unlink(missing_ok=True)  # the board is an optimisation; the check result stands

    def get(self, endpoint: str) -> ProbeError | None:
        """The first error of ``endpoint`` if any process of this run found it unreachable."""
        if endpoint in self._known:
            return self._known[endpoint]
        path = self._file(endpoint)
        if path is None or not path.is_file():
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            kind = _KINDS.get(record["kind"], ProbeError)
            err = kind(str(record["message"]), reason=ErrorReason(record["reason"]))
        except (OSError, ValueError, KeyError):
            return None
        self._known[endpoint] = err
        return err


def shows_down(endpoint: str, err: BaseException) -> bool:
    """Whether ``err`` proves ``endpoint`` unreachable (refused or silent, naming its host).

    A TLS or HTTP problem (``ProbeError``) is a fact about a reachable server, and an error
    about another host (a script on a CDN) says nothing about this endpoint.
    """
    if not isinstance(err, (ProbeRefused, ProbeTimeout)):
        return False
    return host_of(endpoint) in str(err).lower()
