"""The rate-limit probe's reading of Retry-After (pure: no server needed)."""

from __future__ import annotations

import pytest

from gonogo.probes.ratelimit import retry_after_seconds


@pytest.mark.parametrize(
    ("value", "date", "seconds"),
    [
        ("120", None, 120.0),
        (" 5 ", None, 5.0),
        ("Wed, 21 Oct 2015 07:43:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", 900.0),
        ("soon", None, None),
        ("-1", None, None),
        (None, None, None),
        ("1.5", None, None),
    ],
    ids=["seconds", "spaces", "http-date", "text", "negative", "absent", "fraction"],
)
def test_retry_after_seconds(value: str | None, date: str | None, seconds: float | None) -> None:
    """Retry-After is read as delay-seconds or as an HTTP date less the response's Date."""
    assert retry_after_seconds(value, date) == seconds
