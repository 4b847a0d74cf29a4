"""DNS look-ups with dnspython, through the resolver ``[dns]`` names (or the system's).

I/O only: a look-up returns :class:`~gonogo.facts.dns.RecordFacts`; judging is in
:mod:`gonogo.rules.dns`. A resolver that does not answer within ``[dns] timeout_s`` is a
:class:`~gonogo.errors.ProbeTimeout`, one that refuses or fails (REFUSED, SERVFAIL, nothing
listening) a :class:`~gonogo.errors.ProbeError`, each naming the resolver: a record that could not be looked up is an error, never a pass.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.facts.dns import Answer, RecordFacts
from gonogo.model import ErrorReason

if TYPE_CHECKING:
    from gonogo.schema.dns import DnsConfig, DnsRecord


def resolver_label(cfg: DnsConfig) -> str:
    """``IP:port`` of the configured resolver (``[::1]:53`` for IPv6), or ``system``."""
    address = cfg.resolver_address
    if address is None:
        return "system"
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def resolve(cfg: DnsConfig, record: DnsRecord) -> RecordFacts:
    """Ask for ``record.type`` records of ``record.name``, once, within ``cfg.timeout_s``."""
    import dns.exception
    import dns.resolver

    label = resolver_label(cfg)
    address = cfg.resolver_address
    resolver = dns.resolver.Resolver(configure=address is None)
    if address is not None:
        resolver.nameservers = [address[0]]
        resolver.port = address[1]
    resolver.retry_servfail = False
    started = time.monotonic()
    where = f"DNS {record.type} {record.name} via {label}"
    try:
        answer = resolver.resolve(record.name, record.type, lifetime=cfg.timeout_s, search=False)
        status, answers = Answer.ANSWERED, _texts(answer)
    except dns.resolver.NXDOMAIN:
        status, answers = Answer.NXDOMAIN, ()
    except dns.resolver.NoAnswer:
        status, answers = Answer.NO_ANSWER, ()
    except dns.resolver.LifetimeTimeout as err:
        raise ProbeTimeout(
            f"{where}: no answer in {cfg.timeout_s:g} s; is {label} a DNS server?"
        ) from err
    except dns.resolver.NoNameservers as err:  # REFUSED, SERVFAIL, or nothing listening
        raise ProbeError(
            f"{where}: the resolver refused or failed to answer ({_why(err)})"
        ) from err
    except dns.resolver.NoResolverConfiguration as err:
        raise ProbeError(
            f"{where}: no resolver configured here; set [dns] resolver", reason=ErrorReason.CONFIG
        ) from err
    except dns.exception.DNSException as err:
        raise ProbeError(f"{where}: {type(err).__name__}: {err}") from err
    elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    return RecordFacts(record.name, record.type, label, status, answers, elapsed_ms)


def _texts(answer: object) -> tuple[str, ...]:
    rrset = getattr(answer, "rrset", None) or ()
    return tuple(sorted(rdata.to_text().rstrip(".").lower() for rdata in rrset))


def _why(err: Exception) -> str:
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text[:200]
