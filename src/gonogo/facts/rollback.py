"""What the rollback readiness checks saw (``rollback.*``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ArtefactFacts:
    """The previous release artefact.

    Attributes:
        location: the path or URL declared. found: it exists (a regular file of at least one
        byte; an URL answering below 400). size: bytes (a file, or the URL's Content-Length;
        None when unknown). detail: what was seen (``HTTP 404``, ``not a regular file``).
    """

    location: str
    found: bool
    size: int | None
    detail: str
