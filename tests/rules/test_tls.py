"""Table tests of the TLS rules: facts built in memory → which findings fail, with what severity."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from gonogo.facts.tls import (
    CertificateFacts,
    CertificateInfo,
    CipherFacts,
    ProfileIssue,
    ProtocolFacts,
    ProtocolStatus,
    Suite,
    VersionResult,
)
from gonogo.model import Finding, Severity
from gonogo.rules import tls as rules
from gonogo.schema.tls import TlsConfig

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
DEFAULTS = TlsConfig()


# --- builders ---------------------------------------------------------------------------------


def cert(**changes: Any) -> CertificateInfo:
    """A healthy RSA-2048 leaf for app.example.com, 30 days old, valid 90 days; override fields."""
    base = CertificateInfo(
        subject="CN=app.example.com",
        issuer="CN=Example CA",
        serial="1f",
        sha256="00" * 32,
        dns_names=("app.example.com",),
        ip_addresses=(),
        not_before=NOW - 30 * DAY,
        not_after=NOW + 60 * DAY,
        key_type="RSA",
        key_bits=2048,
        curve=None,
        signature_algorithm="sha256WithRSAEncryption",
        signature_hash="sha256",
        self_issued=False,
    )
    return dataclasses.replace(base, **changes)


def cert_facts(leaf: CertificateInfo | None = None, **changes: Any) -> CertificateFacts:
    base = CertificateFacts(
        host="app.example.com",
        port=443,
        server_name="app.example.com",
        leaf=leaf or cert(),
        chain=(),
        trust_store="system",
        chain_valid=True,
        verify_error=None,
        hostname_matches=True,
    )
    return dataclasses.replace(base, **changes)


def protocols(**statuses: str) -> ProtocolFacts:
    """Protocol facts from ``TLSv1="refused"``-style keywords (``_`` stands for ``.``)."""
    wanted = {
        "TLSv1": "refused",
        "TLSv1_1": "refused",
        "TLSv1_2": "accepted",
        "TLSv1_3": "accepted",
    }
    wanted.update(statuses)
    results = tuple(
        VersionResult(version.replace("_", "."), ProtocolStatus(status), "detail")
        for version, status in wanted.items()
        if status != "absent"
    )
    return ProtocolFacts("app.example.com", 443, "app.example.com", results)


def ciphers(offending: tuple[Suite, ...] = (), issues: dict[str, str] | None = None) -> CipherFacts:
    good = (Suite("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),)
    return CipherFacts(
        host="app.example.com",
        port=443,
        profile="intermediate",
        accepted=good + offending,
        offending=offending,
        issues=tuple(ProfileIssue(k, v) for k, v in (issues or {}).items()),
        scan_s=1.2,
    )


def failing(findings: list[Finding]) -> set[str]:
    return {f.name for f in findings if not f.ok}


def by_name(findings: list[Finding], name: str) -> Finding:
    return next(f for f in findings if f.name == name)


# --- tls.cert-expiry --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "ok", "severity", "measured"),
    [
        pytest.param(90, True, None, 90, id="90d-ok"),
        pytest.param(30, True, None, 30, id="30d-exactly-ok"),
        pytest.param(29.9, False, Severity.MAJOR, 29, id="29.9d-major"),
        pytest.param(20, False, Severity.MAJOR, 20, id="20d-major"),
        pytest.param(7, False, Severity.MAJOR, 7, id="7d-exactly-major"),
        pytest.param(6.5, False, Severity.BLOCKER, 6, id="6.5d-blocker"),
        pytest.param(3, False, Severity.BLOCKER, 3, id="3d-blocker"),
        pytest.param(0.5, False, Severity.BLOCKER, 0, id="hours-left-blocker"),
        pytest.param(-2, False, Severity.BLOCKER, -2, id="expired-blocker"),
    ],
)
def test_expiry_bands(days_left: float, ok: bool, severity: Severity | None, measured: int) -> None:
    """Days left map to ok / major (under 30) / blocker (under 7 or expired), days rounded down."""
    facts = cert_facts(cert(not_after=NOW + days_left * DAY))
    finding = by_name(rules.evaluate_expiry(facts, DEFAULTS, NOW), "days_left")
    assert (finding.ok, finding.severity, finding.measured) == (ok, severity, measured)


def test_expired_message_says_expired() -> None:
    """An expired leaf reads as expired, with the date, not as a negative countdown."""
    facts = cert_facts(cert(not_after=NOW - 2 * DAY))
    finding = by_name(rules.evaluate_expiry(facts, DEFAULTS, NOW), "days_left")
    assert finding.message == "certificate expired on 2026-05-30 (2 days ago)"


@pytest.mark.parametrize(
    ("days_left", "measured", "message"),
    [
        pytest.param(1.5, 1, "certificate expires in 1 day (2026-06-03); under 7 days is a blocker", id="1.5d-left"),
        pytest.param(0.5, 0, "certificate expires in less than a day (2026-06-02); under 7 days is a blocker", id="0.5d-left"),
        pytest.param(1e-6, 0, "certificate expires in less than a day (2026-06-01); under 7 days is a blocker", id="a-moment-left"),
        pytest.param(0, 0, "certificate expired on 2026-06-01 (less than a day ago)", id="exactly-now"),
        pytest.param(-0.5, 0, "certificate expired on 2026-06-01 (less than a day ago)", id="expired-0.5d-ago"),
        pytest.param(-0.999, 0, "certificate expired on 2026-05-31 (less than a day ago)", id="expired-almost-1d-ago"),
        pytest.param(-1, -1, "certificate expired on 2026-05-31 (1 day ago)", id="expired-1d-ago"),
        pytest.param(-1.5, -1, "certificate expired on 2026-05-31 (1 day ago)", id="expired-1.5d-ago"),
        pytest.param(-2.5, -2, "certificate expired on 2026-05-30 (2 days ago)", id="expired-2.5d-ago"),
    ],
)  # fmt: skip
def test_expiry_age_counts_whole_days(days_left: float, measured: int, message: str) -> None:
    """Days left and an expired leaf's age count whole days toward zero: expired 12 hours ago is
    "less than a day ago" (not the floor of -0.5, "1 days ago"), exactly now is expired."""
    facts = cert_facts(cert(not_after=NOW + days_left * DAY))
    finding = by_name(rules.evaluate_expiry(facts, DEFAULTS, NOW), "days_left")
    assert (finding.ok, finding.severity) == (False, Severity.BLOCKER)
    assert (finding.measured, finding.message) == (measured, message)


@pytest.mark.parametrize(
    ("days_left", "severity"),
    [
        pytest.param(40, Severity.MAJOR, id="40d-major"),
        pytest.param(10, Severity.BLOCKER, id="10d-blocker"),
    ],
)
def test_expiry_thresholds_come_from_config(days_left: int, severity: Severity) -> None:
    """The bands follow [tls] expiry_major_days / expiry_blocker_days, not built-in numbers."""
    thresholds = TlsConfig(expiry_major_days=45, expiry_blocker_days=14)
    facts = cert_facts(cert(not_after=NOW + days_left * DAY))
    assert by_name(rules.evaluate_expiry(facts, thresholds, NOW), "days_left").severity is severity


def test_not_yet_valid_is_a_blocker() -> None:
    """A leaf whose validity starts in the future is a blocker, whatever its end date."""
    facts = cert_facts(cert(not_before=NOW + DAY, not_after=NOW + 90 * DAY))
    finding = by_name(rules.evaluate_expiry(facts, DEFAULTS, NOW), "not_yet_valid")
    assert (finding.ok, finding.severity) == (False, Severity.BLOCKER)


# --- tls.certificate --------------------------------------------------------------------------

SHA1 = {"signature_algorithm": "sha1WithRSAEncryption", "signature_hash": "sha1"}


@pytest.mark.parametrize(
    ("leaf", "facts", "thresholds", "expected"),
    [
        pytest.param({}, {}, {}, set(), id="clean"),
        pytest.param(
            {},
            {"chain_valid": False, "verify_error": "self-signed certificate"},
            {},
            {"chain"},
            id="self-signed",
        ),
        pytest.param({}, {"hostname_matches": False}, {}, {"hostname"}, id="hostname-mismatch"),
        pytest.param({"key_bits": 1024}, {}, {}, {"key_bits"}, id="rsa-1024"),
        pytest.param({}, {}, {"min_rsa_bits": 3072}, {"key_bits"}, id="rsa-2048-under-3072-policy"),
        pytest.param(
            {"key_type": "EC", "key_bits": 256, "curve": "secp256r1"}, {}, {}, set(), id="ec-256"
        ),
        pytest.param(
            {"key_type": "EC", "key_bits": 224, "curve": "secp224r1"},
            {},
            {},
            {"key_bits"},
            id="ec-224",
        ),
        pytest.param({"key_type": "Ed25519", "key_bits": 256}, {}, {}, set(), id="ed25519"),
        pytest.param({"key_type": "DSA", "key_bits": 2048}, {}, {}, {"key_bits"}, id="dsa"),
        pytest.param(SHA1, {}, {}, {"signature"}, id="sha1-leaf"),
        pytest.param({"signature_hash": "md5"}, {}, {}, {"signature"}, id="md5-leaf"),
        pytest.param(
            {},
            {"chain": (cert(subject="CN=Intermediate", **SHA1),)},
            {},
            {"chain_signatures"},
            id="sha1-intermediate",
        ),
        pytest.param(
            {},
            {"chain": (cert(subject="CN=Root", self_issued=True, **SHA1),)},
            {},
            set(),
            id="sha1-root-ignored",
        ),
        pytest.param(
            {"not_before": NOW - 10 * DAY, "not_after": NOW + 390 * DAY},
            {},
            {},
            {"lifetime_days"},
            id="lifetime-400d",
        ),
        pytest.param(
            {"not_before": NOW - 8 * DAY, "not_after": NOW + 390 * DAY},
            {},
            {},
            set(),
            id="lifetime-398d",
        ),
        pytest.param(
            {"not_before": NOW - 10 * DAY, "not_after": NOW + 815 * DAY},
            {},
            {"max_lifetime_days": None},
            set(),
            id="lifetime-unchecked-private-ca",
        ),
    ],
)
def test_certificate_findings(
    leaf: dict, facts: dict, thresholds: dict, expected: set[str]
) -> None:
    """Each certificate defect fails exactly its own finding."""
    result = rules.evaluate_certificate(
        cert_facts(cert(**leaf), **facts), TlsConfig(**thresholds), NOW
    )
    assert failing(result) == expected


def test_certificate_findings_never_override_severity() -> None:
    """tls.certificate keeps its catalogue severity: an override would mask a failed chain."""
    leaf = cert(not_before=NOW - 10 * DAY, not_after=NOW + 400 * DAY, key_bits=1024)
    facts = cert_facts(leaf, chain_valid=False, hostname_matches=False)
    result = rules.evaluate_certificate(facts, DEFAULTS, NOW)
    assert failing(result) == {"chain", "hostname", "key_bits", "lifetime_days"}
    assert {f.severity for f in result} == {None}
    assert by_name(result, "lifetime_days").measured == 410


def test_certificate_evidence() -> None:
    """Subject, issuer, SANs, validity, key and signature algorithm are recorded as evidence."""
    leaf = cert(ip_addresses=("127.0.0.1",))
    result = {
        f.name: f.measured for f in rules.evaluate_certificate(cert_facts(leaf), DEFAULTS, NOW)
    }
    assert result["subject"] == "CN=app.example.com"
    assert result["issuer"] == "CN=Example CA"
    assert result["sans"] == ["DNS:app.example.com", "IP:127.0.0.1"]
    assert result["validity"] == {
        "not_before": "2026-05-02T12:00:00+00:00",
        "not_after": "2026-07-31T12:00:00+00:00",
    }
    assert (result["key_bits"], result["signature"]) == (2048, "sha256WithRSAEncryption")


def test_chain_message_names_the_verify_error() -> None:
    """The failing chain finding carries OpenSSL's reason and the trust store used."""
    facts = cert_facts(
        chain_valid=False, verify_error="certificate has expired", trust_store="/ca.pem"
    )
    finding = by_name(rules.evaluate_certificate(facts, DEFAULTS, NOW), "chain")
    assert finding.message == "chain does not verify against /ca.pem: certificate has expired"


