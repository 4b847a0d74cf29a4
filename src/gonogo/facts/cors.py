"""The CORS answers to the probe's origins (:mod:`gonogo.probes.cors` → :mod:`gonogo.rules.cors`)."""

from __future__ import annotations

from dataclasses import dataclass

FOREIGN_ORIGIN = "https://gonogo-probe.example"


@dataclass(frozen=True, slots=True)
class CorsObservation:
    """One request sent with an ``Origin`` and what the server allowed.

    Attributes:
        url / method (``GET`` or ``OPTIONS`` for a preflight) / origin (as sent) / status.
        allow_origin: every ``Access-Control-Allow-Origin`` value (several is itself a bug).
        allow_credentials / allow_methods / vary: the headers, when present.
    """

    url: str
    method: str
    origin: str
    status: int
    allow_origin: tuple[str, ...] = ()
    allow_credentials: str | None = None
    allow_methods: str | None = None
    vary: str | None = None


@dataclass(frozen=True, slots=True)
class CorsFacts:
    observations: tuple[CorsObservation, ...]
