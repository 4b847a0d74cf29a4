"""RFC 8941 structured field values: dictionaries (Permissions-Policy) and items (COOP, COEP).

Browsers parse ``Permissions-Policy`` as a structured-field dictionary and drop the whole header
on any syntax error, so a regular expression is wrong both ways: it rejects valid values
(parameters such as ``;report-to=ep``, inner lists) and accepts invalid ones (upper-case keys).
This is the parsing algorithm of RFC 8941 §4.2, for dictionaries and items. Tokens are
:class:`Token` (a ``str`` subclass) so that ``self`` and ``"self"`` stay different.
"""

from __future__ import annotations

import base64
import binascii
import re
import string
from dataclasses import dataclass, field

_KEY_FIRST = string.ascii_lowercase + "*"
_KEY_CHARS = _KEY_FIRST + string.digits + "_-."
_TCHAR = "!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits
_TOKEN_CHARS = _TCHAR + ":/"
_NUMBER = re.compile(r"-?(\d{1,12}\.\d{1,3}|\d{1,15})(?![\d.])")


class StructuredFieldError(ValueError):
    """The value is not valid structured-field syntax (browsers then ignore the whole field)."""


class Token(str):
    """A bare token (``self``, ``*``), as opposed to a quoted string."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Member:
    """One dictionary member: an item or an inner list, with its parameters.

    Attributes:
        value: the bare item, or a tuple of ``(bare item, parameters)`` for an inner list.
        params: the member's parameters (``report-to=ep``).
        is_list: the value is an inner list (``(self "https://a.example")``).
    """

    value: object
    params: dict[str, object] = field(default_factory=dict)
    is_list: bool = False

    def items(self) -> list[object]:
        """The bare items of the member: the inner list's, or the single item."""
        if self.is_list:
            return [item for item, _ in self.value]  # type: ignore[attr-defined]
        return [self.value]


def parse_dictionary(value: str) -> dict[str, Member]:
    """Parse a dictionary field value (several field lines already joined with ``, ``)."""
    parser = _Parser(value.strip(" "))
    members: dict[str, Member] = {}
    while not parser.done():
        key = parser.key()
        if parser.peek() == "=":
            parser.pos += 1
            members[key] = parser.item_or_list()
        else:  # a bare key is boolean true, still with parameters
            members[key] = Member(True, parser.parameters())
        parser.skip(" \t")
        if parser.done():
            return members
        parser.expect(",")
        parser.skip(" \t")
        if parser.done():
            raise StructuredFieldError("trailing comma")
    return members


def parse_item(value: str) -> Member:
    """Parse an item field value (RFC 8941 §4.2: one bare item with parameters, nothing more;
    two field lines joined with ``, `` are not an item)."""
    parser = _Parser(value.strip(" "))
    if parser.done():
        raise StructuredFieldError("empty value")
    item = Member(parser.bare_item(), parser.parameters())
    if not parser.done():
        raise StructuredFieldError(f"unexpected {parser.peek()!r} at {parser.pos} after the item")
    return item


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip(self, chars: str) -> None:
        while self.peek() and self.peek() in chars:
            self.pos += 1

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = repr(self.peek()) if self.peek() else "end of value"
            raise StructuredFieldError(f"expected {char!r} at {self.pos}, found {found}")
        self.pos += 1

    def key(self) -> str:
        if not self.peek() or self.peek() not in _KEY_FIRST:
            raise StructuredFieldError(f"a key must start with a-z or * at {self.pos}")
        start = self.pos
        while self.peek() and self.peek() in _KEY_CHARS:
            self.pos += 1
        return self.text[start : self.pos]

    def item_or_list(self) -> Member:
        if self.peek() != "(":
            value = self.bare_item()
            return Member(value, self.parameters())
        self.pos += 1
        items: list[tuple[object, dict[str, object]]] = []
        while True:
            self.skip(" ")
            if self.peek() == ")":
                self.pos += 1
                return Member(tuple(items), self.parameters(), is_list=True)
            items.append((self.bare_item(), self.parameters()))
            if self.peek() not in (" ", ")"):
                raise StructuredFieldError(
                    f"inner list item not followed by space or ) at {self.pos}"
                )

    def parameters(self) -> dict[str, object]:
        params: dict[str, object] = {}
        while self.peek() == ";":
            self.pos += 1
            self.skip(" ")
            name = self.key()
            value: object = True
            if self.peek() == "=":
                self.pos += 1
                value = self.bare_item()
            params[name] = value
        return params

    def bare_item(self) -> object:
        char = self.peek()
        if char == '"':
            return self.string()
        if char == "-" or char.isdigit():
            return self.number()
        if char == "*" or (char and char in string.ascii_letters):
            start = self.pos
            self.pos += 1
            while self.peek() and self.peek() in _TOKEN_CHARS:
                self.pos += 1
            return Token(self.text[start : self.pos])
        if char == ":":
            return self.byte_sequence()
        if char == "?" and self.text[self.pos + 1 : self.pos + 2] in ("0", "1"):
            self.pos += 2
            return self.text[self.pos - 1] == "1"
        raise StructuredFieldError(f"no item at {self.pos} ({char!r})" if char else "missing item")

    def string(self) -> str:
        self.pos += 1
        out: list[str] = []
        while not self.done():
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                escaped = self.peek()
                if escaped not in ('"', "\\"):
                    raise StructuredFieldError(f"bad escape in string at {self.pos}")
                out.append(escaped)
                self.pos += 1
            elif char == '"':
                return "".join(out)
            elif not " " <= char <= "~":
                raise StructuredFieldError(f"character {char!r} not allowed in a string")
            else:
                out.append(char)
        raise StructuredFieldError("unterminated string")

    def number(self) -> int | float:
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise StructuredFieldError(f"bad number at {self.pos}")
        self.pos = match.end()
        return float(match.group()) if "." in match.group() else int(match.group())

    def byte_sequence(self) -> bytes:
        end = self.text.find(":", self.pos + 1)
        if end < 0:
            raise StructuredFieldError("unterminated byte sequence")
        raw = self.text[self.pos + 1 : end]
        self.pos = end + 1
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as err:
            raise StructuredFieldError("bad base64 in byte sequence") from err