# --- tls.protocols ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "thresholds", "expected"),
    [
        pytest.param({}, {}, set(), id="tls12-and-13-only"),
        pytest.param({"TLSv1": "accepted"}, {}, {"TLSv1"}, id="tls10-accepted"),
        pytest.param({"TLSv1_1": "accepted"}, {}, {"TLSv1.1"}, id="tls11-accepted"),
        pytest.param({"TLSv1_2": "refused"}, {}, set(), id="tls13-only-is-above-the-floor"),
        pytest.param({"TLSv1_2": "refused", "TLSv1_3": "refused"}, {}, {"TLSv1.2"},
                     id="tls12-and-13-refused"),
        pytest.param({"TLSv1_2": "refused", "TLSv1_3": "absent"}, {}, {"TLSv1.2"},
                     id="tls12-refused-13-not-probed"),
        pytest.param({"TLSv1_2": "client-unable"}, {}, {"TLSv1.2"}, id="tls12-client-unable"),
        pytest.param({"TLSv1": "client-unable"}, {}, {"TLSv1"}, id="client-unable-never-passes"),
        pytest.param({"TLSv1": "absent"}, {}, {"TLSv1"}, id="not-probed-never-passes"),
        pytest.param({"TLSv1_3": "refused"}, {}, set(), id="tls13-refused-only-reported"),
        pytest.param(
            {"TLSv1_3": "refused"},
            {"require_protocols": ["TLSv1.2", "TLSv1.3"]},
            {"TLSv1.3"},
            id="tls13-required",
        ),
        pytest.param(
            {"TLSv1": "accepted"}, {"refuse_protocols": []}, set(), id="nothing-to-refuse"
        ),
    ],
)
def test_protocol_findings(statuses: dict[str, str], thresholds: dict, expected: set[str]) -> None:
    """Refused versions must be refused by the server, required ones accepted, others reported."""
    assert (
        failing(rules.evaluate_protocols(protocols(**statuses), TlsConfig(**thresholds)))
        == expected
    )


