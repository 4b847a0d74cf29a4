"""Child processes that receive Ctrl-C as a terminal gives it.

A suite run as a background job (``make test &``), and an xdist worker, inherit SIGINT ignored;
a Python child started from them ignores it too. Tests that interrupt a gate start it with
``preexec_fn=sigint_default``.
"""

from __future__ import annotations

import signal


def sigint_default() -> None:
    """Reset SIGINT to its default in the child (Python then turns it into KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
