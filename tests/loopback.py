"""Loopback ports with a guaranteed behaviour for the tests of gonogo's error paths."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses every connection while the block runs.

    A port found free and released is free only until another process binds it, which on a
    machine running several suites happens; this one stays bound for the whole block but never
    listens, so the kernel answers each connection attempt with a reset (connection refused).
    """
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]
