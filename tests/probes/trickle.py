"""A loopback server that answers, but a byte at a time: every read of the client succeeds well
within its timeout, so only a wall-clock deadline on the whole exchange ends it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# What each mode sends at once after reading the request, then what it repeats every interval.
MODES = {
    # an HTTP 200 whose chunked body never ends
    "body": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"1\r\nx\r\n",
    ),
    # an HTTP status line followed by an endless header block
    "headers": (b"HTTP/1.1 200 OK\r\n", b"X-Slow: y\r\n"),
    # a TLS handshake record of 16 KB, its content never finished
    "tls": (b"\x16\x03\x03\x40\x00", b"\x00"),
}


@contextmanager
def trickling(mode: str, interval: float = 0.2) -> Iterator[int]:
    """Serve ``mode`` on a free loopback port (yielded) until the block exits."""
    first, repeat = MODES[mode]
    stop = threading.Event()
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    threads: list[threading.Thread] = []

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                conn.sendall(first)
                while not stop.wait(interval):
                    conn.sendall(repeat)
            except OSError:  # the client gave up: that is the point
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=handle, args=(conn,), daemon=True)
            threads.append(thread)
            thread.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        acceptor.join(timeout=5)
        server.close()
        for thread in threads:
            thread.join(timeout=5)
