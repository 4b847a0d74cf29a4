"""Fault cases of the DNS family (see cases.py for the contract)."""

from __future__ import annotations

from faults.cases import case

DNS = [
    case("dns-record-missing", "dns.records", "checks/test_dns.py"),
    case("dns-record-wrong", "dns.records", "checks/test_dns.py"),
]
