"""Text that is secret whatever its value: where a credential stands, by its shape.

* a header pair as HTTP libraries log it: ``(b'set-cookie', b'session=...')``,
  ``('authorization', 'Basic ...')``, also repr'd or HTML-escaped;
* the password of a URL's userinfo: ``scheme://user:password@host``;
* ``Authorization``/``X-API-Key``/``X-Auth-Token`` values, ``Bearer`` and ``Basic`` credentials;
* ``Cookie``/``Set-Cookie`` values, a string in a name ending in ``cookie(s)`` as ``-l`` shows
  locals (``set_cookie = 'sid=...'``), httpx's ``<Cookie name=value for host />``;
* ``password=``, ``passwd:``, ``secret = "..."``, ``api_key``, ``token`` assignments.

Each shape is found in the lower-cased text by a pattern that starts with a literal (``re``
then skips ahead to it instead of trying every position: matching ``(?i)\\b...`` everywhere
cost up to a second per megabyte), and only when the text holds that literal at all. The
value's span is masked in the original text (lower-casing keeps positions, see
:func:`~gonogo.secret_match.lower`). Two shapes depend on case and read the text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# a quote as it appears raw, backslash-escaped (repr) or HTML-escaped (report.html)
_Q = r"(?:\\?['\"]|&(?:amp;)?(?:\#x27|\#39|quot|\#34);)"


@dataclass(frozen=True, slots=True)
class Shape:
    """Attributes: key: a literal the lower-cased text must hold; pattern: finds group ``v``,
    the value to mask; cased: whether it reads the text itself rather than its lower case."""

    key: str
    pattern: re.Pattern[str]
    cased: bool = False


def _shapes() -> tuple[Shape, ...]:
    shapes: list[Shape] = []
    # header pairs as tuples (httpcore's DEBUG trace, header lists shown by -l)
    for name in ("cookie", "authorization", "x-api-key", "x-auth-token"):
        pattern = rf"{name}{_Q}\s*,\s*b?{_Q}(?!\*\*\*)(?P<v>.+?)(?={_Q})"
        shapes.append(Shape(name, re.compile(pattern)))
    # Authorization: Bearer xyz, also as dict reprs 'authorization': 'Bearer xyz'
    for name in ("authorization", "x-api-key", "x-auth-token"):
        pattern = rf"{name}['\"]?\s*[:=]\s*['\"]?(?P<v>[^'\"\r\n,}}]+)"
        shapes.append(Shape(name, re.compile(pattern)))
    shapes += [
        Shape("://", re.compile(r"://[^:/@\s'\"]*:(?P<v>[^@\s'\"]+)(?=@)")),
        Shape("bearer", re.compile(r"bearer\s+(?P<v>[a-z0-9._~+/=-]+)")),
        # Basic <base64> ("Basic Authentication" is words: no capital, digit or +/= inside)
        Shape(
            "basic",
            re.compile(r"[Bb]asic\s+(?=.[A-Za-z0-9+/]*?[A-Z0-9+/=])(?P<v>[A-Za-z0-9+/]{6,}=*)"),
            cased=True,
        ),
        # Cookie: a=b; c=d   /  Set-Cookie: sid=...; Secure
        Shape("cookie", re.compile(r"cookie['\"]?\s*[:=]\s*['\"]?(?P<v>[^'\"\r\n]+)")),
        # a string in a name ending in cookie(s): set_cookie = 'sid=...' (a local shown by -l)
        Shape("cookie", re.compile(r"cookies?\s*=\s*[\[(]?b?['\"](?P<v>[^'\"\r\n]+)")),
        Shape("cookie", re.compile(r"<Cookie [^=\s]+=(?P<v>\S+)(?= for )"), cased=True),
    ]
    # password=..., passwd: ..., secret = "...", api_key, token (db_password= too)
    for key, word in (
        ("pass", "pass(?:word|wd|phrase)"),
        ("secret", "secret"),
        ("api", "api_?key"),
        ("token", "token"),
    ):
        pattern = rf"{word}['\"]?\s*[:=]\s*['\"]?(?!\*\*\*)(?P<v>[^\s'\",;}}&]+)"
        shapes.append(Shape(key, re.compile(pattern)))
    return tuple(shapes)


SHAPES = _shapes()


def spans(text: str, low: str) -> list[tuple[int, int]]:
    """Where secret-shaped values stand in ``text`` (``low`` is its lower case), merged."""
    found: list[tuple[int, int]] = []
    for shape in SHAPES:
        if shape.key in low:
            subject = text if shape.cased else low
            found += [match.span("v") for match in shape.pattern.finditer(subject)]
    if len(found) < 2:
        return found
    found.sort()
    merged = [found[0]]
    for start, end in found[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask(text: str, where: list[tuple[int, int]], replacement: str) -> str:
    """``text`` with each span replaced."""
    out: list[str] = []
    last = 0
    for start, end in where:
        out += (text[last:start], replacement)
        last = end
    out.append(text[last:])
    return "".join(out)
