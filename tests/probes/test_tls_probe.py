"""The TLS probes against a real nginx on loopback, one server block per fault.

Until the demo stack has TLS faults, this module starts its own unprivileged nginx with
certificates made by ``cryptography`` (sslyze validates those; trustme's fail) and proves each
probe sees the fault it exists for, and that the rules judge those real facts.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import loopback_nginx
from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.facts.tls import ProtocolStatus
from gonogo.probes import tls
from gonogo.rules import tls as rules
from gonogo.rules import tls_vulnerabilities
from gonogo.schema.tls import TlsConfig
from loopback import refusing_port
from probes.trickle import trickling
from wallclock import ends_within

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")

NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)
# Mozilla intermediate (profile 5.7) as nginx settings: what a clean server looks like.
INTERMEDIATE = (
    "ssl_protocols TLSv1.2 TLSv1.3; ssl_ecdh_curve X25519:prime256v1:secp384r1; ssl_ciphers "
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;"
)
# The plans' nginx block (003 §2.1): TLS 1.2+ but the broad HIGH cipher list.
PLAN = "ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers HIGH:!aNULL:!MD5;"
# What the notes prescribe for a server that must offer TLS 1.0/1.1 under OpenSSL 3.
TLS10 = "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; ssl_ciphers HIGH:!aNULL:!MD5:@SECLEVEL=0;"
# Mozilla intermediate as profile 5.7 had it: the ECDHE suites plus three DHE suites.
DHE = INTERMEDIATE.replace(
    "POLY1305;",
    "POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305; "
    "ssl_dhparam PREFIX/dhparam.pem;",
)
SERVERS = {  # name: (certificate, TLS settings)
    "clean": ("good", INTERMEDIATE),
    "plan": ("good", PLAN),
    "tls10": ("good", TLS10),
    "expiring": ("expiring", INTERMEDIATE),
    "expired": ("expired", INTERMEDIATE),
    "self-signed": ("self-signed", INTERMEDIATE),
    "mismatch": ("mismatch", INTERMEDIATE),
    "weak-key": ("weak-key", INTERMEDIATE.replace("POLY1305;", "POLY1305:@SECLEVEL=0;")),
    # Mozilla's "modern": TLS 1.3 only
    "tls13-only": ("good", "ssl_protocols TLSv1.3; ssl_ecdh_curve X25519:prime256v1:secp384r1;"),
    # Mozilla intermediate 5.7 with its DHE suites, which 6.0 dropped
    "dhe": ("good", DHE),
}


@dataclass(frozen=True, slots=True)
class Nginx:
    ports: dict[str, int]
    ca_bundle: Path

    def port(self, server: str) -> int:
        return self.ports[server]


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, issuer, key, signer, *, days=(-1, 90), sans=("localhost",), ca=False):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + days[0] * DAY)
        .not_valid_after(NOW + days[1] * DAY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    # the extensions a real CA sets; sslyze's strict RFC 5280 path validation wants them
    builder = builder.add_extension(
        x509.KeyUsage(True, False, not ca, False, False, ca, ca, False, False), critical=True
    ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if not ca:
        names = [x509.DNSName(n) for n in sans] + [
            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
        ]
        builder = (
            builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
                critical=False,
            )
        )
    return builder.sign(signer, hashes.SHA256())


def _write_certificates(directory: Path) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("gonogo test CA", "gonogo test CA", ca_key, ca_key, days=(-1, 3650), ca=True)
    key = rsa.generate_private_key(65537, 2048)
    self_key = rsa.generate_private_key(65537, 2048)
    weak_key = rsa.generate_private_key(65537, 1024)
    leaves = {  # name: (certificate, key, chain presented after the leaf)
        "good": (_cert("localhost", "gonogo test CA", key, ca_key), key, [ca]),
        "expiring": (_cert("localhost", "gonogo test CA", key, ca_key, days=(-70, 20)), key, []),
        "expired": (_cert("localhost", "gonogo test CA", key, ca_key, days=(-400, -2)), key, []),
        "self-signed": (_cert("localhost", "localhost", self_key, self_key), self_key, []),
        "mismatch": (
            _cert("other", "gonogo test CA", key, ca_key, sans=("other.example",)),
            key,
            [],
        ),
    }
    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    _write_sha1_certificate(directory, ca_key, weak_key)
    for name, (cert, leaf_key, chain) in leaves.items():
        blob = b"".join(c.public_bytes(pem) for c in [cert, *chain])
        (directory / f"{name}.pem").write_bytes(blob)
        (directory / f"{name}.key").write_bytes(_key_pem(leaf_key))


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_sha1_certificate(directory: Path, ca_key, weak_key) -> None:
    """RSA-1024 leaf signed with SHA-1 by the CA: cryptography refuses SHA-1, the CLI does not."""
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(_name("localhost"))
        .sign(weak_key, hashes.SHA256())
    )
    (directory / "weak.csr").write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    (directory / "ca.key").write_bytes(_key_pem(ca_key))
    (directory / "weak.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    (directory / "weak-key.key").write_bytes(_key_pem(weak_key))
    subprocess.run(
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            "weak.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-sha1",
            "-days",
            "30",
            "-extfile",
            "weak.ext",
            "-out",
            "weak-key.pem",
        ],
        cwd=directory,
        check=True,
        capture_output=True,
    )


def _config(prefix: Path, ports: dict[str, int]) -> str:
    servers = "\n".join(
        f"  server {{ listen 127.0.0.1:{ports[name]} ssl; ssl_certificate {prefix}/{cert}.pem; "
        f"ssl_certificate_key {prefix}/{cert}.key; {settings.replace('PREFIX', str(prefix))} "
        "return 200 'ok'; }"
        for name, (cert, settings) in SERVERS.items()
    )
    return (
        f"daemon off; pid {prefix}/nginx.pid; worker_processes 1; error_log {prefix}/error.log;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n  access_log off; {loopback_nginx.temp_paths(prefix)}\n{servers}\n}}\n"
    )


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    prefix = tmp_path_factory.mktemp("nginx")
    (prefix / "tmp").mkdir()
    _write_certificates(prefix)
    subprocess.run(  # DSA-style generation takes well under a second
        ["openssl", "dhparam", "-dsaparam", "-out", str(prefix / "dhparam.pem"), "2048"],
        check=True,
        capture_output=True,
    )
    proc, ports = loopback_nginx.start(prefix, list(SERVERS), partial(_config, prefix))
    try:
        yield Nginx(ports, prefix / "ca.pem")
    finally:
        loopback_nginx.stop(proc)


def _protocols(nginx: Nginx, server: str, **kwargs) -> tls.ProtocolFacts:
    return tls.probe_protocols("127.0.0.1", nginx.port(server), "localhost", 5.0, **kwargs)


def _status(facts: tls.ProtocolFacts) -> dict[str, str]:
    return {r.version: r.status.value for r in facts.results}


def test_tls10_enabled_server_is_detected(nginx: Nginx) -> None:
    """A server configured with TLSv1 and TLSv1.1 is seen accepting both."""
    facts = _protocols(nginx, "tls10")
    assert _status(facts) == {
        "TLSv1": "accepted",
        "TLSv1.1": "accepted",
        "TLSv1.2": "accepted",
        "TLSv1.3": "accepted",
    }
    assert "handshake completed as TLSv1" in facts.get("TLSv1").detail


def test_tls12_only_server_refuses_old_versions_with_an_alert(nginx: Nginx) -> None:
    """The plans' TLS 1.2+ server refuses TLS 1.0/1.1 by alert and completes 1.2 and 1.3."""
    facts = _protocols(nginx, "clean")
    assert _status(facts) == {
        "TLSv1": "refused",
        "TLSv1.1": "refused",
        "TLSv1.2": "accepted",
        "TLSv1.3": "accepted",
    }
    assert facts.get("TLSv1").detail == "server sent alert protocol_version"


