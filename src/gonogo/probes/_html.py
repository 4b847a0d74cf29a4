"""What a browser takes from an HTML page for the header checks: ``<meta>`` pragmas and scripts.

Only the HTML tree builder's notion of *where* an element lands matters here, so this tracks the
insertion modes that decide it (HTML §13.2.6) over :class:`html.parser.HTMLParser`'s flat
stream of tags:

- ``<meta http-equiv=Content-Security-Policy>`` is enforced only as a child of ``<head>``
  (CSP3 §3.3): one in ``<body>`` is ignored by browsers. A ``<head>`` is implied by the first
  head element and closed by the first element or text that cannot be in it; a ``<meta>``
  between ``</head>`` and ``<body>`` is still put into the head.
- ``<meta name=referrer>`` applies wherever it is in the document (HTML §4.2.5.1), so one in
  ``<body>`` is kept, separately.
- ``<template>`` contents are inert (never in the document): their metas and scripts are
  dropped; so is the content of ``<noscript>``, which a browser with scripting on reads as
  text.
"""

from __future__ import annotations

from html.parser import HTMLParser

# elements the "in head" insertion mode keeps in the head (anything else closes it)
HEAD_ELEMENTS = frozenset(
    {"base", "basefont", "bgsound", "link", "meta", "noframes", "script", "style", "title"}
)
# elements whose content is text, not markup (noscript: a browser with scripting on reads it
# as text)
_TEXT_ELEMENTS = frozenset(
    {"script", "style", "title", "textarea", "xmp", "noframes", "noscript", "iframe", "noembed"}
)


class PageParser(HTMLParser):
    """Collects the metas (head, body) and the ``<script src>`` of a document.

    Attributes:
        head_meta / body_meta: ``(name, content)``: ``http-equiv`` values lower-cased, and
            ``referrer`` for ``<meta name=referrer>``.
        scripts: ``(src, integrity, crossorigin)`` of scripts in the document tree.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.head_meta: list[tuple[str, str]] = []
        self.body_meta: list[tuple[str, str]] = []
        self.scripts: list[tuple[str, str | None, str | None]] = []
        self._mode = "before-head"  # before-head, in-head, after-head, in-body
        self._template = 0  # depth of open <template> elements
        self._text: str | None = None  # open element whose content is text, not markup

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "template" and not self._text:
            self._template += 1
            return
        if self._template or self._text:
            return
        if tag in ("html", "head"):
            if self._mode == "before-head":
                self._mode = "in-head" if tag == "head" else self._mode
            return
        in_head = self._mode != "in-body" and (tag in HEAD_ELEMENTS or tag == "noscript")
        if not in_head:
            self._mode = "in-body"
        elif self._mode == "before-head":  # a head element implies <head>
            self._mode = "in-head"
        if tag in _TEXT_ELEMENTS:
            self._text = tag
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            self._meta(values, in_head)
        elif tag == "script" and values.get("src"):
            self.scripts.append((values["src"], values.get("integrity"), values.get("crossorigin")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "<x/>" opens x all the same in HTML; only void elements (meta) matter here
        self.handle_starttag(tag, attrs)
        if tag == self._text:
            self._text = None

    def handle_endtag(self, tag: str) -> None:
        if self._text:
            self._text = None if tag == self._text else self._text
        elif tag == "template":
            self._template = max(0, self._template - 1)
        elif self._template:
            return
        elif tag == "head" and self._mode in ("before-head", "in-head"):
            self._mode = "after-head"
        elif tag in ("body", "html"):
            self._mode = "in-body"

    def handle_data(self, data: str) -> None:
        # text other than whitespace cannot be in the head: the body starts there
        if not (self._template or self._text) and data.strip():
            self._mode = "in-body"

    def _meta(self, values: dict[str, str], in_head: bool) -> None:
        if "content" not in values:
            return
        equiv = values.get("http-equiv", "").strip().lower()
        if equiv and equiv != "referrer":  # "referrer" is a name, not a pragma
            name = equiv
        elif values.get("name", "").strip().lower() == "referrer":
            name = "referrer"
        else:
            return
        (self.head_meta if in_head else self.body_meta).append((name, values["content"]))
