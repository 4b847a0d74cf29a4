"""The demo's Alertmanager receiver: a webhook on loopback that appends each notification to a
JSON-lines file (``python -m gonogo.demo.webhook PORT FILE``).

It also stands in for the log aggregation (``GET /ready``, as Loki) and error tracking
(``GET /_health/``, as Sentry) endpoints of the demo: both answer 503 while ``FILE.down``
exists (the ``telemetry-degraded`` fault), 200 otherwise.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MAX_BODY = 1_000_000


def main(argv: list[str]) -> None:
    port, out = int(argv[0]), Path(argv[1])
    down = out.with_name(out.name + ".down")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path in ("/ready", "/_health/") and down.exists():
                self._answer(503, b"degraded\n")
            else:
                self._answer(200, b"ok\n")

        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
            body = self.rfile.read(length)
            with out.open("ab") as fh:
                fh.write(body.replace(b"\n", b" ") + b"\n")
            self._answer(200, b"ok\n")

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    ThreadingHTTPServer.allow_reuse_address = True
    with ThreadingHTTPServer(("127.0.0.1", port), Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