def test_server_hello_counts_even_when_the_local_client_gives_up(nginx: Nginx) -> None:
    """At OpenSSL's default SECLEVEL the client aborts after the ServerHello; still accepted."""
    facts = _protocols(nginx, "tls10", versions=["TLSv1"], client_ciphers="DEFAULT")
    result = facts.get("TLSv1")
    assert result.status is ProtocolStatus.ACCEPTED
    assert "ServerHello" in result.detail


def test_client_unable_to_offer_a_version_is_an_error_not_a_refusal(nginx: Nginx) -> None:
    """When the local OpenSSL cannot build a TLS 1.0 ClientHello the probe raises, never passes."""
    with pytest.raises(tls.ProtocolProbeIncomplete) as raised:
        _protocols(nginx, "clean", client_ciphers="DEFAULT:@SECLEVEL=3")
    assert raised.value.facts.get("TLSv1").status is ProtocolStatus.CLIENT_UNABLE
    assert raised.value.reason.value == "config"
    assert f"127.0.0.1:{nginx.port('clean')}" in str(raised.value)


def _certificate(nginx: Nginx, server: str, ca: bool = True) -> tls.CertificateFacts:
    bundle = nginx.ca_bundle if ca else None
    return tls.fetch_certificate("127.0.0.1", nginx.port(server), "localhost", bundle, 5.0)


