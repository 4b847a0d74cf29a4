"""``[dns]``: the host names a release needs and what they must resolve to (``dns.*``).

The plans' "DNS records configured" and "Domain configured": each declared record is looked up
through ``resolver`` (default: the system's resolvers) and must answer, with exactly the declared
addresses or CNAME target when ``expect`` is given.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from gonogo.schema.base import Section

# a DNS name: labels of letters, digits, '-' and '_' (SRV-style), an optional final dot
_NAME = re.compile(r"^(?=.{1,253}\.?$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*"
                   r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?$")  # fmt: skip
_RESOLVER = re.compile(
    r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[0-9.]+|[0-9A-Fa-f:]+)(?::(?P<port>\d{1,5}))?$"
)


def _host_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"{value!r} is not a host name such as www.example.com")
    return value.rstrip(".").lower()


class DnsRecord(Section):
    """One record that must resolve: ``[[dns.records]]``."""

    name: str = Field(description="host name to look up, e.g. www.example.com")
    type: Literal["A", "AAAA", "CNAME"] = Field(
        default="A", description="record type: A (IPv4), AAAA (IPv6) or CNAME (an alias)"
    )
    expect: list[str] = Field(
        default_factory=list,
        max_length=64,
        description="the answers it must give, in any order (addresses, or the CNAME target); "
        "empty: any answer",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _host_name(value)

    @field_validator("expect")
    @classmethod
    def _answers(cls, value: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("type", "A")
        if kind == "CNAME":
            if len(value) > 1:
                raise ValueError("a CNAME record has one target")
            return [_host_name(v) for v in value]
        clean = []
        for text in value:
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                raise ValueError(f"{text!r} is not an IP address") from None
            if (address.version == 4) != (kind == "A"):
                raise ValueError(f"{text!r} is not an answer of a {kind} record")
            clean.append(str(address))
        return clean


class DnsConfig(Section):
    """The resolver to ask and the records that must resolve."""

    resolver: str | None = Field(
        default=None,
        description="IP[:port] of the DNS server to ask (e.g. 10.0.0.2 or 127.0.0.1:5353); "
        "default: the system's resolvers (/etc/resolv.conf)",
    )
    timeout_s: float = Field(default=3.0, gt=0, le=60, description="limit of one look-up")
    records: list[DnsRecord] = Field(
        min_length=1, max_length=500, description="the records that must resolve"
    )

    @field_validator("resolver")
    @classmethod
    def _resolver(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _RESOLVER.match(value)
        try:
            ipaddress.ip_address(match["host"].strip("[]")) if match else None
        except ValueError:
            match = None
        if match is None or not 0 < int(match["port"] or 53) < 65536:
            raise ValueError(
                "must be an IP address with an optional port: 10.0.0.2, 127.0.0.1:5353"
            )
        return value

    @property
    def resolver_address(self) -> tuple[str, int] | None:
        """(IP, port) of ``resolver``; None: the system's."""
        if self.resolver is None:
            return None
        match = _RESOLVER.match(self.resolver)
        assert match is not None  # validated
        return match["host"].strip("[]"), int(match["port"] or 53)
