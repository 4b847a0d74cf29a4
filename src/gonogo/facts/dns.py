"""What a DNS look-up answered (:mod:`gonogo.probes.dns` → :mod:`gonogo.rules.dns`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Answer(enum.StrEnum):
    """How the resolver answered one question."""

    ANSWERED = "answered"  # records of the type asked for
    NXDOMAIN = "nxdomain"  # the name does not exist
    NO_ANSWER = "no-answer"  # the name exists, without a record of this type


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """One record looked up.

    Attributes:
        name: the host name asked for (lower case, no final dot).
        type: ``A``, ``AAAA`` or ``CNAME``.
        resolver: who answered: ``IP:port``, or ``system`` (the resolvers of /etc/resolv.conf).
        status: how it answered.
        answers: the addresses, or the CNAME target (no final dot), sorted.
        elapsed_ms: how long the look-up took.
    """

    name: str
    type: str
    resolver: str
    status: Answer
    answers: tuple[str, ...]
    elapsed_ms: float
