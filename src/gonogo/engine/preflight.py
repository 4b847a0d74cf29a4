"""Before the run: every configured host name resolves (a name that does not exist is a
configuration error, named with its key; a host that refuses or is silent is left to the checks).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping

from gonogo.endpoints import host_of

# getaddrinfo's "this name does not exist" answers; EAI_AGAIN (no DNS server) is connectivity
_NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


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
