"""What the application's env file holds (:mod:`gonogo.probes.appconfig` →
:mod:`gonogo.rules.appconfig`), its values kept out of every ``repr``.

A value is only ever judged in memory (its length, a pattern it matches, equality with the
staging file's); findings describe it ("set, 64 characters"), never quote it, and the probe
registers the secret ones with the run's redactor besides.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EnvValue:
    """One value of an env file; its text never shows in a ``repr`` (``-l``, tracebacks)."""

    text: str = field(repr=False)

    def __repr__(self) -> str:
        return f"EnvValue(<{len(self.text)} characters>)"

    def __len__(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class EnvFileFacts:
    """One parsed dotenv file.

    Attributes:
        source: where it was read (``/srv/app/.env.production`` or ``web:ssh://... /srv/...``).
        values: key -> value (the last assignment wins, as dotenv loaders do).
        repeated: keys assigned more than once. malformed: line numbers that are not KEY=VALUE.
    """

    source: str
    values: dict[str, EnvValue]
    repeated: tuple[str, ...] = ()
    malformed: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class AppConfigFacts:
    """The production env file and, when configured, the staging one."""

    production: EnvFileFacts
    staging: EnvFileFacts | None = None
