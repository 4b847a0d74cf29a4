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


@dataclass(frozen=True, slots=True)
class CommandFacts:
    """The rollback command on one host.

    Attributes:
        host: the target (``role:url``). path: the command. exists / is_file / mode / owner:
        what ``stat`` shows. executable: ``test -x`` as the connecting user.
    """

    host: str
    path: str
    exists: bool
    is_file: bool
    mode: int
    owner: str
    executable: bool
