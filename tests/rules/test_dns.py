"""Table tests of the DNS rule: a declared record must answer, with exactly the expected answers
when declared; and of the ``[dns]`` section's validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gonogo.facts.dns import Answer, RecordFacts
from gonogo.rules import dns as rules
from gonogo.schema.dns import DnsConfig, DnsRecord


def facts(status: Answer = Answer.ANSWERED, *answers: str, type: str = "A") -> RecordFacts:
    return RecordFacts("www.example.com", type, "10.0.0.2:53", status, tuple(sorted(answers)), 1.5)


def record(*expect: str, type: str = "A") -> DnsRecord:
    return DnsRecord.model_validate({"name": "www.example.com", "type": type, "expect": list(expect)})


CASES = [
    # (facts, declared record, failing finding names)
    pytest.param(facts(Answer.ANSWERED, "203.0.113.10"), record(), [], id="answers-any"),
    pytest.param(facts(Answer.ANSWERED, "203.0.113.10"), record("203.0.113.10"), [], id="expected"),
    pytest.param(facts(Answer.ANSWERED, "203.0.113.11", "203.0.113.10"), record("203.0.113.10", "203.0.113.11"), [], id="two-any-order"),
    pytest.param(facts(Answer.NXDOMAIN), record(), ["resolves"], id="nxdomain"),
    pytest.param(facts(Answer.NO_ANSWER), record("203.0.113.10"), ["resolves"], id="no-a-record"),
    pytest.param(facts(Answer.ANSWERED, "192.0.2.66"), record("203.0.113.10"), ["answers"], id="wrong-address"),
    pytest.param(facts(Answer.ANSWERED, "203.0.113.10", "192.0.2.66"), record("203.0.113.10"), ["answers"], id="stale-extra-address"),
    pytest.param(facts(Answer.ANSWERED, "203.0.113.10"), record("203.0.113.10", "203.0.113.11"), ["answers"], id="missing-address"),
    pytest.param(facts(Answer.ANSWERED, "www.example.net", type="CNAME"), record("www.example.net", type="CNAME"), [], id="cname-target"),
    pytest.param(facts(Answer.ANSWERED, "old.example.net", type="CNAME"), record("www.example.net", type="CNAME"), ["answers"], id="cname-wrong-target"),
]


@pytest.mark.parametrize(("found", "declared", "failing"), CASES)
def test_record(found: RecordFacts, declared: DnsRecord, failing: list[str]) -> None:
    """Each case fails exactly the findings listed; every finding carries what was measured."""
    findings = rules.evaluate_record(found, declared)
    assert [f.name for f in findings if not f.ok] == failing
    assert all(f.message.startswith("www.example.com") for f in findings)


def test_wrong_answer_names_missing_and_unexpected() -> None:
    """The message says which addresses are missing and which are unexpected."""
    findings = rules.evaluate_record(facts(Answer.ANSWERED, "192.0.2.66"), record("203.0.113.10"))
    answers = next(f for f in findings if f.name == "answers")
    assert "missing 203.0.113.10" in answers.message and "unexpected 192.0.2.66" in answers.message
    assert (answers.measured, answers.threshold) == (["192.0.2.66"], ["203.0.113.10"])


SECTION = {"records": [{"name": "www.example.com"}]}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        pytest.param({"resolver": "dns.example.com"}, "resolver", id="resolver-not-an-ip"),
        pytest.param({"resolver": "10.0.0.2:70000"}, "resolver", id="resolver-port"),
        pytest.param({"timeout_s": 0}, "timeout_s", id="timeout-zero"),
        pytest.param({"records": []}, "records", id="no-records"),
        pytest.param({"records": [{"name": "not a name"}]}, "records.0.name", id="bad-name"),
        pytest.param({"records": [{"name": "a.example", "type": "MX"}]}, "records.0.type", id="bad-type"),
        pytest.param({"records": [{"name": "a.example", "expect": ["::1"]}]}, "records.0.expect", id="v6-for-a"),
        pytest.param({"records": [{"name": "a.example", "type": "CNAME", "expect": ["x.example", "y.example"]}]}, "records.0.expect", id="two-cname-targets"),
        pytest.param({"records": [{"name": "a.example", "ttl": 30}]}, "records.0.ttl", id="unknown-key"),
    ],
)
def test_section_errors(change: dict[str, object], key: str) -> None:
    """A bad ``[dns]`` value is an error naming its key (unknown keys too)."""
    with pytest.raises(ValidationError) as caught:
        DnsConfig.model_validate({**SECTION, **change})
    assert key in {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}


def test_section_normalises() -> None:
    """Names lose their final dot and case; addresses are written canonically; a resolver
    without a port asks port 53."""
    cfg = DnsConfig.model_validate(
        {"resolver": "[::1]:5353", "records": [{"name": "WWW.Example.com.", "type": "AAAA", "expect": ["0::1"]}]}
    )
    assert cfg.records[0].name == "www.example.com" and cfg.records[0].expect == ["::1"]
    assert cfg.resolver_address == ("::1", 5353)
    assert DnsConfig.model_validate({**SECTION, "resolver": "10.0.0.2"}).resolver_address == ("10.0.0.2", 53)
