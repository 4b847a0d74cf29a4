"""Stable item ids: derived from where an item is and what it says, never from its position.

The rule (docs/plans.md repeats it):

1. ``<section>/<text>``: the slug of the item's innermost section (its nearest heading or
   label, ``top`` when there is none) and the slug of its text. A slug is the words in lower
   case, ASCII only, joined by ``-``: emphasis, links, code marks and emoji are dropped, and it
   is cut after at most 48 characters (32 for the section) at a word boundary.
2. Items whose ids would be equal (the same words under sections of the same name, e.g. a
   ``Monitoring`` list under two phases) each get ``~`` and four hex digits of the SHA-256 of
   their full section path and normalised text: equal names under different paths differ.
3. Items that are still equal (the same text twice in the same section) are numbered in the
   plan's order from the second one: ``~1a2b-2``.

So an id does not change when lines are added or removed above the item, when other sections
change, or when the item's words change only in case, punctuation, emphasis or emoji. It
changes when its own words or innermost section are renamed, or when a new item with the same
words appears under a section of the same name (rule 2): a re-import then matches the item by
its text and section and reports the new id (:mod:`gonogo.plans.reimport`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from gonogo.plans.markdown import ParsedItem, clean

ID_PATTERN = re.compile(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*(?:~[0-9a-f]{4}(?:-\d+)?)?$"
)
PLAN_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TEXT_MAX = 48
_SECTION_MAX = 32


def words(text: str) -> list[str]:
    """The words of ``text``: markdown removed, ASCII-folded, lower case."""
    folded = unicodedata.normalize("NFKD", clean(text))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.findall(r"[a-z0-9]+", ascii_text)


def normalise(text: str) -> str:
    """The text as compared between imports: its words separated by single spaces."""
    return " ".join(words(text))


def slug(text: str, limit: int = _TEXT_MAX) -> str:
    """Lower-case ASCII words joined by ``-``, at most ``limit`` characters (whole words)."""
    out = ""
    for word in words(text):
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or (words(text)[0][:limit] if words(text) else "")


def base_id(section: Sequence[str], text: str) -> str:
    """Rule 1: ``<innermost section>/<text>``."""
    inner = slug(section[-1], _SECTION_MAX) if section else ""
    return f"{inner or 'top'}/{slug(text) or 'item'}"


def _digest(section: Sequence[str], text: str) -> str:
    key = "\x1f".join(normalise(s) for s in section) + "\x1e" + normalise(text)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:4]


def assign(items: Sequence[ParsedItem]) -> list[str]:
    """The id of each item, by the rule of this module (same order as ``items``)."""
    ids = [base_id(item.section, item.text) for item in items]
    counts = Counter(ids)
    ids = [
        f"{i}~{_digest(item.section, item.text)}" if counts[i] > 1 else i
        for i, item in zip(ids, items, strict=True)
    ]
    seen: Counter[str] = Counter()
    out: list[str] = []
    for i in ids:
        seen[i] += 1
        out.append(i if seen[i] == 1 else f"{i}-{seen[i]}")
    return out


def plan_name(title: str) -> str:
    """A plan name from a title: ``Alaska Pay - Production Deployment`` -> ``alaska-pay-...``."""
    return slug(title, 40) or "plan"
