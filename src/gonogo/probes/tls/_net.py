"""Connections shared by the TLS probes: endpoint, TCP connect, probing client, handshake.

Every socket gets the caller's timeout; every failure becomes a ProbeError naming host:port.
A handshake through :func:`handshake` ends within that timeout as a whole: CPython's
``do_handshake`` waits on one deadline, not per read (``tests/probes/test_tls_probe.py`` holds a
peer that trickles a record to it).
"""

from __future__ import annotations

import socket
import ssl
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.model import ErrorReason

VERSIONS: dict[str, ssl.TLSVersion] = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
# Without SECLEVEL=0, OpenSSL 3 refuses to offer (or finish) TLS 1.0/1.1 locally, and a
# "TLS 1.0 is refused" check would pass without the server ever being asked.
PROBE_CIPHERS = "ALL:@SECLEVEL=0"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the TLS checks connect.

    Attributes:
        host: host name or IP address to connect to.
        port: TCP port.
        server_name: SNI and the name the certificate must match.
    """

    host: str
    port: int
    server_name: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def endpoint(base_url: str, server_name: str | None = None) -> Endpoint:
    """The endpoint of an ``https://`` URL (port 443 unless given)."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        raise ProbeError(f"{base_url}: no host in [web].base_url", reason=ErrorReason.CONFIG)
    return Endpoint(parts.hostname, parts.port or 443, server_name or parts.hostname)


def probe_context(version: str | None, ciphers: str | None) -> ssl.SSLContext:
    """A client that verifies nothing and offers exactly ``version`` (or TLS 1.0 to 1.3)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Python deprecates TLSv1/TLSv1_1 as context bounds; probing them is the point here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = VERSIONS[version] if version else ssl.TLSVersion.TLSv1
        context.maximum_version = VERSIONS[version] if version else ssl.TLSVersion.TLSv1_3
    context.set_ciphers(ciphers or PROBE_CIPHERS)
    return context


def connect(host: str, port: int, timeout: float) -> socket.socket:
    try:
        return socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as err:
        raise ProbeTimeout(
            f"{host}:{port}: no TCP connection within {timeout:g} s; check host, port and "
            "firewall, or raise [web].timeout_s"
        ) from err
    except ConnectionRefusedError as err:
        raise ProbeRefused(
            f"{host}:{port}: connection refused; is the TLS endpoint listening ([web].base_url)?"
        ) from err
    except socket.gaierror as err:
        raise ProbeRefused(f"{host}:{port}: cannot resolve {host}; check [web].base_url") from err
    except OSError as err:
        raise ProbeRefused(
            f"{host}:{port}: cannot connect ({err}); check the network path"
        ) from err


@contextmanager
def handshake(
    host: str, port: int, name: str, context: ssl.SSLContext, timeout: float
) -> Iterator[ssl.SSLSocket]:
    """A completed TLS connection; handshake failures become ProbeErrors caused by the SSLError."""
    with connect(host, port, timeout) as sock:
        try:
            tls = context.wrap_socket(sock, server_hostname=name)
        except TimeoutError as err:
            raise ProbeTimeout(
                f"{host}:{port}: TLS handshake did not finish within {timeout:g} s; "
                "is this the TLS port?"
            ) from err
        except ssl.SSLError as err:
            raise ProbeError(
                f"{host}:{port}: TLS handshake failed ({err.reason or err}); check the server's "
                "TLS configuration"
            ) from err
        except OSError as err:
            raise ProbeRefused(
                f"{host}:{port}: connection lost during the handshake ({err})"
            ) from err
        with tls:
            yield tls
