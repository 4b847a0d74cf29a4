"""DNS rules: facts from :func:`gonogo.probes.dns.resolve` + the declared record.

Check ids: ``dns.records``.

A declared record must answer (a name that does not exist, or exists without a record of the
type, fails); with ``expect`` its answers must be exactly those, in any order: a missing address
sends users nowhere, an extra one (a stale record of a decommissioned host) sends some of them
to the wrong place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonogo.facts.dns import Answer, RecordFacts
from gonogo.model import Finding, expect, info

if TYPE_CHECKING:
    from gonogo.schema.dns import DnsRecord

_SAYS = {
    Answer.NXDOMAIN: "does not exist (NXDOMAIN)",
    Answer.NO_ANSWER: "exists but has no {type} record",
}


def evaluate_record(facts: RecordFacts, record: DnsRecord) -> list[Finding]:
    """The record answers, and with exactly the expected answers when declared."""
    asked = f"{facts.name} {facts.type} via {facts.resolver}"
    timing = info(
        "elapsed_ms", f"{asked}: looked up in {facts.elapsed_ms:g} ms", facts.elapsed_ms, "ms"
    )
    if facts.status is not Answer.ANSWERED:
        says = _SAYS[facts.status].format(type=facts.type)
        return [
            expect("resolves", False, f"{asked}: {says}", facts.status.value, "answered"),
            timing,
        ]
    found = list(facts.answers)
    findings = [expect("resolves", True, f"{asked}: {', '.join(found)}", "answered", "answered")]
    if record.expect:
        expected = sorted(record.expect)
        missing = [a for a in expected if a not in found]
        extra = [a for a in found if a not in expected]
        problems = [f"missing {', '.join(missing)}"] * bool(missing)
        problems += [f"unexpected {', '.join(extra)}"] * bool(extra)
        message = f"{asked}: " + ("; ".join(problems) if problems else "the expected answers")
        findings.append(expect("answers", not problems, message, found, expected))
    return [*findings, timing]
