"""One HTTP response and a redirect chain (:mod:`gonogo.probes.http` → the header, CSP, redirect
and grade rules).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScriptRef:
    """A ``<script src>`` of a page. Attributes: src (as written), integrity, crossorigin."""

    src: str
    integrity: str | None = None
    crossorigin: str | None = None


@dataclass(frozen=True, slots=True)
class Hop:
    """One response of a redirect chain. ``location`` is absolute (resolved against ``url``)."""

    url: str
    status: int
    location: str | None = None


@dataclass(frozen=True, slots=True)
class HttpFacts:
    """One HTTP response (for :func:`fetch_page`: the last of its same-origin redirects).

    Attributes:
        url: the URL requested. status: the status code.
        headers: raw (name, value) pairs in wire order, duplicates kept.
        set_cookies: every ``Set-Cookie`` value, in order.
        body_excerpt: the first ``EXCERPT`` characters of the body (decoded, lossy).
        elapsed_ms: time to the end of the (capped) body. http_version: e.g. ``HTTP/1.1``.
        meta: ``<meta http-equiv>`` (and ``name=referrer``) pairs of the ``<head>``, name
            lower-cased; body_meta: the same outside the head (browsers ignore a CSP there, not
            a referrer policy). Metas inside ``<template>``/``<noscript>`` are in neither.
        scripts: the page's ``<script src>`` elements.
        body_sha256 / body_length: of the (capped) body, to compare pages.
        redirects: the redirects followed to reach this response (:func:`fetch_page`).
    """

    url: str
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    set_cookies: tuple[str, ...] = ()
    body_excerpt: str = ""
    elapsed_ms: float = 0.0
    http_version: str = "HTTP/1.1"
    meta: tuple[tuple[str, str], ...] = ()
    scripts: tuple[ScriptRef, ...] = ()
    body_sha256: str = ""
    body_length: int = 0
    body_meta: tuple[tuple[str, str], ...] = ()
    redirects: tuple[Hop, ...] = ()

    @property
    def https(self) -> bool:
        return self.url.lower().startswith("https://")

    def values(self, name: str) -> tuple[str, ...]:
        """Every value of header ``name`` (case-insensitive), in wire order."""
        key = name.lower()
        return tuple(v for k, v in self.headers if k.lower() == key)

    def header(self, name: str) -> str | None:
        found = self.values(name)
        return found[0] if found else None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def metas(self, name: str, *, body: bool = True) -> list[str]:
        """Contents of the page's ``<meta>`` named ``name`` (lower case), in document order:
        the head's, then (``body``) those outside it."""
        found = (*self.meta, *self.body_meta) if body else self.meta
        return [content for key, content in found if key == name]


@dataclass(frozen=True, slots=True)
class RedirectChain:
    """The responses from ``hops[0].url`` to the first non-redirect (or the bound).

    Attributes: hops: in order. truncated: still redirecting when the bound was reached.
    """

    hops: tuple[Hop, ...]
    truncated: bool = False
