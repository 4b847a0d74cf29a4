"""TLS probes: the certificate as presented, which protocol versions the server accepts, and
a cipher-suite scan against a Mozilla profile (sslyze).

Each probe is I/O only and returns a frozen ``*Facts`` dataclass; judging happens in
:mod:`gonogo.rules.tls`. Every connect has a timeout and every handshake a wall-clock deadline
(a peer trickling its records a byte at a time cannot hold one), and every failure to establish
a fact is a :class:`~gonogo.errors.ProbeError` naming ``host:port`` and what to do.

One module per probe (``certificate``, ``protocols``, ``ciphers``) to keep each small; gate
tests use this package: ``from gonogo.probes import tls``.
"""

from __future__ import annotations

from gonogo.facts.tls import Vulnerability
from gonogo.probes.tls._net import PROBE_CIPHERS, VERSIONS, Endpoint, endpoint
from gonogo.probes.tls.certificate import (
    CertificateFacts,
    CertificateInfo,
    fetch_certificate,
    hostname_matches,
)
from gonogo.probes.tls.ciphers import CipherFacts, ProfileIssue, Suite, scan_ciphers
from gonogo.probes.tls.protocols import (
    ProtocolFacts,
    ProtocolProbeIncomplete,
    ProtocolStatus,
    VersionResult,
    probe_protocols,
)

__all__ = [
    "PROBE_CIPHERS",
    "VERSIONS",
    "CertificateFacts",
    "CertificateInfo",
    "CipherFacts",
    "Endpoint",
    "ProfileIssue",
    "ProtocolFacts",
    "ProtocolProbeIncomplete",
    "ProtocolStatus",
    "Suite",
    "VersionResult",
    "Vulnerability",
    "endpoint",
    "fetch_certificate",
    "hostname_matches",
    "probe_protocols",
    "scan_ciphers",
]
