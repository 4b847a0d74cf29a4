"""Finding many secret forms in text fast, whatever their case.

Redaction runs on every line of output, so the search is one regular expression over the
lower-cased text (Python's case-insensitive matching is about 20x slower), built as a trie of
the lower-cased forms (``re`` tries ``a|b|c...`` one alternative after another; nested by
common prefix, each character is compared once per level). The rules of
:mod:`gonogo.secret_forms` for short forms (case as written, standing alone) are applied to
each match rather than in the expression: a lookaround would cost the engine its
first-character scan.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from gonogo.secret_forms import LONG_SECRET_LEN, MIN_SECRET_LEN, any_case, variants

_WORD = re.compile(r"\w")
_Trie = dict[str, "_Trie"]
_END = ""  # the key that marks the end of a form in a trie node
_MAX_NESTING = 40  # deeper tries become plain alternatives (re's parser recurses per group)


def lower(text: str) -> str:
    """``text.lower()`` with one character per character (positions stay aligned)."""
    return text.replace("\u0130", "I").lower()  # İ is the one that lower-cases to two


class FormMatcher:
    """The forms of a set of secret values, and where they occur in a text. Thread-safe."""

    def __init__(self, mask: str) -> None:
        self._mask = mask
        self._lock = threading.Lock()
        # lower-cased form -> the spellings it must have (None: any case)
        self._forms: dict[str, frozenset[str] | None] = {}
        self._regex: re.Pattern[str] | None = None
        self._dirty = False

    @property
    def forms(self) -> frozenset[str]:
        return frozenset(self._forms)

    def add(self, value: str) -> None:
        """Match ``value`` in every form of :func:`~gonogo.secret_forms.variants`."""
        if len(value) < MIN_SECRET_LEN:
            return
        found = [f for f in variants(value) if len(f) >= MIN_SECRET_LEN and self._mask not in f]
        with self._lock:
            for form in found:
                key = lower(form)
                if any_case(form):
                    self._forms[key] = None
                elif key not in self._forms or self._forms[key] is not None:
                    self._forms[key] = frozenset({*(self._forms.get(key) or ()), form})
            self._dirty = True

    def _compiled(self) -> re.Pattern[str] | None:
        if self._dirty:
            with self._lock:
                self._regex = re.compile(_trie(self._forms)) if self._forms else None
                self._dirty = False
        return self._regex

    def sub(self, text: str, low: str) -> str:
        """``text`` with every form masked; ``low`` is ``lower(text)``."""
        regex = self._compiled()
        if regex is None:
            return text
        if len(low) != len(text):  # cannot happen with lower() above; never unmasked if it does
            return re.compile(regex.pattern, re.IGNORECASE).sub(self._mask, text)
        out: list[str] = []
        last = 0
        for match in regex.finditer(low):
            start, end = match.span()
            spellings = self._forms.get(match.group())
            if spellings is not None and text[start:end] not in spellings:
                continue
            if end - start < LONG_SECRET_LEN and not _stands_alone(low, start, end):
                continue
            out += (text[last:start], self._mask)
            last = end
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)


def _stands_alone(low: str, start: int, end: int) -> bool:
    """A short form is masked only where it is not part of a longer word."""
    word = _WORD.match
    return not (
        (start > 0 and word(low, start) and word(low, start - 1))
        or (end < len(low) and word(low, end - 1) and word(low, end))
    )


def _trie(forms: Iterable[str]) -> str:
    """One regular expression for many literals: ``ab(?:c|d(?:e)?)``; a longer form wins."""
    root: _Trie = {}
    for form in forms:
        node = root
        for char in form:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _emit(root, 0)


def _emit(node: _Trie, depth: int) -> str:
    literal = []
    while _END not in node and len(node) == 1:  # a chain: one literal
        char, node = next(iter(node.items()))
        literal.append(re.escape(char))
    if depth > _MAX_NESTING:
        branches = [re.escape(s) for s in sorted(_suffixes(node), key=len, reverse=True) if s]
    else:
        branches = [re.escape(c) + _emit(child, depth + 1) for c, child in node.items() if c]
    if not branches:
        return "".join(literal)
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:  # greedy: the longer form is tried first
        body = f"(?:{body})?"
    return "".join(literal) + body


def _suffixes(node: _Trie) -> list[str]:
    found: list[str] = []
    stack = [("", node)]
    while stack:
        prefix, current = stack.pop()
        for char, child in current.items():
            if char == _END:
                found.append(prefix)
            else:
                stack.append((prefix + char, child))
    return found
