"""TLS of the HTTPS entry point: certificate expiry and validity, protocol versions, ciphers,
known attacks."""

from __future__ import annotations

from functools import partial

import pytest

from gonogo import web
from gonogo.probes import tls
from gonogo.rules import tls as rules
from gonogo.rules import tls_vulnerabilities

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


def _endpoint(gate):
    endpoint = web.tls_endpoint(gate)
    gate.target(str(endpoint))
    return gate.require("web"), endpoint


def _certificate(gate):  # one fetch per run feeds both certificate checks (and headers.grade)
    _endpoint(gate)
    return web.certificate(gate)


@pytest.mark.check("tls.cert-expiry")
def test_cert_expiry(gate):
    gate.judge(rules.evaluate_expiry(_certificate(gate), gate.config.tls, gate.now))


@pytest.mark.check("tls.certificate")
def test_certificate(gate):
    gate.judge(rules.evaluate_certificate(_certificate(gate), gate.config.tls, gate.now))


@pytest.mark.check("tls.protocols")
def test_protocols(gate):
    site, ep = _endpoint(gate)
    probe = partial(tls.probe_protocols, ep.host, ep.port, ep.server_name, site.timeout_s)
    facts = gate.shared(f"tls.protocols:{ep}:{ep.server_name}", probe)
    gate.judge(rules.evaluate_protocols(facts, gate.config.tls))


def _scan(gate):  # one sslyze scan per run feeds tls.ciphers and tls.vulnerabilities
    (site, ep), cfg = _endpoint(gate), gate.config.tls
    options = {
        "profile": cfg.cipher_profile,
        "ca_bundle": site.ca_bundle,
        "mozilla_version": cfg.mozilla_profile,
    }
    scan = partial(tls.scan_ciphers, ep.host, ep.port, ep.server_name, site.timeout_s, **options)
    key = f"tls.ciphers:{ep}:{ep.server_name}:{cfg.mozilla_profile}:{cfg.cipher_profile}"
    return gate.shared(key, scan)


@pytest.mark.check("tls.ciphers")
def test_ciphers(gate):
    gate.judge(rules.evaluate_ciphers(_scan(gate), gate.config.tls))


@pytest.mark.check("tls.vulnerabilities")
def test_vulnerabilities(gate):
    gate.judge(tls_vulnerabilities.evaluate_vulnerabilities(_scan(gate)))
