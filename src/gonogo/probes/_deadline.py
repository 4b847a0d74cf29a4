"""A wall-clock deadline for each HTTP exchange of the web probes' client.

httpx's timeouts bound each network operation, not the exchange: a server that answers ``200``
and then sends one byte of its body every two seconds never trips a five-second read timeout and
held a check until the test runner's own limit. Here every connect, TLS handshake, write and read
of the client's connections waits at most until the deadline of the exchange in progress, so
the exchange ends within its budget whatever the server does. I/O only; no policy.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore


class Budget:
    """The deadline of the exchange in progress on one client, and what it received so far.

    Attributes:
        seconds: the budget of the current exchange (0 when none is running).
        started: monotonic time the exchange started.
        received: bytes read from the network since (headers and body, as sent).
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.started = 0.0
        self.received = 0

    def start(self, seconds: float) -> None:
        self.seconds, self.started, self.received = seconds, time.monotonic(), 0

    def stop(self) -> None:
        self.seconds = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def expired(self) -> bool:
        return self.seconds > 0 and self.elapsed >= self.seconds

    def left(self, timeout: float | None, late: type[httpcore.TimeoutException]) -> float | None:
        """``timeout`` shortened to what is left of the budget; ``late`` raised when none is."""
        if self.seconds <= 0:
            return timeout
        remaining = self.seconds - self.elapsed
        if remaining <= 0:
            raise late(f"exchange deadline of {self.seconds:g} s passed")
        return remaining if timeout is None else min(timeout, remaining)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, budget: Budget) -> None:
        self._inner = inner
        self._budget = budget

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self._inner.read(max_bytes, self._budget.left(timeout, httpcore.ReadTimeout))
        self._budget.received += len(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._budget.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # CPython bounds a whole handshake by the socket timeout, so clamping it is enough.
        wait = self._budget.left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, wait), self._budget)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class Backend(httpcore.NetworkBackend):
    """httpcore's own socket backend, every wait cut at the deadline of ``budget``."""

    def __init__(self, budget: Budget) -> None:
        self._inner = httpcore.SyncBackend()
        self._budget = budget

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._budget.left(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, wait, local_address, socket_options)
        return _Stream(stream, self._budget)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._budget.left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, wait, socket_options), self._budget)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
