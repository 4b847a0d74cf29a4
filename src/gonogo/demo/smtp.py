"""The demo's mail relay (aiosmtpd): STARTTLS with the run's server certificate, the sender
and recipients of the shop's domain accepted, and no message ever delivered.

Run as ``python -m gonogo.demo.smtp PORT CERT KEY FAULTS_FILE``; ``SmtpRelay`` starts it for the
stack. The ``smtp-no-starttls`` fault (read from the app's fault flags for each new connection)
serves the relay without STARTTLS, as a misconfigured relay would. ``smoke.smtp`` stops after
RCPT TO; a DATA command is refused and logged all the same (a gate must never send mail).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import sys
from pathlib import Path
from typing import Any

from gonogo.demo.layout import Layout, Ports
from gonogo.demo.pki import Pki
from gonogo.demo.procs import LOOPBACK, Processes

COMPONENT = "smtp"
DOMAIN = "shop.example"
SENDER = f"noreply@{DOMAIN}"
RECIPIENT = f"orders@{DOMAIN}"
FAULT = "smtp-no-starttls"


class _Handler:
    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if not address.endswith(f"@{DOMAIN}"):
            return "550 5.7.1 sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        logging.warning("DATA refused: the demo relay never delivers (from %s)", envelope.mail_from)
        return "554 5.7.0 the demo relay delivers nothing"


def _faulty(flags: Path) -> bool:
    try:
        return FAULT in json.loads(flags.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


async def _serve(port: int, cert: Path, key: Path, flags: Path) -> None:
    from aiosmtpd.smtp import SMTP

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = _Handler()

    def protocol() -> SMTP:
        tls = not _faulty(flags)
        return SMTP(
            handler,
            hostname="localhost",
            tls_context=context if tls else None,
            require_starttls=tls,
            ident="gonogo demo relay",
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, LOOPBACK, port, reuse_address=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str]) -> None:
    port, cert, key, flags = int(argv[0]), Path(argv[1]), Path(argv[2]), Path(argv[3])
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve(port, cert, key, flags))


class SmtpRelay:
    """Starts the relay of one run on its port (a direct child, in the run's ledger)."""

    def __init__(self, layout: Layout, ports: Ports, pki: Pki, procs: Processes) -> None:
        self.layout, self.ports, self.pki, self.procs = layout, ports, pki, procs

    def _banner(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.ports.smtp), timeout=1.0) as sock:
                return sock.recv(64).startswith(b"220")
        except OSError:
            return False

    def start(self, timeout: float = 15.0) -> int:
        cert, key = self.pki.ensure("server")
        log = self.layout.log(COMPONENT)
        argv = [sys.executable, "-m", "gonogo.demo.smtp", str(self.ports.smtp), str(cert),
                str(key), str(self.layout.app_faults_file)]  # fmt: skip
        pid = self.procs.spawn(COMPONENT, argv, log)
        self.procs.wait_until(COMPONENT, "greeting", self._banner, timeout=timeout, log=log)
        return pid


if __name__ == "__main__":
    main(sys.argv[1:])
