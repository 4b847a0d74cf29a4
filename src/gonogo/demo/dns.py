"""The demo's DNS zone ``gonogo.test`` and its faults (the ``dns.*`` checks' real target).

:mod:`gonogo.demo.dns_server` serves the zone file this module writes; a fault rewrites the
file and the next look-up sees it (no restart):

- ``dns-record-missing``: ``www.gonogo.test`` has no A record any more (NXDOMAIN).
- ``dns-record-wrong``: ``www.gonogo.test`` points at 192.0.2.66 (a documentation address),
  not at the site.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from gonogo.demo.layout import Layout, Ports
from gonogo.demo.procs import Processes
from gonogo.errors import DemoError

APEX = "gonogo.test"
WWW = f"www.{APEX}"
API = f"api.{APEX}"
SITE_ADDRESS = "127.0.0.1"
WRONG_ADDRESS = "192.0.2.66"
NAMES = ("dns-record-missing", "dns-record-wrong")


def records(faults: Iterable[str]) -> list[list[str]]:
    """The zone's rows with ``faults`` applied."""
    active = set(faults)
    rows = [[APEX, "A", SITE_ADDRESS], [API, "CNAME", f"{WWW}."]]
    if "dns-record-missing" not in active:
        www = WRONG_ADDRESS if "dns-record-wrong" in active else SITE_ADDRESS
        rows.append([WWW, "A", www])
    return rows


class Dns:
    """Writes the zone file, starts the server, applies the faults."""

    def __init__(self, layout: Layout, ports: Ports, procs: Processes) -> None:
        self.layout, self.ports, self.procs = layout, ports, procs
        self.zone_file = layout.run_dir / "dns" / "zone.json"

    @property
    def resolver(self) -> str:
        """``IP:port`` of the server (``[dns] resolver`` of environments/demo.toml)."""
        return f"127.0.0.1:{self.ports.dns}"

    def write(self, faults: Iterable[str]) -> None:
        """Write the zone atomically (the server may be reading it)."""
        self.zone_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.zone_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"apex": APEX, "records": records(faults)}), encoding="utf-8")
        tmp.replace(self.zone_file)

    def start(self, faults: Iterable[str], timeout: float = 15.0) -> int:
        """Start the server; return its PID once it answers."""
        self.write(faults)
        log = self.layout.log("dns")
        argv = [sys.executable, "-m", "gonogo.demo.dns_server", str(self.ports.dns)]
        pid = self.procs.spawn("dns", [*argv, str(self.zone_file)], log)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if time.monotonic() > deadline or self.procs.cancelled.is_set():
                raise DemoError(f"dns: no answer on {self.resolver} in {timeout:g} s (log: {log})")
            time.sleep(0.05)
        return pid

    def _answers(self) -> bool:
        """The server answers a TCP connection (it starts UDP and TCP together)."""
        try:
            with socket.create_connection(("127.0.0.1", self.ports.dns), timeout=0.5):
                return True
        except OSError:
            return False


def effect(dns: Dns, faults: Iterable[str]) -> None:
    """Bring the zone to what the active ``faults`` say (the server reads it per query)."""
    dns.write(faults)


def zone_path(run_dir: Path) -> Path:
    return run_dir / "dns" / "zone.json"
