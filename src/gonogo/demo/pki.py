"""A private CA per run and the server certificates nginx serves (clean and faulty ones).

Made with ``cryptography`` directly rather than ``trustme``: sslyze's path validation rejects
trustme's certificates even with their CA supplied (see the platform notes).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.errors import DemoError

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

# cryptography is imported where certificates are made, not here: a gate run attached to a
# running stack reads this module for its paths only (see docs/performance.md)

DEFAULT_SANS = ("localhost", "127.0.0.1")


@dataclass(frozen=True, slots=True)
class CertSpec:
    """What a server certificate variant looks like.

    Attributes:
        days_left: days until ``notAfter`` (negative: already expired).
        lifetime_days: total validity (``notBefore`` is ``notAfter`` minus this).
        sans: subjectAltName entries (IP addresses are recognised).
        key_bits: RSA key size.
        self_signed: signed by its own key instead of the run's CA.
    """

    days_left: float = 90
    lifetime_days: float = 90
    sans: tuple[str, ...] = DEFAULT_SANS
    key_bits: int = 2048
    self_signed: bool = False


# The certificate variants nginx can serve; faults pick one by name.
VARIANTS: dict[str, CertSpec] = {
    "server": CertSpec(days_left=89),
    "expiring": CertSpec(days_left=20),
    "expiring-soon": CertSpec(days_left=3),
    "expired": CertSpec(days_left=-2),
    "self-signed": CertSpec(days_left=89, self_signed=True),
    "hostname-mismatch": CertSpec(days_left=89, sans=("wrong.example",)),
    "weak-key": CertSpec(days_left=89, key_bits=1024),
}


@dataclass(frozen=True, slots=True)
class Pki:
    """The PKI directory of a run: ``ca.pem`` (the bundle clients trust) and the variants."""

    directory: Path

    @property
    def ca_bundle(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def _ca_key(self) -> Path:
        return self.directory / "ca.key"

    def cert_path(self, variant: str) -> Path:
        return self.directory / f"{variant}.crt"

    def key_path(self, variant: str) -> Path:
        return self.directory / f"{variant}.key"

    def create_ca(self, run_id: str) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.directory.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gonogo demo"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"gonogo demo CA {run_id}"),
            ]
        )
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        _write_key(self._ca_key, key)
        self.ca_bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.ca_bundle.chmod(0o644)

    def ensure(self, variant: str) -> tuple[Path, Path]:
        """Issue the variant's certificate once; return (certificate, key) paths."""
        cert_path, key_path = self.cert_path(variant), self.key_path(variant)
        if not cert_path.exists():
            self.issue(variant, VARIANTS[variant])
        return cert_path, key_path

    def issue(self, variant: str, spec: CertSpec) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        key = rsa.generate_private_key(public_exponent=65537, key_size=spec.key_bits)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, spec.sans[0])])
        not_after = _now() + dt.timedelta(days=spec.days_left)
        if spec.self_signed:
            issuer, signing_key = subject, key
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
        else:
            ca_cert = x509.load_pem_x509_certificate(self.ca_bundle.read_bytes())
            loaded = serialization.load_pem_private_key(self._ca_key.read_bytes(), None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise DemoError(f"pki: {self._ca_key} is not an RSA key")
            signing_key = loaded
            issuer = ca_cert.subject
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key())  # type: ignore[arg-type]
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_after - dt.timedelta(days=spec.lifetime_days))
            .not_valid_after(not_after)
            .add_extension(
                x509.SubjectAlternativeName([_san(s) for s in spec.sans]), critical=False
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=True,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(aki, critical=False)
            .sign(signing_key, hashes.SHA256())
        )
        _write_key(self.key_path(variant), key)
        self.cert_path(variant).write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _san(value: str) -> x509.GeneralName:
    from cryptography import x509

    try:
        return x509.IPAddress(ipaddress.ip_address(value))
    except ValueError:
        return x509.DNSName(value)


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)


def _now() -> dt.datetime:
    # whole seconds: notBefore/notAfter are encoded without fractions anyway
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
