"""Suggest the checks that may verify an item, from the phrasings each catalogue check declares.

Each catalogue entry lists ``phrases = ["ssl certificate valid", "hsts", ...]``: short
phrasings of what plans ask that the check verifies. A phrase matches an item when every one of
its words occurs among the words of the item's text and of its innermost section (``HTTPS >
HSTS header set``), compared in lower case, ASCII, with a plural ``s`` dropped, in any order.
A suggestion is only that: the item stays ``suggested`` until a person confirms it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gonogo.plans.ids import words
from gonogo.plans.model import MANUAL, MappingKind, Review
from gonogo.plans.model import Mapping as ItemMapping

_KEEP_S = frozenset({"https", "redis", "cors", "aws", "dns", "os", "ms", "status", "analysis"})


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word if word in _KEEP_S else word[:-1]
    return word


def stems(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in words(text))


def matches(phrase: str, text: str, section: Sequence[str] = ()) -> bool:
    """Whether every word of ``phrase`` is among the words of ``text`` (and its section)."""
    wanted = stems(phrase)
    have = stems(text) | (stems(section[-1]) if section else frozenset())
    return bool(wanted) and wanted <= have


def checks_for(
    text: str, section: Sequence[str], phrases: Mapping[str, Sequence[str]]
) -> tuple[str, ...]:
    """The check ids (in catalogue order) one of whose phrases matches the item."""
    return tuple(
        check
        for check, own in phrases.items()
        if any(matches(phrase, text, section) for phrase in own)
    )


def suggest(text: str, section: Sequence[str], phrases: Mapping[str, Sequence[str]]) -> ItemMapping:
    """A ``suggested`` mapping: the matching checks, else manual."""
    found = checks_for(text, section, phrases)
    if found:
        return ItemMapping(MappingKind.CHECKS, Review.SUGGESTED, checks=found)
    return MANUAL
