"""Redaction: secret values never reach an artefact, a log line or the terminal.

Two mechanisms, both applied by :meth:`Redactor.redact`:

* exact values known to be secret (from the secrets file, ``${VAR}`` of secret-looking
  variables, secret-typed keys, DSN passwords), longest first;
* patterns that are secret whatever their value: the password of a URL's userinfo,
  ``Authorization``/``Proxy-Authorization`` values, bearer tokens, ``Cookie``/``Set-Cookie``
  values and ``password=``-style assignments.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote

MASK = "***"
MIN_SECRET_LEN = 4  # shorter values would mask ordinary text everywhere

# How a value is rewritten on its way into a report: Python repr (assertion details), JSON
# (evidence.json, pytest-html's data blob), HTML escaping (report.html), URL encoding (DSNs,
# query strings). Applied up to three deep: an assertion's repr inside pytest-html's JSON inside
# an HTML attribute is ``html(json(repr(secret)))``.
_ENCODINGS: tuple[Callable[[str], str], ...] = (
    lambda v: repr(v)[1:-1],
    lambda v: v.replace("\\", "\\\\").replace("'", "\\'"),
    lambda v: v.replace("\\", "\\\\").replace('"', '\\"'),
    lambda v: json.dumps(v)[1:-1],
    lambda v: json.dumps(v, ensure_ascii=False)[1:-1],
    html.escape,
    lambda v: html.escape(v, quote=False),
    lambda v: v.replace('"', "&#34;").replace("'", "&#39;"),
    lambda v: quote(v, safe=""),
    quote,
    quote_plus,
    unquote,
)
_DEPTH = 3


def variants(value: str) -> set[str]:
    """``value`` and every form it takes once escaped or encoded for a report."""
    found = {value}
    layer = {value}
    for _ in range(_DEPTH):
        layer = {encode(v) for v in layer for encode in _ENCODINGS} - found
        found |= layer
    return found


# a quote as it appears raw, backslash-escaped (repr) or HTML-escaped (report.html)
_Q = r"(?:\\?['\"]|&(?:amp;)?(?:\#x27|\#39|quot|\#34);)"
# headers whose value is a credential, whatever it looks like
_CREDENTIAL_HEADERS = (
    r"(?:set-cookie|cookie|proxy-authorization|authorization|x-api-key|x-auth-token)"
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # header pairs as tuples: httpcore's DEBUG trace logs (b'set-cookie', b'session=...'),
    # ('authorization', 'Basic ...'), also once repr'd or HTML-escaped
    (
        re.compile(rf"(?i)(?P<p>\b{_CREDENTIAL_HEADERS}{_Q}\s*,\s*b?{_Q})(?!\*\*\*).+?(?={_Q})"),
        r"\g<p>" + MASK,
    ),
    # scheme://user:password@host
    (
        re.compile(r"(?P<p>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s'\"]*:)[^@\s'\"]+(?=@)"),
        r"\g<p>" + MASK,
    ),
    # Authorization: Bearer xyz / Basic xyz, also as dict reprs 'authorization': 'Bearer xyz'
    (
        re.compile(
            r"(?i)(?P<p>\b(?:(?:proxy-)?authorization|x-api-key|x-auth-token)['\"]?\s*[:=]\s*['\"]?)"
            r"[^'\"\r\n,}]+"
        ),
        r"\g<p>" + MASK,
    ),
    (re.compile(r"(?i)(?P<p>\bbearer\s+)[A-Za-z0-9._~+/=-]+"), r"\g<p>" + MASK),
    # Cookie: a=b; c=d   /  Set-Cookie: sid=...; Secure
    (re.compile(r"(?i)(?P<p>\b(?:set-)?cookie['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n]+"), r"\g<p>" + MASK),
    # password=..., passwd: ..., secret = "..."  (not inside URLs, handled above)
    (
        re.compile(
            r"(?i)(?P<p>\b[a-z_]*(?:password|passwd|passphrase|secret|api_?key|token)['\"]?\s*[:=]\s*['\"]?)"
            r"(?!\*\*\*)[^\s'\",;}&]+"
        ),
        r"\g<p>" + MASK,
    ),
)


class Redactor:
    """Masks secret values and secret-shaped text. Cheap to call; safe on any builtin."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._regex: re.Pattern[str] | None = None
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        for value in secrets:
            if value and len(value) >= MIN_SECRET_LEN and value != MASK:
                self._values.update(v for v in variants(value) if len(v) >= MIN_SECRET_LEN)
        self._values.discard("")
        ordered = sorted(self._values, key=len, reverse=True)
        self._regex = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._values)

    def text(self, value: str) -> str:
        value = self.values(value)
        for pattern, repl in _PATTERNS:
            value = pattern.sub(repl, value)
        return value

    def values(self, value: str) -> str:
        """Mask only the known secret values, not secret-shaped text.

        For gonogo's own messages (a configuration error says ``redis.password: unknown key``,
        and the shape ``password: <word>`` must not eat the explanation).
        """
        return self._regex.sub(MASK, value) if self._regex is not None else value

    def redact(self, value: Any) -> Any:
        """Return ``value`` with every string inside it redacted (builtins, recursively)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact(v) for v in value)
        return value