def test_tls13_is_reported() -> None:
    """A version neither refused nor required still appears as an info finding with its status."""
    finding = by_name(rules.evaluate_protocols(protocols(), DEFAULTS), "TLSv1.3")
    assert (finding.ok, finding.measured) == (True, "accepted")


# --- tls.ciphers ------------------------------------------------------------------------------

CBC = Suite("TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA")
CCM8 = Suite("TLSv1.3", "TLS_AES_128_CCM_8_SHA256")


@pytest.mark.parametrize(
    ("offending", "issues", "thresholds", "expected"),
    [
        pytest.param((), {}, {}, set(), id="compliant"),
        pytest.param((CBC,), {"ciphers": "..."}, {}, {"offending_suites"}, id="weak-tls12-suite"),
        pytest.param(
            (CCM8,), {"ciphersuites": "..."}, {}, {"offending_suites"}, id="weak-tls13-suite"
        ),
        pytest.param(
            (), {"ciphers": "Cipher suites {...}"}, {}, {"ciphers"}, id="issue-without-suites"
        ),
        pytest.param((), {"tls_curves": "X448"}, {}, {"tls_curves"}, id="extra-curves"),
        pytest.param(
            (),
            {"tls_curves": "X448"},
            {"cipher_ignore_issues": ["tls_curves"]},
            set(),
            id="curves-ignored-by-config",
        ),
        pytest.param(
            (CBC,),
            {"ciphers": "..."},
            {"cipher_ignore_issues": ["ciphers"]},
            set(),
            id="tls12-suites-ignored-by-config",
        ),
        pytest.param((), {"tls_versions": "TLSv1"}, {}, {"tls_versions"}, id="old-versions"),
        pytest.param(
            (),
            {"tls_vulnerability_heartbleed": "vulnerable"},
            {},
            set(),
            id="heartbleed-judged-by-tls-vulnerabilities",
        ),
        pytest.param(
            (),
            {"certificate_path_validation": "failed"},
            {},
            set(),
            id="certificate-issue-left-to-tls.certificate",
        ),
    ],
)
def test_cipher_findings(
    offending: tuple, issues: dict, thresholds: dict, expected: set[str]
) -> None:
    """Non-certificate Mozilla-profile issues fail; certificate and ignored ones are reported."""
    assert (
        failing(rules.evaluate_ciphers(ciphers(offending, issues), TlsConfig(**thresholds)))
        == expected
    )


