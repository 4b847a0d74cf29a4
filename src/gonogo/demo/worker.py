"""The demo's background worker: a process with a name of its own, for ``host.processes``.

``python -m gonogo.demo.worker NAME`` renames itself (``/proc/self/comm``, what ``ps -o comm``
shows) and sleeps until SIGTERM. The name is unique per run (``Layout.worker_name``), so the
``process-stopped`` fault is seen even when other processes of the same program run on the host.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from gonogo.demo.procs import Processes, alive

COMPONENT = "worker"


def start(name: str, log: Path, procs: Processes, timeout: float = 15.0) -> int:
    pid = procs.spawn(COMPONENT, [sys.executable, "-m", "gonogo.demo.worker", name], log)
    procs.wait_until(
        COMPONENT,
        f"named {name}",
        lambda: _comm(pid) == name,
        timeout=timeout,
        log=log,
        gone=lambda: procs.exited(pid),
    )
    return pid


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() if alive(pid) else ""
    except OSError:
        return ""


def main() -> None:
    Path("/proc/self/comm").write_text(sys.argv[1][:15])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
