"""Waking a thread blocked on a socket it owns, from a deadline's timer thread.

Closing the socket from another thread is unsafe (the descriptor number may be reused before the
owner's read returns), and so is touching a TLS socket object the owner is using. A *shutdown*
of a duplicate descriptor is neither: it ends the connection under both, so the blocked read
returns EOF and the owner cleans up as after any dropped connection.
"""

from __future__ import annotations

import contextlib
import os
import socket


def duplicate(fd: int) -> int | None:
    """A duplicate of ``fd`` that stays valid if the owner closes ``fd`` (None: closed already)."""
    try:
        return os.dup(fd)  # a closed Python socket's fileno() is -1: EBADF
    except OSError:
        return None


def shut_down(fd: int) -> None:
    """Shut down the connection behind ``fd`` (a duplicate we own) and close ``fd``."""
    try:
        sock = socket.socket(fileno=fd)  # owns the duplicate from here on
    except OSError:
        os.close(fd)
        return
    with sock, contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
