"""The certificate chain as presented (parsed with ``cryptography``) and a client's verdict."""

from __future__ import annotations

import hashlib
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from gonogo.errors import ProbeError
from gonogo.facts.tls import CertificateFacts, CertificateInfo
from gonogo.model import ErrorReason
from gonogo.probes.tls._net import handshake, probe_context

_DER = ssl._ssl.ENCODING_DER  # type: ignore[attr-defined]


# OpenSSL's security level rejects these at verification; tls.certificate judges them itself
TOO_WEAK = ("EE certificate key too weak", "CA signature digest algorithm too weak")


def fetch_certificate(
    host: str, port: int, server_name: str | None, ca_bundle: Path | None, timeout: float
) -> CertificateFacts:
    """Fetch and parse the presented chain, then verify it the way a default client would.

    Two handshakes: the first accepts anything so that a bad certificate can still be
    described; the second verifies against ``ca_bundle`` (or the system store).
    """
    name = server_name or host
    with handshake(host, port, name, probe_context(None, None), timeout) as tls:
        ders = _presented_chain(tls, host, port)
    certs = [_describe(der, host, port) for der in ders]
    chain_valid, verify_error = _verify(host, port, name, ca_bundle, timeout)
    weak_only = False
    if verify_error in TOO_WEAK:
        # a 1024-bit RSA leaf, a SHA-1 signature: does the chain verify apart from that?
        weak_only, _ = _verify(host, port, name, ca_bundle, timeout, seclevel0=True)
    return CertificateFacts(
        host=host,
        port=port,
        server_name=name,
        leaf=certs[0],
        chain=tuple(certs[1:]),
        trust_store=str(ca_bundle) if ca_bundle else "system",
        chain_valid=chain_valid,
        verify_error=verify_error,
        hostname_matches=hostname_matches(certs[0], name),
        weak_only=weak_only,
    )


def hostname_matches(cert: CertificateInfo, name: str) -> bool:
    """RFC 6125 matching on subjectAltName only (clients ignore the CN since 2017)."""
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if address is not None:
        return any(ipaddress.ip_address(a) == address for a in cert.ip_addresses)
    wanted = name.rstrip(".").lower()
    for pattern in (p.rstrip(".").lower() for p in cert.dns_names):
        if pattern == wanted:
            return True
        # a wildcard stands for exactly one whole left-most label
        if pattern.startswith("*.") and "." in wanted:
            label, rest = wanted.split(".", 1)
            if label and rest == pattern[2:]:
                return True
    return False


def _verify(
    host: str,
    port: int,
    name: str,
    ca_bundle: Path | None,
    timeout: float,
    *,
    seclevel0: bool = False,
) -> tuple[bool, str | None]:
    try:
        context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
        if seclevel0:  # accept any key size, to tell a weak key from a broken chain
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
    except (OSError, ssl.SSLError) as err:
        raise ProbeError(
            f"{host}:{port}: cannot load CA bundle {ca_bundle} ({err}); fix [web].ca_bundle",
            reason=ErrorReason.CONFIG,
        ) from err
    context.check_hostname = False  # judged separately, so a wrong name and a bad chain both show
    try:
        with handshake(host, port, name, context, timeout):
            return True, None
    except ProbeError as err:
        cause = err.__cause__
        if isinstance(cause, ssl.SSLCertVerificationError):
            return False, str(cause.verify_message)
        if isinstance(cause, ssl.SSLError):
            # a default client cannot even finish the handshake: it cannot verify anything
            return False, f"no handshake with a default client ({cause.reason or cause})"
        raise


def _presented_chain(tls: ssl.SSLSocket, host: str, port: int) -> list[bytes]:
    # Python 3.13 has SSLSocket.get_unverified_chain(); 3.10-3.12 only the private twin.
    getter = getattr(tls, "get_unverified_chain", None)
    if getter is None:
        getter = getattr(tls._sslobj, "get_unverified_chain", None)  # type: ignore[attr-defined]
    chain = getter() if getter is not None else None
    if chain:
        return [c if isinstance(c, bytes) else c.public_bytes(_DER) for c in chain]
    leaf = tls.getpeercert(binary_form=True)
    if not leaf:
        raise ProbeError(f"{host}:{port}: the server presented no certificate")
    return [leaf]


def _describe(der: bytes, host: str, port: int) -> CertificateInfo:
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as err:
        raise ProbeError(f"{host}:{port}: presented certificate cannot be parsed ({err})") from err
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(a) for a in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns, ips = (), ()
    key = cert.public_key()
    key_type, bits, curve = _key(key)
    try:
        hash_alg = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        hash_alg = None
    oid = cert.signature_algorithm_oid
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=f"{cert.serial_number:x}",
        sha256=hashlib.sha256(der).hexdigest(),
        dns_names=dns,
        ip_addresses=ips,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=key_type,
        key_bits=bits,
        curve=curve,
        signature_algorithm=getattr(oid, "_name", None) or oid.dotted_string,
        signature_hash=hash_alg.name if hash_alg else None,
        self_issued=cert.subject == cert.issuer,
    )


def _key(key: object) -> tuple[str, int, str | None]:
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    return type(key).__name__, 0, None