def test_offending_suites_are_the_evidence() -> None:
    """The failing finding lists the offending suites by version, and names them in the message."""
    finding = by_name(
        rules.evaluate_ciphers(ciphers((CBC, CCM8), {"ciphers": "."}), DEFAULTS), "offending_suites"
    )
    assert finding.measured == {"TLSv1.2": [CBC.name], "TLSv1.3": [CCM8.name]}
    assert "TLS_RSA_WITH_AES_128_CBC_SHA (TLSv1.2)" in finding.message


# --- [tls] thresholds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"expiry_blocker_days": 40}, id="blocker-after-major"),
        pytest.param({"refuse_protocols": ["TLSv1.2"]}, id="refused-and-required"),
        pytest.param({"refuse_protocols": ["SSLv3"]}, id="unknown-version"),
        pytest.param({"cipher_profile": "paranoid"}, id="unknown-profile"),
    ],
)
def test_inconsistent_thresholds_are_rejected(values: dict) -> None:
    """The [tls] table refuses thresholds that cannot be met or probed."""
    with pytest.raises(ValidationError):
        TlsConfig(**values)


def test_long_offender_lists_are_cut_in_the_message_not_in_the_evidence() -> None:
    """The message names the first five offenders, oldest version first; the evidence keeps all."""
    new = [Suite("TLSv1.2", f"TLS_RSA_WITH_SUITE_{i:02}") for i in range(10)]
    many = (*new, Suite("TLSv1", "TLS_RSA_WITH_OLD"))
    finding = by_name(
        rules.evaluate_ciphers(ciphers(many, {"ciphers": "."}), DEFAULTS), "offending_suites"
    )
    assert finding.message.startswith(
        "11 distinct suites (TLSv1: 1, TLSv1.2: 10) outside the Mozilla intermediate profile "
        "(guidelines 6.0): TLS_RSA_WITH_OLD (TLSv1), TLS_RSA_WITH_SUITE_00 (TLSv1.2)"
    )
    assert finding.message.endswith("TLS_RSA_WITH_SUITE_03 (TLSv1.2), and 6 more")
    assert sum(len(v) for v in finding.measured.values()) == 11


