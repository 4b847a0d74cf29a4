"""tls.vulnerabilities against a real TLS server that honours client-initiated renegotiation.

nginx refuses client-initiated renegotiation whatever its configuration; OpenSSL 3 still
allows it with ``SSL_OP_ALLOW_CLIENT_RENEGOTIATION``, so a small Python TLS 1.2 server with
that option is the vulnerable server here (SSLv3, compression, Heartbleed and friends cannot be
served by Debian 12's OpenSSL: tests/rules/test_tls_vulnerabilities.py pins them).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gonogo.model import Severity, graded
from gonogo.probes import tls
from gonogo.rules.tls_vulnerabilities import evaluate_vulnerabilities

SSL_OP_ALLOW_CLIENT_RENEGOTIATION = 0x100  # OpenSSL 3 (not exported by Python 3.11's ssl)
SERVER = """
import socket, ssl, sys, threading
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
context.maximum_version = ssl.TLSVersion.TLSv1_2
if sys.argv[3] == "renegotiation":
    context.options |= int(sys.argv[4])
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print(listener.getsockname()[1], flush=True)

def serve(conn):
    try:
        with context.wrap_socket(conn, server_side=True) as tls:
            while tls.recv(4096):
                tls.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
    except OSError:
        pass

while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"""


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server(directory: Path, mode: str) -> Iterator[int]:
    cert, key = _certificate(directory)
    script = directory / "server.py"
    script.write_text(SERVER)
    proc = subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(cert),
            str(key),
            mode,
            str(SSL_OP_ALLOW_CLIENT_RENEGOTIATION),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield int(proc.stdout.readline())
    finally:
        proc.kill()  # our own child, by its handle
        proc.wait(timeout=10)
        proc.stdout.close()  # type: ignore[union-attr]


@pytest.fixture
def renegotiating(tmp_path: Path) -> Iterator[int]:
    yield from _server(tmp_path, "renegotiation")


@pytest.fixture
def refusing(tmp_path: Path) -> Iterator[int]:
    yield from _server(tmp_path, "default")


def test_client_renegotiation_is_found_on_a_real_server(renegotiating: int) -> None:
    """A server honouring client-initiated renegotiation fails tls.vulnerabilities with that
    one finding, major (a denial of service, not a way to read traffic)."""
    facts = tls.scan_ciphers("127.0.0.1", renegotiating, "localhost", 5.0)
    findings = evaluate_vulnerabilities(facts)
    assert {f.name for f in findings if not f.ok} == {"client_renegotiation"}
    assert graded(findings, Severity.BLOCKER) is Severity.MAJOR


def test_the_same_server_without_the_option_passes(refusing: int) -> None:
    """OpenSSL 3's default (client renegotiation refused) passes every attack test."""
    facts = tls.scan_ciphers("127.0.0.1", refusing, "localhost", 5.0)
    assert all(f.ok for f in evaluate_vulnerabilities(facts))
