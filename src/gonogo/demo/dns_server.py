"""The demo's authoritative DNS server: ``python -m gonogo.demo.dns_server PORT ZONE_FILE``.

Serves the records of ``ZONE_FILE`` (JSON: the zone's apex and ``[name, type, value]`` rows) on
``127.0.0.1:PORT`` over UDP and TCP with dnslib. The file is read on every query, so a fault that
rewrites it takes effect at the next look-up, without a restart. A name under the apex without
records is NXDOMAIN; a name outside the zone is REFUSED (not a recursive resolver).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from dnslib import QTYPE, RCODE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSServer

TTL = 30


class ZoneResolver(BaseResolver):
    """Answers from the zone file as it is when the query arrives."""

    def __init__(self, zone_file: Path) -> None:
        self.zone_file = zone_file

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        zone = json.loads(self.zone_file.read_text(encoding="utf-8"))
        apex = zone["apex"].lower()
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        if name != apex and not name.endswith("." + apex):
            reply.header.rcode = RCODE.REFUSED
            return reply
        rows = [r for r in zone["records"] if r[0].lower() == name]
        if not rows:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for owner, rtype, value in rows:
            if rtype == qtype or rtype == "CNAME":
                reply.add_answer(*RR.fromZone(f"{owner}. {TTL} IN {rtype} {value}"))
        return reply


def main(argv: list[str]) -> None:
    port, zone_file = int(argv[0]), Path(argv[1])
    resolver = ZoneResolver(zone_file)
    servers = [
        DNSServer(resolver, "127.0.0.1", port, tcp=tcp, logger=_Quiet()) for tcp in (False, True)
    ]
    for server in servers:
        server.start_thread()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.stop()


class _Quiet:
    """dnslib's logger interface, silent (the demo's logs stay small)."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


if __name__ == "__main__":
    main(sys.argv[1:])
