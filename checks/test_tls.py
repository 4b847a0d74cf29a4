"""TLS of the HTTPS entry point: certificate expiry and validity, protocol versions, ciphers,
known attacks.

Each fact is fetched once per run (gonogo.recipes.tls; the certificate also feeds headers.grade).
"""

from __future__ import annotations

import pytest

from gonogo.recipes import tls
from gonogo.rules import tls as rules
from gonogo.rules import tls_vulnerabilities

pytestmark = [pytest.mark.predeploy, pytest.mark.security]


@pytest.mark.check("tls.cert-expiry")
def test_cert_expiry(gate):
    gate.target(tls.address(gate))
    gate.judge(rules.evaluate_expiry(tls.certificate(gate), gate.config.tls, gate.now))


@pytest.mark.check("tls.certificate")
def test_certificate(gate):
    gate.target(tls.address(gate))
    gate.judge(rules.evaluate_certificate(tls.certificate(gate), gate.config.tls, gate.now))


@pytest.mark.check("tls.protocols")
def test_protocols(gate):
    gate.target(tls.address(gate))
    gate.judge(rules.evaluate_protocols(tls.protocols(gate), gate.config.tls))


@pytest.mark.check("tls.ciphers")
def test_ciphers(gate):
    gate.target(tls.address(gate))
    gate.judge(rules.evaluate_ciphers(tls.ciphers(gate), gate.config.tls))


@pytest.mark.check("tls.vulnerabilities")
def test_vulnerabilities(gate):
    gate.target(tls.address(gate))
    gate.judge(tls_vulnerabilities.evaluate_vulnerabilities(tls.ciphers(gate)))
