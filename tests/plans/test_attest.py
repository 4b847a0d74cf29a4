"""Attestations: when one counts, and attestations/<env>.toml read, appended and refused."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from gonogo.errors import ConfigError
from gonogo.plans import attest

AT = dt.datetime(2026, 12, 1, 14, 53, 7, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)


def _made(**kw: object) -> attest.Attestation:
    fields: dict[str, object] = {"by": "Ann Lee", "note": "checked", "at": AT, "valid_days": 30}
    fields.update(kw)
    return attest.make("alaska-pay:final-checks/rollback-plan-ready", **fields)  # type: ignore[arg-type]


VALIDITY = {
    "at-the-moment-it-is-made": (_made(), AT, True),
    "last-second-of-valid-days": (_made(), AT + 30 * DAY - dt.timedelta(seconds=1), True),
    "expired-after-valid-days": (_made(), AT + 30 * DAY, False),
    "one-day-validity": (_made(valid_days=1), AT + DAY + MINUTE, False),
    "until-is-inclusive": (_made(valid_days=None, until=dt.date(2026, 12, 31)), dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC), True),
    "expired-the-day-after-until": (_made(valid_days=None, until=dt.date(2026, 12, 31)), dt.datetime(2027, 1, 1, tzinfo=dt.UTC), False),
    "until-the-same-day": (_made(valid_days=None, until=AT.date()), AT + MINUTE, True),
    "clock-skew-of-the-writer-tolerated": (_made(), AT - 9 * MINUTE, True),
    "dated-in-the-future": (_made(), AT - 11 * MINUTE, False),
}


@pytest.mark.parametrize("made, now, valid", VALIDITY.values(), ids=VALIDITY.keys())
def test_validity(made: attest.Attestation, now: dt.datetime, valid: bool) -> None:
    """An attestation counts from when it was made until valid_days later or the end of until."""
    assert made.valid_at(now) is valid


INVALID = {
    "blank-name": ({"by": "  "}, "by: .*must not be blank"),
    "blank-note": ({"note": ""}, "note"),
    "both-validities": ({"until": dt.date(2026, 12, 31)}, "exactly one of valid_days and until"),
    "no-validity": ({"valid_days": None}, "exactly one of valid_days and until"),
    "zero-days": ({"valid_days": 0}, "valid_days: Input should be greater than or equal to 1"),
    "more-than-a-year": ({"valid_days": 400}, "valid_days: Input should be less than or equal to 366"),
    "until-before-it-was-made": ({"valid_days": None, "until": dt.date(2026, 11, 30)}, "is before the attestation"),
    "evidence-not-a-link": ({"evidence": "see the ticket"}, "evidence must be an http"),
    "evidence-with-a-password": ({"evidence": "https://ann:hunter2@tickets.example.com/1"}, "without spaces or user:password@"),
    "naive-time": ({"at": AT.replace(tzinfo=None)}, "needs a UTC offset"),
}


@pytest.mark.parametrize("fields, message", INVALID.values(), ids=INVALID.keys())
def test_invalid_attestations_are_refused(fields: dict[str, object], message: str) -> None:
    """Who, what and how long are required and bounded; evidence is a link without credentials."""
    with pytest.raises(ValueError, match=message):
        _made(**fields)


def test_append_creates_then_appends_and_reads_back(tmp_path: Path) -> None:
    """gonogo attest's writer: a header on a new file, entries appended, every one read back."""
    path = tmp_path / "attestations" / "prod.toml"
    first = _made(evidence="https://tickets.example.com/CHG-1234")
    second = _made(valid_days=None, until=dt.date(2026, 12, 31), note='multi "quoted"\nline')
    attest.append(path, first)
    attest.append(path, second)
    assert attest.load(path) == (first, second)
    text = path.read_text()
    assert text.startswith("# Attestations") and text.count("[[attestations]]") == 2
    assert tomllib.loads(text)["attestations"][0]["at"] == AT


def test_missing_file_has_no_attestations(tmp_path: Path) -> None:
    """An environment nobody attested anything for has an empty list, not an error."""
    assert attest.load(tmp_path / "nope.toml") == ()


BROKEN = {
    "unknown-top-level-key": ('owner = "me"\n', r"owner: unknown key"),
    "not-tables": ('attestations = "x"\n', r"must be \[\[attestations\]\] tables"),
    "missing-note": ('[[attestations]]\nitem = "p:a/b"\nby = "A"\nat = 2026-12-01T10:00:00Z\nvalid_days = 3\n', r"attestations\[0\] \(p:a/b\)\.note: Field required"),
    "unknown-field": ('[[attestations]]\nitem = "p:a/b"\nby = "A"\nat = 2026-12-01T10:00:00Z\nnote = "n"\nvalid_days = 3\nwho = "x"\n', r"\.who: Extra inputs"),
    "local-time": ('[[attestations]]\nitem = "p:a/b"\nby = "A"\nat = 2026-12-01T10:00:00\nnote = "n"\nvalid_days = 3\n', r"\.at: .*UTC offset"),
    "bad-reference": ('[[attestations]]\nitem = "a/b"\nby = "A"\nat = 2026-12-01T10:00:00Z\nnote = "n"\nvalid_days = 3\n', r"\.item: String should match"),
}


@pytest.mark.parametrize("text, message", BROKEN.values(), ids=BROKEN.keys())
def test_malformed_attestations_file(tmp_path: Path, text: str, message: str) -> None:
    """A malformed attestations file is one error naming the file and the entry; nothing is
    appended to it."""
    path = tmp_path / "prod.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        attest.load(path)
    assert str(path) in str(caught.value)
    with pytest.raises(ConfigError):
        attest.append(path, _made())
    assert path.read_text() == text


def test_line_and_stale_references() -> None:
    """line() says who, when and until when; stale() finds attestations of vanished items."""
    made = _made(valid_days=None, until=dt.date(2026, 12, 31))
    assert made.line() == "by Ann Lee on 2026-12-01, until 2026-12-31: checked"
    assert attest.stale({}, [made]) == ["alaska-pay:final-checks/rollback-plan-ready"]
