"""``[tls]``: thresholds of the certificate, protocol and cipher checks.

The endpoint itself (host, port, CA bundle) comes from ``[web]``; this table only says what
"good enough" means. Defaults follow the plans: renew at 30 days, page at 7 days (003 §1.5
alerting), TLS 1.2 minimum (001 §1.3), the Mozilla intermediate profile for cipher suites
(guidelines 6.0 by default, 5.7 selectable).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from gonogo.schema.base import Section

# The versions the protocol probe can offer (a Python ssl client on OpenSSL 3 cannot build an
# SSLv3 ClientHello; the cipher scan still reports SSLv2/SSLv3 through sslyze).
TlsVersionName = Literal["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


def _versions(*names: TlsVersionName) -> list[TlsVersionName]:
    return list(names)


class TlsConfig(Section):
    """Thresholds for the certificate, protocol and cipher checks."""

    server_name: str | None = Field(
        default=None,
        description="SNI and hostname to verify (default: the host of [web].base_url)",
    )
    expiry_blocker_days: int = Field(
        default=7,
        ge=0,
        le=3650,
        description="fewer days left than this is a blocker (plans: page at 7 d)",
    )
    expiry_major_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="fewer days left than this is major (plans: renew at 30 days)",
    )
    min_rsa_bits: int = Field(
        default=2048, ge=1024, le=16384, description="smallest accepted RSA key"
    )
    min_ec_bits: int = Field(
        default=256, ge=160, le=521, description="smallest accepted EC curve size"
    )
    max_lifetime_days: int | None = Field(
        default=398,
        ge=1,
        le=36500,
        description="longest accepted leaf lifetime (CA/B Forum limit for public certificates); "
        "null disables the check for a private CA",
    )
    refuse_protocols: list[TlsVersionName] = Field(
        default_factory=lambda: _versions("TLSv1", "TLSv1.1"),
        description="versions the server must refuse (plans: TLS 1.2 minimum)",
    )
    require_protocols: list[TlsVersionName] = Field(
        default_factory=lambda: _versions("TLSv1.2"),
        description="floor: each version the server must accept, or a newer one (plans' 'TLS 1.2 "
        "minimum'); a TLS 1.3-only server passes with a compatibility note",
    )
    mozilla_profile: Literal["5.7", "6.0"] = Field(
        default="6.0",
        description="version of Mozilla's server-side TLS guidelines (6.0: no 'old', no DHE "
        "suites in intermediate; 5.7: what sslyze bundles)",
    )
    cipher_profile: Literal["modern", "intermediate", "old"] = Field(
        default="intermediate",
        description="Mozilla configuration the ciphers must meet ('old' exists in 5.7 only)",
    )
    cipher_ignore_issues: list[str] = Field(
        default_factory=list,
        description="Mozilla-profile issue keys reported but not judged, e.g. ['tls_curves']; "
        "prefer a waiver, which expires",
    )

    @model_validator(mode="after")
    def _consistent(self) -> TlsConfig:
        if self.expiry_blocker_days > self.expiry_major_days:
            raise ValueError("expiry_blocker_days must not exceed expiry_major_days")
        if self.cipher_profile == "old" and self.mozilla_profile != "5.7":
            raise ValueError(
                f"Mozilla's guidelines {self.mozilla_profile} have no 'old' configuration; "
                "set mozilla_profile = '5.7' or cipher_profile = 'intermediate'"
            )
        both = set(self.refuse_protocols) & set(self.require_protocols)
        if both:
            raise ValueError(f"{sorted(both)} cannot be both refused and required")
        return self
