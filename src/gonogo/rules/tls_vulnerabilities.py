"""Known TLS attacks, each at its real weight.

Check ids: ``tls.vulnerabilities``.

One finding per attack sslyze tests in the scan that ``tls.ciphers`` also judges (one scan):
Heartbleed, OpenSSL CCS injection, ROBOT, insecure renegotiation (no RFC 5746), TLS compression
(CRIME), SSLv2 and SSLv3 accepted fail at the check's severity (blocker): each lets an attacker
read or alter traffic. Client-initiated renegotiation honoured (a denial of service), a ROBOT
weak oracle (hard to exploit) and no TLS_FALLBACK_SCSV (downgrade protection for clients that
retry with older versions; TLS 1.3's own downgrade sentinel covers 1.3 -> 1.2) are major. What
sslyze could not decide (ROBOT's inconsistent answers) is noted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.model import Finding, Severity, info

if TYPE_CHECKING:
    from gonogo.facts.tls import CipherFacts, Vulnerability

TITLES = {
    "heartbleed": "Heartbleed (CVE-2014-0160)",
    "ccs_injection": "OpenSSL CCS injection (CVE-2014-0224)",
    "robot": "ROBOT (RSA padding oracle)",
    "insecure_renegotiation": "insecure renegotiation (no RFC 5746)",
    "client_renegotiation": "client-initiated renegotiation (denial of service)",
    "compression": "TLS compression (CRIME)",
    "downgrade": "downgrade protection (TLS_FALLBACK_SCSV)",
    "sslv2": "SSLv2",
    "sslv3": "SSLv3 (POODLE)",
}
# findings below the check's blocker severity
MAJOR_KEYS = frozenset({"client_renegotiation", "downgrade"})
# the Mozilla checker's issue keys that this check judges (tls.ciphers only shows them)
PROFILE_ISSUES = frozenset(
    {
        "tls_vulnerability_compression",
        "tls_vulnerability_ccs_injection",
        "tls_vulnerability_fallback_scsv",
        "tls_vulnerability_heartbleed",
        "tls_vulnerability_robot",
        "tls_vulnerability_renegotiation",
    }
)


def evaluate_vulnerabilities(facts: CipherFacts) -> list[Finding]:
    """``tls.vulnerabilities``: one finding per known attack."""
    if not facts.vulnerabilities:
        return [
            Finding(
                "scan",
                False,
                "the scan reported no vulnerability tests (sslyze too old?)",
                threshold=sorted(TITLES),
            )
        ]
    return [_judge(v) for v in facts.vulnerabilities]


def _judge(found: Vulnerability) -> Finding:
    title = TITLES.get(found.key, found.key)
    if found.vulnerable is None:
        return info(found.key, f"{title}: could not be decided ({found.detail})", found.detail)
    if not found.vulnerable:
        return info(found.key, f"{title}: not vulnerable ({found.detail})", found.detail)
    severity = None
    if found.key in MAJOR_KEYS or (found.key == "robot" and "WEAK" in found.detail):
        severity = Severity.MAJOR
    return Finding(
        found.key,
        False,
        f"{title}: VULNERABLE ({found.detail})",
        measured=found.detail,
        threshold="not vulnerable",
        severity=severity,
    )
