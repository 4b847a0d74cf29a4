"""The HTTPS entry point's TLS facts, fetched once per run: address, certificate, protocols,
cipher suites and known attacks (``tls.*``; the certificate also feeds ``headers.grade``).

They leave ``gate.target`` to the gate test (``gate.target(tls.address(gate))``): the certificate
is also read by ``headers.grade``, whose target is the page.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from gonogo.probes import tls

if TYPE_CHECKING:
    from gonogo.facts.tls import CertificateFacts, CipherFacts, ProtocolFacts
    from gonogo.gate import Gate
    from gonogo.probes.tls import Endpoint


def endpoint(gate: Gate) -> Endpoint:
    """Host, port and server name of the HTTPS entry point."""
    return tls.endpoint(gate.require("web").base_url, gate.config.tls.server_name)


def address(gate: Gate) -> str:
    """``host:port`` of the HTTPS entry point: what a ``tls.*`` check looks at."""
    return str(endpoint(gate))


def certificate(gate: Gate) -> CertificateFacts:
    """The certificate chain the entry point presents, verified against ``[web] ca_bundle``."""
    web, ep = gate.require("web"), endpoint(gate)
    fetch = partial(
        tls.fetch_certificate, ep.host, ep.port, ep.server_name, web.ca_bundle, web.timeout_s
    )
    return gate.shared(f"tls.certificate:{ep}:{ep.server_name}:{web.ca_bundle}", fetch)


def protocols(gate: Gate) -> ProtocolFacts:
    """Which protocol versions the entry point accepts."""
    web, ep = gate.require("web"), endpoint(gate)
    probe = partial(tls.probe_protocols, ep.host, ep.port, ep.server_name, web.timeout_s)
    return gate.shared(f"tls.protocols:{ep}:{ep.server_name}", probe)


def ciphers(gate: Gate) -> CipherFacts:
    """The cipher suites the entry point offers against ``[tls] cipher_profile`` of Mozilla's
    guidelines ``[tls] mozilla_profile``, and the known attacks (one sslyze scan per run feeds
    ``tls.ciphers`` and ``tls.vulnerabilities``)."""
    web, ep, cfg = gate.require("web"), endpoint(gate), gate.config.tls
    options = {
        "profile": cfg.cipher_profile,
        "ca_bundle": web.ca_bundle,
        "mozilla_version": cfg.mozilla_profile,
    }
    scan = partial(tls.scan_ciphers, ep.host, ep.port, ep.server_name, web.timeout_s, **options)
    key = f"tls.ciphers:{ep}:{ep.server_name}:{cfg.mozilla_profile}:{cfg.cipher_profile}"
    return gate.shared(key, scan)
