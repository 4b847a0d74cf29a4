"""tls.vulnerabilities: each known attack one finding at its real weight, read from sslyze's own
result objects (SSLv3, compression, Heartbleed, CCS injection and ROBOT cannot be served by
Debian 12's OpenSSL 3, so these pin the rule where no real server can be built)."""


from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from factories import graded
from sslyze import CipherSuitesScanResult, RobotScanResultEnum
from sslyze.plugins.compression_plugin import CompressionScanResult
from sslyze.plugins.fallback_scsv_plugin import FallbackScsvScanResult
from sslyze.plugins.heartbleed_plugin import HeartbleedScanResult
from sslyze.plugins.openssl_ccs_injection_plugin import OpenSslCcsInjectionScanResult
from sslyze.plugins.openssl_cipher_suites._test_cipher_suite import CipherSuiteAcceptedByServer
from sslyze.plugins.openssl_cipher_suites.cipher_suites import CipherSuite
from sslyze.plugins.robot.implementation import RobotScanResult
from sslyze.plugins.session_renegotiation_plugin import SessionRenegotiationScanResult
from sslyze.server_connectivity import TlsVersionEnum

from gonogo.facts.tls import CipherFacts
from gonogo.model import Severity
from gonogo.probes.tls.mozilla import vulnerabilities
from gonogo.rules.tls_vulnerabilities import evaluate_vulnerabilities

SSL3_SUITE = CipherSuite("TLS_RSA_WITH_RC4_128_SHA", False, 128, "RC4-SHA")


def suites(version: TlsVersionEnum, accepted: bool) -> CipherSuitesScanResult:
    found = [CipherSuiteAcceptedByServer(SSL3_SUITE, None)] if accepted else []
    return CipherSuitesScanResult(tls_version_used=version, accepted_cipher_suites=found,
                                  rejected_cipher_suites=[])  # fmt: skip


def scan(**results: Any) -> SimpleNamespace:
    """sslyze's AllScanCommandsAttempts as the checker reads it: each command's ``.result``."""
    base: dict[str, Any] = {
        "heartbleed": HeartbleedScanResult(is_vulnerable_to_heartbleed=False),
        "openssl_ccs_injection": OpenSslCcsInjectionScanResult(is_vulnerable_to_ccs_injection=False),
        "robot": RobotScanResult(robot_result=RobotScanResultEnum.NOT_VULNERABLE_NO_ORACLE),
        "session_renegotiation": SessionRenegotiationScanResult(True, False, 0),
        "tls_compression": CompressionScanResult(supports_compression=False),
        "tls_fallback_scsv": FallbackScsvScanResult(supports_fallback_scsv=True),
        "ssl_2_0_cipher_suites": suites(TlsVersionEnum.SSL_2_0, False),
        "ssl_3_0_cipher_suites": suites(TlsVersionEnum.SSL_3_0, False),
    }
    base.update(results)
    return SimpleNamespace(**{k: SimpleNamespace(result=v) for k, v in base.items()})


def facts(found: SimpleNamespace) -> CipherFacts:
    return CipherFacts("app.example.com", 443, "intermediate", (), (), (), 1.0,
                       vulnerabilities=vulnerabilities(found))  # fmt: skip


CASES = [
    ("clean-server", scan(), "pass", set()),
    ("sslv3-accepted", scan(ssl_3_0_cipher_suites=suites(TlsVersionEnum.SSL_3_0, True)), "blocker", {"sslv3"}),
    ("sslv2-accepted", scan(ssl_2_0_cipher_suites=suites(TlsVersionEnum.SSL_2_0, True)), "blocker", {"sslv2"}),
    ("tls-compression", scan(tls_compression=CompressionScanResult(True)), "blocker", {"compression"}),
    ("heartbleed", scan(heartbleed=HeartbleedScanResult(True)), "blocker", {"heartbleed"}),
    ("ccs-injection", scan(openssl_ccs_injection=OpenSslCcsInjectionScanResult(True)), "blocker",
     {"ccs_injection"}),
    ("robot-strong-oracle", scan(robot=RobotScanResult(RobotScanResultEnum.VULNERABLE_STRONG_ORACLE)), "blocker",
     {"robot"}),
    ("robot-weak-oracle", scan(robot=RobotScanResult(RobotScanResultEnum.VULNERABLE_WEAK_ORACLE)), "major",
     {"robot"}),
    ("robot-rsa-not-supported", scan(robot=RobotScanResult(RobotScanResultEnum.NOT_VULNERABLE_RSA_NOT_SUPPORTED)),
     "pass", set()),
    ("robot-inconsistent-is-noted", scan(robot=RobotScanResult(RobotScanResultEnum.UNKNOWN_INCONSISTENT_RESULTS)),
     "pass", set()),
    ("no-secure-renegotiation", scan(session_renegotiation=SessionRenegotiationScanResult(False, False, 0)),
     "blocker", {"insecure_renegotiation"}),
    ("client-renegotiation-honoured", scan(session_renegotiation=SessionRenegotiationScanResult(True, True, 10)),
     "major", {"client_renegotiation"}),
    ("no-fallback-scsv", scan(tls_fallback_scsv=FallbackScsvScanResult(False)), "major", {"downgrade"}),
    ("sslv3-and-client-renegotiation",
     scan(ssl_3_0_cipher_suites=suites(TlsVersionEnum.SSL_3_0, True),
          session_renegotiation=SessionRenegotiationScanResult(True, True, 10)),
     "blocker", {"sslv3", "client_renegotiation"}),
]


@pytest.mark.parametrize(("found", "expected", "failing"), [pytest.param(s, e, f, id=n) for n, s, e, f in CASES])
def test_each_attack_at_its_weight(found: SimpleNamespace, expected: str, failing: set[str]) -> None:
    """Each attack sslyze finds is one failing finding; the check's grade follows the worst
    (an SSLv3 server is NO-GO like a TLS 1.0 one, a renegotiation DoS CONDITIONAL)."""
    findings = evaluate_vulnerabilities(facts(found))
    assert {f.name for f in findings if not f.ok} == failing
    assert graded(findings, Severity.BLOCKER) == expected


def test_every_attack_is_a_finding_of_its_own() -> None:
    """The clean scan still records one finding per attack tested, as evidence."""
    names = [f.name for f in evaluate_vulnerabilities(facts(scan()))]
    assert names == ["heartbleed", "ccs_injection", "robot", "insecure_renegotiation",
                     "client_renegotiation", "compression", "downgrade", "sslv2", "sslv3"]  # fmt: skip


def test_a_scan_without_vulnerability_results_never_passes() -> None:
    """Facts without the attack tests (an older probe) fail rather than pass empty."""
    empty = CipherFacts("app.example.com", 443, "intermediate", (), (), (), 1.0)
    [finding] = evaluate_vulnerabilities(empty)
    assert not finding.ok
