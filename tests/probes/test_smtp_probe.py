"""The SMTP probe against a real relay (aiosmtpd on loopback): it stops after RCPT TO, never
sends DATA, and a relay that refuses connections is a connectivity error naming it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from gonogo.errors import ProbeRefused
from gonogo.probes.smtp import converse
from gonogo.schema.smoke import Smtp
from loopback import refusing_port

aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")


class Recorder:
    """Accepts everything and records every command the client sent."""

    def __init__(self) -> None:
        self.commands: list[str] = []

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.commands.append("EHLO")
        session.host_name = hostname  # aiosmtpd: an EHLO hook sets it
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.commands.append("MAIL")
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.commands.append("RCPT")
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.commands.append("DATA")
        return "250 delivered"

    async def handle_RSET(self, server: Any, session: Any, envelope: Any) -> str:
        self.commands.append("RSET")
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        self.commands.append("QUIT")
        return "221 Bye"


async def _close(server: asyncio.Server) -> None:
    server.close()
    await server.wait_closed()


@pytest.fixture
def relay() -> Iterator[tuple[Recorder, int]]:
    """aiosmtpd on a loopback port the kernel chose, served from a thread's event loop."""
    recorder = Recorder()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def protocol() -> Any:
        return aiosmtpd_smtp.SMTP(recorder, hostname="127.0.0.1", loop=loop)

    start = loop.create_server(protocol, "127.0.0.1", 0)
    server = asyncio.run_coroutine_threadsafe(start, loop).result(10)
    try:
        yield recorder, server.sockets[0].getsockname()[1]
    finally:
        # in the loop's own thread: asyncio is not thread-safe, and Server.close() from here
        # raced the loop detaching the probe's connection (a TypeError seen on a loaded machine)
        asyncio.run_coroutine_threadsafe(_close(server), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_the_probe_stops_before_data(relay: tuple[Recorder, int]) -> None:
    """EHLO, MAIL FROM, RCPT TO, RSET, QUIT: a gate run never sends a message."""
    recorder, port = relay
    cfg = Smtp(url=f"smtp://127.0.0.1:{port}", sender="a@x.example", recipient="b@x.example",
               starttls=False)  # fmt: skip
    facts = converse(cfg)
    assert (facts.greeting, facts.mail[0], facts.rcpt) == (220, 250, (250, "OK"))
    assert facts.starttls_offered is False and facts.tls_version is None
    assert recorder.commands == ["EHLO", "MAIL", "RCPT", "RSET", "QUIT"]


def test_a_refusing_relay_is_a_connectivity_error() -> None:
    """Connection refused: ProbeRefused naming host and port (the endpoint fails fast after)."""
    with refusing_port() as port:
        cfg = Smtp(url=f"smtp://127.0.0.1:{port}", sender="a@x.example", recipient="b@x.example")
        with pytest.raises(ProbeRefused, match=f"127.0.0.1:{port}: cannot connect"):
            converse(cfg)
