"""What of a target's response body may be copied into evidence: as little as proves the point.

A served ``/.env`` or a debug page holds the *target's* secrets (``SECRET_KEY=...``, a
connection string in a stack trace). The redactor cannot know those values, so the rules never
copy such text: they record sizes and digests, the variable *names* of configuration-like
bodies, an HTML title, and excerpts masked by :func:`masked`. Pure functions; no I/O.
"""

from __future__ import annotations

import html
import re

MASK = "***"
# NAME= / NAME: / - NAME= / export NAME= at the start of a line (.env, YAML, INI, properties)
_ASSIGNED = re.compile(
    r"(?m)^[ \t]*(?:export[ \t]+|-[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]{0,63})[ \t]*[=:](=*[ \t]*$)?"
)
# what a name ending its line with '=' must look like: the last line of a base64 value also does
_PLAIN_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,31}|[a-z][a-z0-9_]{0,31}")
# an INI section header; only its first word ([url "https://user:token@host/"] carries more)
_SECTION = re.compile(r"(?m)^[ \t]*\[([A-Za-z0-9_.-]{1,64})[\]\s\"']")
_TITLE = re.compile(r"(?is)<title[^>]*>(.*?)</title")
# key=value, key: value, key = "value" (the key kept, the value masked whatever it is)
_KEYED = re.compile(
    r"""(?P<k>[A-Za-z_][\w.-]*)(?P<s>[ \t]*(?:=|:(?!:))[ \t]*)"""
    r"""(?P<v>"[^"\n]*"?|'[^'\n]*'?|&(?:quot|\#34|\#39|\#x27);.*?(?:&(?:quot|\#34|\#39|\#x27);|$)"""
    r"""|[^\s,;&)\]}<>"']+)""",
    re.MULTILINE,
)
# a quoted literal (also HTML-escaped) other than a file path: code in a stack trace,
# connect("sk_live_..."), a settings table's &#39;django-insecure-...&#39;
_QUOTED = re.compile(
    r"""(?P<path>(?P<p>["'])(?:/|[A-Za-z]:\\)[^"'\s]*(?P=p))"""  # a file path: kept
    r"""|(?P<q>"|(?<![A-Za-z])'|&quot;|&\#34;|&\#39;|&\#x27;)"""
    r"""(?:[^\n]+?(?P=q)|[^\n]*$)""",  # unclosed (the excerpt was cut): to the end of the line
    re.MULTILINE,
)
# "password hunter2": a secret word named without = or :
_NAMED = re.compile(
    r"(?i)\b(?P<k>pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key)(?P<s>\s+)(?!\*)\S+"
)
# a run that looks generated: 16+ token characters with a digit, or 32+ of them
_TOKENISH = re.compile(r"[A-Za-z0-9+=_-]{16,}")


def names(text: str, *, limit: int = 40) -> list[str]:
    """Variable and section names of a configuration-like body, in order, never a value.

    The last line of a multi-line base64 value (a PEM key in a ``.env``) also reads ``XyZ=``:
    a "name" with nothing after its ``=`` counts only when it is a plain one-case identifier,
    else it is left out rather than risk showing part of a secret.
    """
    found: list[tuple[int, str]] = []
    for match in (*_ASSIGNED.finditer(text), *_SECTION.finditer(text)):
        name = match.group(1)
        ends_line = match.re is _ASSIGNED and match.group(2) is not None
        if ends_line and _PLAIN_NAME.fullmatch(name) is None:
            continue
        found.append((match.start(), f"[{name}]" if match.re is _SECTION else name))
    return list(dict.fromkeys(name for _, name in sorted(found)))[:limit]


def title(text: str, *, width: int = 80) -> str | None:
    """The ``<title>`` of an HTML body, masked (an exception message can be in it)."""
    match = _TITLE.search(text)
    if match is None:
        return None
    plain = " ".join(html.unescape(match.group(1)).split())
    return masked(plain)[:width] or None


def masked(text: str) -> str:
    """``text`` with every value that could be secret replaced by ``***``.

    Values of ``key=value``/``key: value`` pairs (URLs are ``scheme:...`` pairs, so a
    connection string goes whole), the word after ``password``/``secret``/``token``, quoted
    literals other than file paths, and runs of generated-looking characters. What stays:
    words, names, file paths and line numbers. Free text can still hold a short secret in
    none of these shapes, so callers show only a few lines near what they matched.
    """
    text = _KEYED.sub(_keyed, text)
    text = _NAMED.sub(lambda m: f"{m['k']}{m['s']}{MASK}", text)
    text = _QUOTED.sub(lambda m: m["path"] or f"{m['q']}{MASK}{m['q']}", text)
    return _TOKENISH.sub(_token, text)


def _keyed(match: re.Match[str]) -> str:
    key, sep, value = match["k"], match["s"], match["v"]
    # file.ext:line[:column] of a stack frame locates the fault and holds nothing secret
    if (
        sep == ":"
        and re.search(r"\.[A-Za-z]{1,5}$", key)
        and re.fullmatch(r"\d{1,6}(:\d{1,6})?", value)
    ):
        return match.group(0)
    return f"{key}{sep}{MASK}"


def _token(match: re.Match[str]) -> str:
    run = match.group(0)
    return MASK if len(run) >= 32 or re.search(r"\d", run) else run