def test_tls13_only_server_gets_a_compatibility_note() -> None:
    """A TLS 1.3-only server (Mozilla's modern) passes the TLS 1.2 floor with a note naming the
    clients it leaves out, never "it must be enabled"."""
    finding = by_name(rules.evaluate_protocols(protocols(TLSv1_2="refused"), DEFAULTS), "TLSv1.2")
    assert finding.ok and "compatibility note" in finding.message and "must" not in finding.message


# --- suites counted like sslyze and testssl.sh --------------------------------------------------


def test_suites_are_counted_distinct_then_per_version() -> None:
    """The same suite accepted under two versions is one distinct suite, two per version."""
    cbc = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
    offending = (Suite("TLSv1.1", cbc), Suite("TLSv1.2", cbc))
    findings = rules.evaluate_ciphers(ciphers(offending, {"ciphers": "."}), DEFAULTS)
    assert by_name(findings, "offending_suites").message.startswith(
        "1 distinct suite (TLSv1.1: 1, TLSv1.2: 1) outside the Mozilla intermediate profile"
    )
    assert by_name(findings, "accepted").message.startswith(
        "2 distinct suites (TLSv1.1: 1, TLSv1.2: 2) accepted"
    )


def test_profile_message_names_the_guidelines_version() -> None:
    """The profile judged is named with the version of Mozilla's guidelines."""
    facts = dataclasses.replace(ciphers(), mozilla_version="5.7")
    [_, offending] = rules.evaluate_ciphers(facts, DEFAULTS)
    assert "Mozilla intermediate profile (guidelines 5.7)" in offending.message


def test_vulnerability_issues_are_left_to_tls_vulnerabilities() -> None:
    """sslyze's checker's attack issues are shown by tls.ciphers, judged by tls.vulnerabilities."""
    issues = {"tls_vulnerability_heartbleed": "Server is vulnerable to Heartbleed."}
    finding = by_name(rules.evaluate_ciphers(ciphers(issues=issues), DEFAULTS), "tls_vulnerability_heartbleed")
    assert finding.ok and "judged by tls.vulnerabilities" in finding.message


def test_old_profile_needs_the_5_7_guidelines() -> None:
    """Mozilla's 6.0 guidelines have no 'old' configuration: a clear configuration error."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="no 'old' configuration"):
        TlsConfig(cipher_profile="old")
    assert TlsConfig(cipher_profile="old", mozilla_profile="5.7").cipher_profile == "old"


# --- the weak key, reported once ---------------------------------------------------------------


def test_weak_key_is_reported_once_as_key_size() -> None:
    """A 1024-bit RSA leaf whose chain verifies apart from OpenSSL's key-size rule fails key_bits
    only; the chain finding says why it is not held against the chain."""
    leaf = dataclasses.replace(cert(), key_bits=1024)
    facts = cert_facts(leaf, chain_valid=False, verify_error="EE certificate key too weak",
                       weak_only=True)
    findings = rules.evaluate_certificate(facts, DEFAULTS, NOW)
    assert failing(findings) == {"key_bits"}
    assert "judged by key_bits and signature" in by_name(findings, "chain").message
