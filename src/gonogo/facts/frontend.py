"""What the front-end smoke probe saw (:mod:`gonogo.probes.frontend` →
:mod:`gonogo.rules.frontend`): the index, what it links, and its same-origin assets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ref:
    """A subresource the HTML names. Attributes: tag (``script``, ``link``...), attr (``src``,
    ``href``, ``action``), rel (a link's rel, lower-cased; "" otherwise), url (absolute)."""

    tag: str
    attr: str
    rel: str
    url: str


@dataclass(frozen=True, slots=True)
class Asset:
    """One same-origin script or stylesheet fetched as a browser would (compression accepted).

    Attributes:
        url: absolute URL. status: HTTP status. cache_control: the header ("" when absent).
        content_encoding: the header, lower-cased ("" when absent). content_type: media type.
        size: body bytes after decoding.
    """

    url: str
    status: int
    cache_control: str
    content_encoding: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class FrontendFacts:
    """The index and its assets.

    Attributes:
        url: the index. status: its status. cache_control, expires: its caching headers ("" when
        absent). refs: every subresource the HTML names. assets: the same-origin scripts and
        stylesheets fetched (at most ``limit``). left_out: how many more were not fetched.
    """

    url: str
    status: int
    cache_control: str
    expires: str
    refs: tuple[Ref, ...]
    assets: tuple[Asset, ...]
    left_out: int = 0