def test_valid_certificate_facts(nginx: Nginx) -> None:
    """The clean server's leaf verifies against the run CA, matches localhost and is described."""
    facts = _certificate(nginx, "clean")
    assert (facts.chain_valid, facts.verify_error, facts.hostname_matches) == (True, None, True)
    assert facts.leaf.sans == ["DNS:localhost", "IP:127.0.0.1"]
    assert (facts.leaf.key_type, facts.leaf.key_bits, facts.leaf.signature_hash) == (
        "RSA",
        2048,
        "sha256",
    )
    assert [c.subject for c in facts.chain] == ["CN=gonogo test CA"]


@pytest.mark.parametrize(
    ("server", "ca", "valid", "error", "matches"),
    [
        pytest.param("expired", True, False, "certificate has expired", True, id="expired"),
        pytest.param("self-signed", True, False, "self-signed certificate", True, id="self-signed"),
        pytest.param("mismatch", True, True, None, False, id="hostname-mismatch"),
        pytest.param(
            "clean",
            False,
            False,
            "self-signed certificate in certificate chain",
            True,
            id="run-ca-not-in-system-store",
        ),
        pytest.param("weak-key", True, False, "EE certificate key too weak", True, id="weak-key"),
    ],
)
def test_faulty_certificates_produce_the_right_facts(
    nginx, server, ca, valid, error, matches
) -> None:
    """Each certificate fault shows up as the chain verdict and hostname match a client sees."""
    facts = _certificate(nginx, server, ca)
    assert (facts.chain_valid, facts.verify_error, facts.hostname_matches) == (
        valid,
        error,
        matches,
    )


def test_self_signed_and_weak_key_details(nginx: Nginx) -> None:
    """The parsed leaf exposes self-issuance, key size and a SHA-1 signature."""
    assert _certificate(nginx, "self-signed").leaf.self_issued
    weak = _certificate(nginx, "weak-key").leaf
    assert (weak.key_bits, weak.signature_hash) == (1024, "sha1")


def test_sslyze_passes_the_intermediate_server(nginx: Nginx) -> None:
    """A server configured from the Mozilla intermediate profile has no issue and no offender."""
    facts = tls.scan_ciphers(
        "127.0.0.1", nginx.port("clean"), "localhost", 5.0, ca_bundle=nginx.ca_bundle
    )
    assert (facts.issues, facts.offending) == ((), ())
    assert {s.version for s in facts.accepted} == {"TLSv1.2", "TLSv1.3"}


def test_sslyze_flags_the_weak_suites_of_the_plans_config(nginx: Nginx) -> None:
    """The plans' HIGH:!aNULL:!MD5 list accepts CBC and RSA-key-exchange suites: flagged."""
    facts = tls.scan_ciphers(
        "127.0.0.1", nginx.port("plan"), "localhost", 5.0, ca_bundle=nginx.ca_bundle
    )
    assert "ciphers" in {i.key for i in facts.issues}
    assert tls.Suite("TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA") in facts.offending
    assert facts.scan_s > 0  # recorded; how fast is bench/'s business


def test_prepared_scan_gives_the_same_facts_and_leaves_no_child(nginx: Nginx) -> None:
    """A scan sent to a child started ahead (prepare_scan) gives the same facts as a fresh one;
    a prepared child no scan used is stopped by discard_prepared."""
    from gonogo.probes.tls import ciphers

    fresh = tls.scan_ciphers("127.0.0.1", nginx.port("plan"), "localhost", 5.0)
    ciphers.prepare_scan()
    child = ciphers._prepared[0]
    prepared = tls.scan_ciphers("127.0.0.1", nginx.port("plan"), "localhost", 5.0)
    assert child.returncode == 0 and not ciphers._prepared
    # sslyze words some issues with a Python set: the order of its items varies per process
    assert (prepared.accepted, prepared.offending) == (fresh.accepted, fresh.offending)
    assert [i.key for i in prepared.issues] == [i.key for i in fresh.issues]
    ciphers.prepare_scan()
    unused = ciphers._prepared[0]
    ciphers.discard_prepared()
    assert unused.returncode is not None and not ciphers._prepared


