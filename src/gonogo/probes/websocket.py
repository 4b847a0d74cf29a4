"""The WebSocket smoke probe: a TLS connection, the HTTP/1.1 upgrade, one text message sent and
the first message back, then a clean close.

I/O only (sans-IO ``wsproto`` over a verified TLS socket). Every step ends within ``timeout_s``;
an endpoint that accepts and never answers is a fact (``answer=None``), not an error: the rule
fails it. Refused and silent connections raise ``ProbeRefused``/``ProbeTimeout`` naming the host.
"""

from __future__ import annotations

import socket
import ssl
import time
from urllib.parse import urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Message,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.facts.websocket import WebSocketFacts
from gonogo.model import ErrorReason
from gonogo.schema.smoke import WebSocket
from gonogo.schema.web import WebConfig

READ = 65536


class _Link:
    """A wsproto connection over a TLS socket with one deadline per step."""

    def __init__(self, tls: ssl.SSLSocket, host: str) -> None:
        self.tls, self.host = tls, host
        self.ws = WSConnection(ConnectionType.CLIENT)

    def send(self, event: Event) -> None:
        self.tls.sendall(self.ws.send(event))

    def next_event(self, deadline: float) -> Event | None:
        """The next event before ``deadline``; None when it passed (or the peer closed)."""
        while True:
            for event in self.ws.events():
                if isinstance(event, Ping):
                    self.send(event.response())
                    continue
                return event
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.tls.settimeout(left)
            try:
                data = self.tls.recv(READ)
            except TimeoutError:
                return None
            self.ws.receive_data(data or None)
            if not data:
                return next(iter(self.ws.events()), None)


def _connect(web: WebConfig, host: str, port: int, timeout: float) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(web.ca_bundle) if web.ca_bundle else None)
    context.set_alpn_protocols(["http/1.1"])  # WebSocket over HTTP/2 (RFC 8441) is rare
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as err:
        raise ProbeTimeout(f"{host}:{port}: no answer within {timeout:g} s (WebSocket)") from err
    except OSError as err:
        raise ProbeRefused(f"{host}:{port}: cannot connect ({err.strerror or err})") from err
    try:
        return context.wrap_socket(raw, server_hostname=host)
    except ssl.SSLCertVerificationError as err:
        raw.close()
        raise ProbeError(
            f"{host}:{port}: the TLS certificate is not accepted ({err.verify_message})",
            reason=ErrorReason.TLS,
        ) from err
    except (OSError, ssl.SSLError) as err:
        raw.close()
        raise ProbeError(f"{host}:{port}: TLS handshake failed ({err})") from err


def round_trip(web: WebConfig, cfg: WebSocket) -> WebSocketFacts:
    """Upgrade ``[smoke.websocket] path`` on the site, send ``send``, wait for one message."""
    parts = urlsplit(web.url(cfg.path))
    host, port = parts.hostname or "", parts.port or 443
    url = f"wss://{host}:{port}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    with _connect(web, host, port, cfg.timeout_s) as tls:
        link = _Link(tls, host)
        try:
            link.send(Request(host=f"{host}:{port}", target=target))
            event = link.next_event(started + cfg.timeout_s)
            handshake_ms = round((time.monotonic() - started) * 1000, 1)
            if event is None:
                raise ProbeTimeout(
                    f"{host}:{port}: no answer to the WebSocket upgrade of {url} within "
                    f"{cfg.timeout_s:g} s"
                )
            if isinstance(event, RejectConnection):
                return WebSocketFacts(url, event.status_code, handshake_ms, cfg.send, None, None,
                                      cfg.timeout_s)  # fmt: skip
            if not isinstance(event, AcceptConnection):
                raise ProbeError(f"{host}:{port}: unexpected answer to the upgrade: {event!r}")
            sent_at = time.monotonic()
            link.send(TextMessage(data=cfg.send))
            answer, parts_ = None, []
            while True:
                event = link.next_event(sent_at + cfg.timeout_s)
                if not isinstance(event, Message):
                    break
                parts_.append(event.data if isinstance(event.data, str) else event.data.hex())
                if event.message_finished:
                    answer = "".join(parts_)[:200]
                    break
            took = round((time.monotonic() - sent_at) * 1000, 1) if answer is not None else None
            if not isinstance(event, CloseConnection):
                link.send(CloseConnection(code=1000))
        except OSError as err:
            raise ProbeError(f"{host}:{port}: the WebSocket connection failed ({err})") from err
    return WebSocketFacts(url, 101, handshake_ms, cfg.send, answer, took, cfg.timeout_s)
