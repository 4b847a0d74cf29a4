"""The demo's Alertmanager receiver: a webhook on loopback that appends each notification to a
JSON-lines file (``python -m gonogo.demo.webhook PORT FILE``)."""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MAX_BODY = 1_000_000


def main(argv: list[str]) -> None:
    port, out = int(argv[0]), Path(argv[1])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
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