def test_scan_child_without_a_request_exits_quietly() -> None:
    """The scan's child reads its request from stdin; at end of input it exits 0, printing
    nothing (a prepared child that was not needed)."""
    done = subprocess.run(
        [sys.executable, "-m", "gonogo.probes.tls._cipher_child"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "")


def _silent_port() -> Iterator[int]:
    with socket.socket() as server:  # listens, never answers: the handshake must time out
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    yield from _silent_port()


@pytest.fixture
def closed_port() -> Iterator[int]:
    with refusing_port() as port:
        yield port


@pytest.mark.parametrize(
    "probe",
    [
        pytest.param(
            lambda port: tls.fetch_certificate("127.0.0.1", port, None, None, 0.5), id="certificate"
        ),
        pytest.param(
            lambda port: tls.probe_protocols("127.0.0.1", port, None, 0.5), id="protocols"
        ),
    ],
)
def test_unanswered_handshake_is_a_timeout_and_closed_port_is_refused(
    probe, silent_port, closed_port
) -> None:
    """Silence maps to ProbeTimeout and a closed port to ProbeRefused, both naming host:port."""
    with pytest.raises(ProbeTimeout, match=f"127.0.0.1:{silent_port}"):
        probe(silent_port)
    with pytest.raises(ProbeRefused, match=f"127.0.0.1:{closed_port}"):
        probe(closed_port)


@pytest.mark.parametrize(
    "probe",
    [
        pytest.param(
            lambda port: tls.fetch_certificate("127.0.0.1", port, None, None, 1.0), id="certificate"
        ),
        pytest.param(
            lambda port: tls.probe_protocols("127.0.0.1", port, None, 1.0), id="protocols"
        ),
        pytest.param(lambda port: tls.scan_ciphers("127.0.0.1", port, None, 1.0), id="ciphers"),
    ],
)
def test_trickling_handshake_ends_at_the_deadline(probe) -> None:
    """A peer that sends a TLS record a byte at a time (each read within the timeout) cannot
    hold a handshake past its deadline: a ProbeTimeout naming host:port, within ~the timeout."""
    with trickling("tls") as port:
        started = time.monotonic()
        with pytest.raises(ProbeTimeout, match=f"^127.0.0.1:{port}: "):
            probe(port)
        assert time.monotonic() - started < ends_within(1.0)


def test_cipher_scan_of_a_silent_port_times_out_fast(silent_port: int) -> None:
    """A port that accepts and never answers is a ProbeTimeout within the probe timeout, not a
    minute of sslyze retries."""
    started = time.monotonic()
    with pytest.raises(ProbeTimeout, match=f"127.0.0.1:{silent_port}"):
        tls.scan_ciphers("127.0.0.1", silent_port, None, 0.5)
    assert time.monotonic() - started < ends_within(0.5)


def test_cipher_scan_has_a_hard_deadline(nginx: Nginx) -> None:
    """A scan still running at its wall-clock deadline is killed and reported as a timeout."""
    started = time.monotonic()
    with pytest.raises(ProbeTimeout, match=r"did not finish within 0\.2 s"):
        tls.scan_ciphers("127.0.0.1", nginx.port("clean"), "localhost", 5.0, deadline_s=0.2)
    assert time.monotonic() - started < ends_within(0.2)


def test_sslyze_on_a_closed_port_is_an_error(closed_port: int) -> None:
    """When sslyze cannot connect the scan raises instead of returning empty, passing facts."""
    with pytest.raises(ProbeError, match=f"127.0.0.1:{closed_port}"):
        tls.scan_ciphers("127.0.0.1", closed_port, None, 1.0)


@pytest.mark.parametrize(
    ("name", "sans", "ips", "matches"),
    [
        pytest.param("localhost", ("localhost",), (), True, id="exact"),
        pytest.param("LocalHost.", ("localhost",), (), True, id="case-and-trailing-dot"),
        pytest.param("app.example.com", ("*.example.com",), (), True, id="wildcard"),
        pytest.param(
            "a.b.example.com", ("*.example.com",), (), False, id="wildcard-one-label-only"
        ),
        pytest.param("example.com", ("*.example.com",), (), False, id="wildcard-not-apex"),
        pytest.param("127.0.0.1", ("localhost",), ("127.0.0.1",), True, id="ip-san"),
        pytest.param("127.0.0.1", ("127.0.0.1",), (), False, id="ip-in-dns-san-does-not-count"),
        pytest.param("localhost", ("other.example",), (), False, id="mismatch"),
    ],
)
def test_hostname_matching(name: str, sans: tuple, ips: tuple, matches: bool) -> None:
    """Names match subjectAltName entries per RFC 6125: one-label wildcards, IPs only as IP SANs."""
    info = tls.CertificateInfo(
        "CN=x", "CN=x", "1", "", sans, ips, NOW, NOW, "RSA", 2048, None, "sha256", "sha256", False
    )
    assert tls.hostname_matches(info, name) is matches


CHECKS = {
    "expiry": lambda n, s: rules.evaluate_expiry(_certificate(n, s), TlsConfig(), NOW),
    "certificate": lambda n, s: rules.evaluate_certificate(_certificate(n, s), TlsConfig(), NOW),
    "protocols": lambda n, s: rules.evaluate_protocols(_protocols(n, s), TlsConfig()),
    "ciphers": lambda n, s: rules.evaluate_ciphers(
        tls.scan_ciphers("127.0.0.1", n.port(s), "localhost", 5.0, ca_bundle=n.ca_bundle),
        TlsConfig(),
    ),
    "ciphers-5.7": lambda n, s: rules.evaluate_ciphers(
        tls.scan_ciphers(
            "127.0.0.1", n.port(s), "localhost", 5.0, ca_bundle=n.ca_bundle, mozilla_version="5.7"
        ),
        TlsConfig(mozilla_profile="5.7"),
    ),
    "vulnerabilities": lambda n, s: tls_vulnerabilities.evaluate_vulnerabilities(
        tls.scan_ciphers("127.0.0.1", n.port(s), "localhost", 5.0, ca_bundle=n.ca_bundle)
    ),
}


@pytest.mark.parametrize(
    ("check", "server", "expected"),
    [
        pytest.param("expiry", "clean", set(), id="expiry-clean"),
        pytest.param("expiry", "expiring", {"days_left"}, id="expiry-20d"),
        pytest.param("expiry", "expired", {"days_left"}, id="expiry-expired"),
        pytest.param("certificate", "clean", set(), id="certificate-clean"),
        pytest.param("certificate", "self-signed", {"chain"}, id="certificate-self-signed"),
        pytest.param("certificate", "mismatch", {"hostname"}, id="certificate-mismatch"),
        # the RSA-1024, SHA-1 leaf: reported as key size and signature, not a third time as chain
        pytest.param("certificate", "weak-key", {"key_bits", "signature"}, id="certificate-weak"),
        pytest.param("protocols", "clean", set(), id="protocols-clean"),
        pytest.param("protocols", "tls10", {"TLSv1", "TLSv1.1"}, id="protocols-tls10"),
        pytest.param("protocols", "tls13-only", set(), id="protocols-tls13-only-above-the-floor"),
        pytest.param("ciphers", "tls13-only", set(), id="ciphers-tls13-only"),
        pytest.param("ciphers", "dhe", {"offending_suites"}, id="ciphers-dhe-fails-guidelines-6.0"),
        pytest.param("ciphers-5.7", "dhe", set(), id="ciphers-dhe-passes-guidelines-5.7"),
        pytest.param("vulnerabilities", "clean", set(), id="vulnerabilities-clean"),
        pytest.param(
            "vulnerabilities", "tls10", set(), id="vulnerabilities-tls10-has-fallback-scsv"
        ),
        pytest.param("ciphers", "clean", set(), id="ciphers-clean"),
        pytest.param(
            "ciphers", "plan", {"offending_suites", "tls_curves"}, id="ciphers-plan-config"
        ),
    ],
)
def test_rules_on_real_facts(nginx: Nginx, check: str, server: str, expected: set[str]) -> None:
    """Each rule fails on the nginx fault it exists for and passes on the clean server."""
    findings = CHECKS[check](nginx, server)
    assert {f.name for f in findings if not f.ok} == expected


def test_tls13_only_server_passes_the_floor_with_a_note(nginx: Nginx) -> None:
    """Mozilla's modern configuration (TLS 1.3 only) refuses TLS 1.2: a compatibility note,
    not 'it must be enabled'."""
    findings = rules.evaluate_protocols(_protocols(nginx, "tls13-only"), TlsConfig())
    tls12 = next(f for f in findings if f.name == "TLSv1.2")
    assert tls12.ok and "compatibility note" in tls12.message


def test_dhe_suites_are_named_under_guidelines_6(nginx: Nginx) -> None:
    """The DHE suites Mozilla 5.7 listed are the offenders under 6.0, counted distinct."""
    facts = tls.scan_ciphers(
        "127.0.0.1", nginx.port("dhe"), "localhost", 5.0, ca_bundle=nginx.ca_bundle
    )
    assert facts.mozilla_version == "6.0"
    assert {s.name for s in facts.offending} == {
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    }
    finding = next(
        f for f in rules.evaluate_ciphers(facts, TlsConfig()) if f.name == "offending_suites"
    )
    assert finding.message.startswith(
        "3 distinct suites (TLSv1.2: 3) outside the Mozilla intermediate"
    )
