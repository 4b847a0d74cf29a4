"""Which protocol versions the server accepts, judged by what the server sends back.

Each version is offered alone. The verdict comes from the server's first TLS record (an alert,
or a ServerHello for the offered version), never from the local error text: a client that
fails before sending anything has not asked the server, and says so (``client-unable``).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Sequence

from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.facts.tls import ProtocolFacts, ProtocolStatus, VersionResult
from gonogo.model import ErrorReason
from gonogo.probes.tls._net import PROBE_CIPHERS, VERSIONS, connect, probe_context

# ServerHello.legacy_version on the wire; TLS 1.3 hides its version in an extension instead.
_WIRE_VERSION = {"TLSv1": b"\x03\x01", "TLSv1.1": b"\x03\x02", "TLSv1.2": b"\x03\x03"}


class ProtocolProbeIncomplete(ProbeError):
    """The local client could not offer some version; ``facts`` holds what was learned."""

    reason = ErrorReason.CONFIG

    def __init__(self, message: str, facts: ProtocolFacts) -> None:
        super().__init__(message)
        self.facts = facts


def probe_protocols(
    host: str,
    port: int,
    server_name: str | None,
    timeout: float,
    versions: Sequence[str] = tuple(VERSIONS),
    *,
    client_ciphers: str = PROBE_CIPHERS,
) -> ProtocolFacts:
    """Offer each version alone and record whether the server accepts or refuses it.

    Raises :class:`ProtocolProbeIncomplete` when the local OpenSSL cannot offer a version:
    the server was never asked, so neither "accepted" nor "refused" would be true.
    """
    name = server_name or host
    results = tuple(_probe_version(host, port, name, v, timeout, client_ciphers) for v in versions)
    facts = ProtocolFacts(host, port, name, results)
    unable = [r for r in results if r.status is ProtocolStatus.CLIENT_UNABLE]
    if unable:
        what = "; ".join(f"{r.version}: {r.detail}" for r in unable)
        raise ProtocolProbeIncomplete(
            f"{host}:{port}: could not offer {what}; run the gate with an OpenSSL that still "
            "supports these versions at SECLEVEL=0 (the server was not asked)",
            facts,
        )
    return facts


def _probe_version(
    host: str, port: int, name: str, version: str, timeout: float, ciphers: str
) -> VersionResult:
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    try:
        context = probe_context(version, ciphers)
    except ssl.SSLError as err:
        return VersionResult(version, ProtocolStatus.CLIENT_UNABLE, f"{err.reason or err}")
    tls = context.wrap_bio(incoming, outgoing, server_hostname=name)
    # Build the ClientHello before connecting: a local failure here means nothing was sent.
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    except ssl.SSLError as err:
        return VersionResult(version, ProtocolStatus.CLIENT_UNABLE, f"{err.reason or err}")
    received = bytearray()
    with connect(host, port, timeout) as sock:
        # One deadline for the handshake, not one per read: a peer trickling a byte at a time
        # would otherwise hold the probe for as long as it likes.
        deadline = time.monotonic() + timeout
        try:
            sock.sendall(outgoing.read())
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                sock.settimeout(left)
                data = sock.recv(16384)
                if not data:
                    return _hung_up(host, port, version, bytes(received), "closed the connection")
                received += data
                incoming.write(data)
                try:
                    tls.do_handshake()
                except ssl.SSLWantReadError:
                    if outgoing.pending:
                        sock.sendall(outgoing.read())
                    continue
                except ssl.SSLError as err:
                    why = f"local client stopped: {err.reason or err}"
                    return _judge_failure(host, port, version, bytes(received), why, err)
                if outgoing.pending:  # our Finished, so the server sees a clean handshake
                    sock.sendall(outgoing.read())
                cipher = tls.cipher()
                return VersionResult(
                    version,
                    ProtocolStatus.ACCEPTED,
                    f"handshake completed as {tls.version()}",
                    cipher[0] if cipher else None,
                )
        except TimeoutError as err:
            if received:
                raise ProbeTimeout(
                    f"{host}:{port}: answered a {version} ClientHello too slowly: "
                    f"{len(received)} bytes in {timeout:g} s; check the TLS endpoint, or raise "
                    "[web].timeout_s"
                ) from err
            raise ProbeTimeout(
                f"{host}:{port}: no answer to a {version} ClientHello within {timeout:g} s; "
                "check that this is the TLS port, or raise [web].timeout_s"
            ) from err
        except (ConnectionResetError, BrokenPipeError) as err:
            return _hung_up(host, port, version, bytes(received), "reset the connection", err)


def _hung_up(
    host: str, port: int, version: str, received: bytes, how: str, err: Exception | None = None
) -> VersionResult:
    if not received:
        return VersionResult(version, ProtocolStatus.REFUSED, f"server {how} without a ServerHello")
    return _judge_failure(host, port, version, received, how, err)


def _judge_failure(
    host: str, port: int, version: str, received: bytes, why: str, err: Exception | None
) -> VersionResult:
    result = _judge_records(version, received, why)
    if result is None:
        raise ProbeError(
            f"{host}:{port}: unexpected answer to a {version} ClientHello ({why}); "
            "is [web].base_url pointing at a TLS port?"
        ) from err
    return result


def _judge_records(version: str, received: bytes, after: str) -> VersionResult | None:
    """Judge by the server's first TLS record, not by the local error text."""
    if len(received) >= 7 and received[0] == 0x15:  # alert record: level, description
        alert = _alert_name(received[6])
        return VersionResult(version, ProtocolStatus.REFUSED, f"server sent alert {alert}")
    # handshake record carrying a ServerHello: the server agreed to a version
    if len(received) >= 11 and received[0] == 0x16 and received[5] == 0x02:
        offered = _WIRE_VERSION.get(version)
        if offered is not None and received[9:11] == offered:
            return VersionResult(
                version,
                ProtocolStatus.ACCEPTED,
                f"server answered with a {version} ServerHello; {after}",
            )
        if offered is not None:
            return VersionResult(
                version, ProtocolStatus.REFUSED, f"server answered with another version; {after}"
            )
    return None


def _alert_name(code: int) -> str:
    try:
        return ssl.AlertDescription(code).name.removeprefix("ALERT_DESCRIPTION_").lower()
    except ValueError:
        return str(code)
