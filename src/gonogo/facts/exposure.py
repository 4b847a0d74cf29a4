"""What the site served for sensitive paths, provoked errors and source maps
(:mod:`gonogo.probes.exposure` → :mod:`gonogo.rules.exposure`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Technique(enum.StrEnum):
    """The standard ways to make a server answer with an error page (``exposure.debug``)."""

    NOT_FOUND = "not-found path"
    BODY = "malformed body"
    ENCODING = "bad percent-encoding"
    LONG_PATH = "over-long path"
    BIG_HEADER = "oversized header"
    METHOD = "unsupported method"
    DECLARED = "error_paths"


@dataclass(frozen=True, slots=True)
class PathProbe:
    """A GET of a path that should not serve anything interesting.

    Attributes: path (as asked), url, status, content_type, length/sha256 of the capped body,
    excerpt (decoded start of the body), head_hex (first 8 bytes, for archive magic numbers),
    technique: how an error was provoked (a ``Technique`` value; empty for a plain GET).
    """

    path: str
    url: str
    status: int
    content_type: str = ""
    length: int = 0
    sha256: str = ""
    excerpt: str = ""
    head_hex: str = ""
    technique: str = ""


@dataclass(frozen=True, slots=True)
class ExposureFacts:
    """Probed paths and, for comparison, the answer to a path that cannot exist (SPA catch-all)."""

    baseline: PathProbe
    probes: tuple[PathProbe, ...]


@dataclass(frozen=True, slots=True)
class ScriptMaps:
    """A same-origin script and its source-map candidates.

    Attributes: script_url, script_status, declared (``sourceMappingURL``/``SourceMap`` value,
    resolved; ``data:`` when the map is inlined), candidates: the map URLs fetched.
    """

    script_url: str
    script_status: int
    declared: str | None
    candidates: tuple[PathProbe, ...]


@dataclass(frozen=True, slots=True)
class SourceMapFacts:
    """The page's same-origin scripts and their maps; ``page_status``: what the page answered
    (a redirect or an error page lists no scripts, which proves nothing)."""

    page_url: str
    scripts: tuple[ScriptMaps, ...]
    page_status: int = 200
