"""The certificate as presented, the protocol versions accepted and the cipher suites offered
(:mod:`gonogo.probes.tls` → :mod:`gonogo.rules.tls`).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """One certificate as parsed by ``cryptography``.

    Attributes:
        subject: RFC 4514 subject.
        issuer: RFC 4514 issuer.
        serial: serial number in hex.
        sha256: SHA-256 fingerprint in hex.
        dns_names: subjectAltName DNS entries.
        ip_addresses: subjectAltName IP entries.
        not_before: start of validity (UTC).
        not_after: end of validity (UTC).
        key_type: ``RSA``, ``EC``, ``Ed25519``, ``Ed448``, ``DSA`` or the class name.
        key_bits: key size (curve size for EC).
        curve: EC curve name, if any.
        signature_algorithm: e.g. ``sha256WithRSAEncryption``.
        signature_hash: hash of the signature (``sha256``, ``sha1``...), None for EdDSA.
        self_issued: subject equals issuer (a root, or a self-signed leaf).
    """

    subject: str
    issuer: str
    serial: str
    sha256: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    key_type: str
    key_bits: int
    curve: str | None
    signature_algorithm: str
    signature_hash: str | None
    self_issued: bool

    @property
    def sans(self) -> list[str]:
        return [f"DNS:{n}" for n in self.dns_names] + [f"IP:{a}" for a in self.ip_addresses]


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """The certificate chain a server presents, and how a standard client judges it.

    Attributes:
        host: host connected to.
        port: port connected to.
        server_name: SNI sent and name checked against the leaf.
        leaf: the server certificate.
        chain: the other certificates presented after the leaf, in order.
        trust_store: the CA bundle path used, or ``system``.
        chain_valid: OpenSSL verified the chain against ``trust_store``.
        verify_error: OpenSSL's reason when it did not (``self-signed certificate``...).
        hostname_matches: ``server_name`` matches a subjectAltName of the leaf (RFC 6125).
        weak_only: the chain verifies once OpenSSL's security level stops rejecting a weak
            leaf key or signature hash (``EE certificate key too weak``, ``CA signature digest
            algorithm too weak``): those are judged as key size and signature, not the chain.
    """

    host: str
    port: int
    server_name: str
    leaf: CertificateInfo
    chain: tuple[CertificateInfo, ...]
    trust_store: str
    chain_valid: bool
    verify_error: str | None
    hostname_matches: bool
    weak_only: bool = False


@dataclass(frozen=True, slots=True)
class Suite:
    """A cipher suite the server accepted.

    Attributes:
        version: protocol version it was accepted with (``SSLv3`` ... ``TLSv1.3``).
        name: IANA name, e.g. ``TLS_RSA_WITH_AES_128_CBC_SHA``.
    """

    version: str
    name: str


@dataclass(frozen=True, slots=True)
class ProfileIssue:
    """One way the server departs from the Mozilla profile (sslyze's checker, verbatim).

    Attributes:
        key: sslyze's issue key (``ciphers``, ``tls_versions``, ``tls_curves``...).
        message: sslyze's sentence.
    """

    key: str
    message: str


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """One known attack and whether the server is open to it (sslyze's verdict).

    Attributes:
        key: ``heartbleed``, ``ccs_injection``, ``robot``, ``insecure_renegotiation``,
            ``client_renegotiation``, ``compression``, ``downgrade``, ``sslv2``, ``sslv3``.
        vulnerable: True, False, or None when sslyze could not tell (ROBOT's inconsistent
            answers).
        detail: sslyze's result in words (``VULNERABLE_STRONG_ORACLE``, ``supported``...).
    """

    key: str
    vulnerable: bool | None
    detail: str


@dataclass(frozen=True, slots=True)
class CipherFacts:
    """Cipher suites accepted per version and the Mozilla profile verdict.

    Attributes:
        host: host scanned.
        port: port scanned.
        profile: Mozilla configuration checked (``intermediate``...).
        accepted: every suite accepted, per version.
        offending: accepted suites the profile does not list.
        issues: everything sslyze's profile checker reported (empty: compliant).
        scan_s: duration of the sslyze scan.
        mozilla_version: version of Mozilla's guidelines checked (``6.0``, ``5.7``).
        vulnerabilities: the known attacks and the server's exposure to each.
    """

    host: str
    port: int
    profile: str
    accepted: tuple[Suite, ...]
    offending: tuple[Suite, ...]
    issues: tuple[ProfileIssue, ...]
    scan_s: float
    mozilla_version: str = "6.0"
    vulnerabilities: tuple[Vulnerability, ...] = ()


class ProtocolStatus(enum.StrEnum):
    """What happened when one protocol version was offered alone."""

    ACCEPTED = "accepted"  # the server agreed to this version (ServerHello or full handshake)
    REFUSED = "refused"  # the server alerted or hung up: it will not speak this version
    CLIENT_UNABLE = "client-unable"  # the local OpenSSL would not offer it: nothing was asked


@dataclass(frozen=True, slots=True)
class VersionResult:
    """The server's answer to a ClientHello pinned to one version.

    Attributes:
        version: ``TLSv1``, ``TLSv1.1``, ``TLSv1.2`` or ``TLSv1.3``.
        status: accepted, refused or client-unable.
        detail: how we know (the alert received, the cipher negotiated, the local error).
        cipher: cipher suite negotiated, when the handshake completed.
    """

    version: str
    status: ProtocolStatus
    detail: str
    cipher: str | None = None


@dataclass(frozen=True, slots=True)
class ProtocolFacts:
    """Which protocol versions the server accepts.

    Attributes:
        host: host connected to.
        port: port connected to.
        server_name: SNI sent.
        results: one result per version offered, in the order offered.
    """

    host: str
    port: int
    server_name: str
    results: tuple[VersionResult, ...]

    def get(self, version: str) -> VersionResult | None:
        return next((r for r in self.results if r.version == version), None)
