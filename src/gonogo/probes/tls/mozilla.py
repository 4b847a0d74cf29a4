"""Mozilla's server-side TLS guidelines as data, and the vulnerabilities of an sslyze scan.

``mozilla_profiles.json`` holds, per guidelines version (5.7, what sslyze bundles; 6.0, the
current one: no ``old`` configuration, no DHE suites in ``intermediate``), the fields of each
configuration that sslyze's profile checker reads; :func:`configuration` turns one into the
checker's own model, so the same checker judges either version. :func:`vulnerabilities` reads
the known attacks from the scan sslyze already ran for the checker (no second scan). Used in
the scan's child process (:mod:`._cipher_child`): sslyze is imported on call.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from gonogo.facts.tls import Vulnerability

PROFILES_FILE = Path(__file__).with_name("mozilla_profiles.json")


@cache
def profiles() -> dict[str, Any]:
    """The guidelines file, parsed (versions -> configurations -> fields)."""
    data: dict[str, Any] = json.loads(PROFILES_FILE.read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


def configuration(version: str, name: str) -> Any:
    """sslyze's ``TlsConfigurationAsJson`` for Mozilla's ``name`` configuration of ``version``."""
    from sslyze.mozilla_tls_profile.tls_config_checker import TlsConfigurationAsJson

    try:
        fields = dict(profiles()[version]["configurations"][name])
    except KeyError as err:
        raise ValueError(f"Mozilla guidelines {version} have no {name!r} configuration") from err
    # the checker compares IANA names only; the other spellings are not needed
    fields["ciphers"] = {"iana": fields["ciphers"], "openssl": [], "go": [], "caddy": []}
    return TlsConfigurationAsJson(**fields)


def vulnerabilities(scan: Any) -> tuple[Vulnerability, ...]:
    """The known attacks in sslyze's ``AllScanCommandsAttempts`` (each command's ``.result``)."""
    from sslyze import RobotScanResultEnum

    renegotiation = scan.session_renegotiation.result
    robot = scan.robot.result.robot_result
    robot_vulnerable = {
        RobotScanResultEnum.VULNERABLE_STRONG_ORACLE: True,
        RobotScanResultEnum.VULNERABLE_WEAK_ORACLE: True,
        RobotScanResultEnum.UNKNOWN_INCONSISTENT_RESULTS: None,
    }.get(robot, False)

    def supported(flag: bool) -> str:
        return "supported" if flag else "not supported"

    ssl2 = scan.ssl_2_0_cipher_suites.result.is_tls_version_supported
    ssl3 = scan.ssl_3_0_cipher_suites.result.is_tls_version_supported
    return (
        Vulnerability(
            "heartbleed",
            scan.heartbleed.result.is_vulnerable_to_heartbleed,
            "answers a Heartbleed request"
            if scan.heartbleed.result.is_vulnerable_to_heartbleed
            else "not vulnerable",
        ),
        Vulnerability(
            "ccs_injection",
            scan.openssl_ccs_injection.result.is_vulnerable_to_ccs_injection,
            "accepts an early ChangeCipherSpec"
            if scan.openssl_ccs_injection.result.is_vulnerable_to_ccs_injection
            else "not vulnerable",
        ),
        Vulnerability("robot", robot_vulnerable, robot.name),
        Vulnerability(
            "insecure_renegotiation",
            not renegotiation.supports_secure_renegotiation,
            f"secure renegotiation (RFC 5746) {supported(renegotiation.supports_secure_renegotiation)}",
        ),
        Vulnerability(
            "client_renegotiation",
            renegotiation.is_vulnerable_to_client_renegotiation_dos,
            f"{renegotiation.client_renegotiations_success_count} client-initiated renegotiations "
            "honoured"
            if renegotiation.is_vulnerable_to_client_renegotiation_dos
            else "client-initiated renegotiation refused",
        ),
        Vulnerability(
            "compression",
            scan.tls_compression.result.supports_compression,
            f"TLS compression {supported(scan.tls_compression.result.supports_compression)}",
        ),
        Vulnerability(
            "downgrade",
            not scan.tls_fallback_scsv.result.supports_fallback_scsv,
            f"TLS_FALLBACK_SCSV {supported(scan.tls_fallback_scsv.result.supports_fallback_scsv)}",
        ),
        Vulnerability("sslv2", ssl2, f"SSLv2 {'accepted' if ssl2 else 'refused'}"),
        Vulnerability("sslv3", ssl3, f"SSLv3 {'accepted' if ssl3 else 'refused'}"),
    )
