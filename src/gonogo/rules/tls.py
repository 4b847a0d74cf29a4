"""Rules of the TLS checks: facts from :mod:`gonogo.probes.tls` + ``[tls]`` thresholds → findings.

Check ids served:

- ``tls.cert-expiry`` (:func:`evaluate_expiry`): days left on the leaf; major under
  ``expiry_major_days`` (plans: renew at 30), blocker under ``expiry_blocker_days`` (plans: page
  at 7) and when expired or not yet valid.
- ``tls.certificate`` (:func:`evaluate_certificate`): chain verifies, hostname matches, key size,
  no SHA-1/MD5 signature, lifetime; subject, issuer, SANs and validity as evidence.
- ``tls.protocols`` (:func:`evaluate_protocols`): ``refuse_protocols`` refused by the server,
  ``require_protocols`` accepted or a newer version accepted instead (a floor: refusing TLS 1.2
  on a TLS 1.3-only server is a compatibility note), every other probed version reported.
- ``tls.ciphers`` (:func:`evaluate_ciphers`): compliance with a Mozilla profile (guidelines
  ``[tls] mozilla_profile``, 6.0 or 5.7) as reported by sslyze's checker, offending suites as
  evidence, counted as sslyze and testssl.sh count them (distinct suites, then per version).
  Known attacks are ``tls.vulnerabilities``' (:mod:`.tls_vulnerabilities`). Certificate issues from that checker are
  left to ``tls.certificate`` (one set of thresholds, and sslyze validates against its own
  trust stores).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from gonogo.model import Comparison, Finding, Severity, compare, info
from gonogo.rules.tls_vulnerabilities import PROFILE_ISSUES

if TYPE_CHECKING:  # rules are pure: facts types only, never the probes themselves
    from gonogo.facts.tls import (
        CertificateFacts,
        CertificateInfo,
        CipherFacts,
        ProtocolFacts,
        Suite,
    )
    from gonogo.schema.tls import TlsConfig

DAY_S = 86400
# ProtocolStatus values of probes/tls/protocols.py (a str enum: equal to these strings)
ACCEPTED, REFUSED, CLIENT_UNABLE = "accepted", "refused", "client-unable"
FORBIDDEN_HASHES = ("md5", "sha1")  # collisions are practical; browsers reject both
# Issue keys of sslyze's Mozilla checker that tls.vulnerabilities judges (one finding each).
VULNERABILITY_ISSUES = PROFILE_ISSUES
# Issue keys of sslyze's Mozilla checker that are about the certificate, not the ciphers.
CERTIFICATE_ISSUES = frozenset(
    {
        "certificate_path_validation",
        "certificate_curves",
        "certificate_types",
        "certificate_signatures",
        "rsa_key_size",
        "maximum_certificate_lifespan",
    }
)


def evaluate_expiry(
    facts: CertificateFacts, thresholds: TlsConfig, now: dt.datetime
) -> list[Finding]:
    """``tls.cert-expiry``: how long the leaf stays valid, in severity bands."""
    leaf = facts.leaf
    until = leaf.not_after.date().isoformat()
    findings = [
        info("not_after", f"leaf certificate valid until {leaf.not_after.isoformat()}", until)
    ]
    if now < leaf.not_before:
        findings.append(
            Finding(
                "not_yet_valid",
                False,
                f"certificate is not valid before {leaf.not_before.isoformat()}",
                leaf.not_before.isoformat(),
                severity=Severity.BLOCKER,
            )
        )
    left_s = (leaf.not_after - now).total_seconds()
    # whole days counted toward zero both ways: 6.9 days left is 6, expired 1.9 days ago is 1
    # (the floor of -1.9 would say 2); days_left of an expired leaf is minus its whole age
    days = math.floor(abs(left_s) / DAY_S) * (1 if left_s > 0 else -1)
    major, blocker = thresholds.expiry_major_days, thresholds.expiry_blocker_days
    if left_s <= 0:
        message = f"certificate expired on {until} ({_ago(-days)})"
        severity = Severity.BLOCKER
    elif days < blocker:
        message = (
            f"certificate expires {_within(days)} ({until}); under {blocker} days is a blocker"
        )
        severity = Severity.BLOCKER
    elif days < major:
        message = f"certificate expires {_within(days)} ({until}); renew before {major} days left"
        severity = Severity.MAJOR
    else:
        message, severity = (
            f"certificate expires {_within(days)} ({until}; >= {major} required)",
            None,
        )
    findings.append(
        Finding(
            "days_left", severity is None, message, days, major, "days", Comparison.GE, severity
        )
    )
    return findings


def _within(days: int) -> str:
    return "in less than a day" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"


def _ago(days: int) -> str:
    return "less than a day ago" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


def evaluate_certificate(
    facts: CertificateFacts, thresholds: TlsConfig, now: dt.datetime
) -> list[Finding]:
    """``tls.certificate``: would a client trust this certificate for this name?

    ``now`` is unused: the validity window is judged by ``tls.cert-expiry`` (and an expired
    leaf already fails the chain here, as OpenSSL reports it).
    """
    leaf = facts.leaf
    findings = [
        info("subject", f"subject {leaf.subject}", leaf.subject),
        info("issuer", f"issuer {leaf.issuer}", leaf.issuer),
        info("sans", f"names {', '.join(leaf.sans) or '(none)'}", leaf.sans),
        info(
            "validity",
            f"valid {leaf.not_before.isoformat()} to {leaf.not_after.isoformat()}",
            {"not_before": leaf.not_before.isoformat(), "not_after": leaf.not_after.isoformat()},
        ),
        _chain(facts),
        Finding(
            "hostname",
            facts.hostname_matches,
            f"{facts.server_name} {'matches' if facts.hostname_matches else 'does not match'} "
            f"the certificate's names ({', '.join(leaf.sans) or 'none'})",
            facts.server_name,
            leaf.sans,
            comparison=Comparison.IN,
        ),
        info(
            "presented_chain",
            f"server sends {len(facts.chain)} certificate(s) after the leaf",
            [c.subject for c in facts.chain],
        ),
        _key_size(leaf, thresholds),
        _signature("signature", [leaf]),
    ]
    intermediates = [c for c in facts.chain if not c.self_issued]  # a root's self-signature is moot
    if intermediates:
        findings.append(_signature("chain_signatures", intermediates))
    # No severity override: the engine lets a failed finding's override win over the others,
    # so a "major" lifetime would mask a failed chain. Browsers reject public certificates
    # valid for more than 398 days anyway.
    if thresholds.max_lifetime_days is not None:
        lifetime = math.ceil((leaf.not_after - leaf.not_before).total_seconds() / DAY_S)
        findings.append(
            compare(
                "lifetime_days",
                lifetime,
                Comparison.LE,
                thresholds.max_lifetime_days,
                unit="days",
                what="certificate lifetime",
            )
        )
    return findings


def _chain(facts: CertificateFacts) -> Finding:
    if facts.weak_only:  # reported once, as the key size or signature it is
        return info(
            "chain",
            f"chain verifies against {facts.trust_store} once OpenSSL's security level accepts "
            f"weak keys and hashes ({facts.verify_error}: judged by key_bits and signature)",
            "ok apart from a weak key or hash",
        )
    return Finding(
        "chain",
        facts.chain_valid,
        f"chain verifies against {facts.trust_store}"
        if facts.chain_valid
        else f"chain does not verify against {facts.trust_store}"
        + (f": {facts.verify_error}" if facts.verify_error else ""),
        facts.verify_error or "ok",
        "ok",
        comparison=Comparison.EQ,
    )


def _key_size(leaf: CertificateInfo, thresholds: TlsConfig) -> Finding:
    minimum = {"RSA": thresholds.min_rsa_bits, "EC": thresholds.min_ec_bits}.get(leaf.key_type)
    if minimum is not None:
        what = f"{leaf.key_type} key size" + (f" ({leaf.curve})" if leaf.curve else "")
        return compare("key_bits", leaf.key_bits, Comparison.GE, minimum, unit="bits", what=what)
    if leaf.key_type in ("Ed25519", "Ed448"):
        return Finding("key_bits", True, f"{leaf.key_type} key", leaf.key_bits, unit="bits")
    return Finding(
        "key_bits",
        False,
        f"{leaf.key_type} keys are not accepted; use RSA or ECDSA",
        leaf.key_type,
        ["RSA", "EC", "Ed25519", "Ed448"],
        comparison=Comparison.IN,
    )


def _signature(name: str, certs: list[CertificateInfo]) -> Finding:
    bad = [c for c in certs if c.signature_hash in FORBIDDEN_HASHES]
    algorithms = [c.signature_algorithm for c in certs]
    if bad:
        which = ", ".join(f"{c.subject} ({c.signature_algorithm})" for c in bad)
        message = f"signed with a forbidden hash (SHA-1/MD5): {which}"
    else:
        message = f"signature algorithm {', '.join(algorithms)}"
    measured = algorithms[0] if len(algorithms) == 1 else algorithms
    return Finding(
        name, not bad, message, measured, list(FORBIDDEN_HASHES), comparison=Comparison.NOT_IN
    )


def evaluate_protocols(facts: ProtocolFacts, thresholds: TlsConfig) -> list[Finding]:
    """``tls.protocols``: old versions refused by the server; each required version accepted,
    or a newer one (a floor: a TLS 1.3-only server, Mozilla's "modern", gets a note)."""
    findings = []
    for version in thresholds.refuse_protocols:
        findings.append(_expect(facts, version, REFUSED))
    for version in thresholds.require_protocols:
        findings.append(_floor(facts, version, _expect(facts, version, ACCEPTED)))
    judged = {*thresholds.refuse_protocols, *thresholds.require_protocols}
    for result in facts.results:
        if result.version not in judged:
            findings.append(
                info(
                    result.version,
                    f"{result.version} {result.status.value} ({result.detail})",
                    result.status.value,
                )
            )
    return findings


def _expect(facts: ProtocolFacts, version: str, wanted: str) -> Finding:
    result = facts.get(version)
    if result is None:
        return Finding(
            version,
            False,
            f"{version} was not probed",
            None,
            wanted,
            comparison=Comparison.EQ,
        )
    ok = result.status == wanted
    if result.status == CLIENT_UNABLE:  # never a pass: the server was not asked
        message = f"{version} not verified: the local client could not offer it ({result.detail})"
    elif ok:
        message = f"{version} {result.status.value} as required ({result.detail})"
    elif wanted == REFUSED:
        message = f"server accepts {version} ({result.detail}); it must be disabled"
    else:
        message = f"server refuses {version} ({result.detail}); it must be enabled"
    return Finding(version, ok, message, str(result.status), wanted, comparison=Comparison.EQ)


_ORDER = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")


def _floor(facts: ProtocolFacts, version: str, found: Finding) -> Finding:
    # refusing the minimum is fine when a newer version is accepted: a compatibility note
    result = facts.get(version)
    if found.ok or result is None or result.status != REFUSED or version not in _ORDER:
        return found
    newer = [
        r.version
        for r in facts.results
        if r.version in _ORDER
        and _ORDER.index(r.version) > _ORDER.index(version)
        and r.status == ACCEPTED
    ]
    if not newer:
        return found
    return info(
        version,
        f"server refuses {version} but accepts {', '.join(newer)}: above the {version} floor "
        f"(clients without {newer[0]} cannot connect: a compatibility note)",
        str(result.status),
    )


def evaluate_ciphers(facts: CipherFacts, thresholds: TlsConfig) -> list[Finding]:
    """``tls.ciphers``: every non-certificate issue of the Mozilla profile check fails."""
    ignored = set(thresholds.cipher_ignore_issues)
    profile = f"Mozilla {facts.profile} profile (guidelines {facts.mozilla_version})"
    offending = [s for s in facts.offending if _suite_issue(s) not in ignored]
    ordered = sorted(offending, key=lambda s: (_VERSION_ORDER.get(s.version, 9), s.name))
    listed = ", ".join(f"{s.name} ({s.version})" for s in ordered[:_LISTED])
    if len(ordered) > _LISTED:  # the full list is in the finding's measured value
        listed += f", and {len(ordered) - _LISTED} more"
    findings = [
        info(
            "accepted",
            f"{_count(facts.accepted)} accepted (sslyze scan {facts.scan_s:.1f} s)",
            _by_version(facts.accepted),
        ),
        Finding(
            "offending_suites",
            not offending,
            f"{_count(offending)} outside the {profile}: {listed}"
            if offending
            else f"every accepted suite is in the {profile}",
            _by_version(offending),
            [],
            comparison=Comparison.EQ,
        ),
    ]
    covered = {_suite_issue(s) for s in offending}  # already shown, suite by suite
    for issue in facts.issues:
        if issue.key in CERTIFICATE_ISSUES:
            findings.append(
                info(issue.key, f"{issue.message} (judged by tls.certificate)", issue.key)
            )
        elif issue.key in VULNERABILITY_ISSUES:
            findings.append(
                info(issue.key, f"{issue.message} (judged by tls.vulnerabilities)", issue.key)
            )
        elif issue.key in ignored:
            findings.append(
                info(
                    issue.key, f"{issue.message} (ignored by [tls].cipher_ignore_issues)", issue.key
                )
            )
        elif issue.key not in covered:
            findings.append(Finding(issue.key, False, f"{profile}: {issue.message}", issue.key))
    return findings


_LISTED = 5  # keeps the one-line message under the report's 400 characters
_VERSION_ORDER = {
    v: i for i, v in enumerate(("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"))
}


def _count(suites: list[Suite] | tuple[Suite, ...]) -> str:
    """Suites counted as sslyze and testssl.sh count them: distinct suites, then per version
    (``TLS_AES_128_GCM_SHA256`` accepted under one version is one suite; a TLS 1.2 suite also
    accepted under TLS 1.1 is one distinct suite, two per version)."""
    distinct = len({s.name for s in suites})
    per_version = ", ".join(f"{v}: {len(n)}" for v, n in _by_version(suites).items())
    return f"{distinct} distinct suite{'s' if distinct != 1 else ''}" + (
        f" ({per_version})" if per_version else ""
    )


def _suite_issue(suite: Suite) -> str:
    """The Mozilla checker's issue key for an offending suite (TLS 1.3 suites are separate)."""
    return "ciphersuites" if suite.version == "TLSv1.3" else "ciphers"


def _by_version(suites: list[Suite] | tuple[Suite, ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for suite in sorted(suites, key=lambda s: _VERSION_ORDER.get(s.version, 9)):
        grouped.setdefault(suite.version, []).append(suite.name)
    return {version: sorted(names) for version, names in grouped.items()}
