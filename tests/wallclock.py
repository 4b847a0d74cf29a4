"""Wall-clock bounds in gonogo's own tests: they prove that a wait ends by itself, never how fast.

Speed lives in ``bench/``. The suite must pass on a 2-core machine shared with other runs, where
a process can wait seconds for a CPU after its deadline fired, so a bound is the deadline under
test plus a slack far above any scheduling delay and far below pytest-timeout's limit (which is
what a hang would hit). Which mechanism ended the wait (a wall-clock deadline, a statement
timeout, a per-read timeout) is pinned by the error's message, not by the clock.
"""

from __future__ import annotations

# a loaded machine (two `make test` beside each other on 2 cores) delays a woken process by
# seconds at worst; pytest-timeout ends a hung test at 300 s
LOADED_MACHINE_SLACK_S = 30.0


def ends_within(deadline_s: float) -> float:
    """The longest a wait whose own deadline is ``deadline_s`` may take before it is a hang."""
    return deadline_s + LOADED_MACHINE_SLACK_S
