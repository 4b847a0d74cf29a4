"""A JSONPath-like selector over parsed JSON: ``$.products[0].sku`` or ``products.0.sku``.

Only child names and list indexes: enough to pin a field of an API's answer, simple enough to
read in an environment file. Pure; used by :mod:`gonogo.rules.api`.
"""

from __future__ import annotations

import re
from typing import Any

_STEP = re.compile(r"\.?([A-Za-z0-9_-]+)|\[([0-9]+)\]")
MISSING = object()


def steps(selector: str) -> list[str | int]:
    """The keys and indexes of ``selector`` (``$.a[0].b`` → ``["a", 0, "b"]``)."""
    text = selector[1:] if selector.startswith("$") else selector
    found: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _STEP.match(text, pos)
        if match is None:
            raise ValueError(f"bad selector {selector!r} at {text[pos:]!r}")
        name, index = match.groups()
        found.append(int(index) if index is not None else str(name))
        pos = match.end()
    return found


def select(document: Any, selector: str) -> Any:
    """The value ``selector`` names in ``document``, or :data:`MISSING`.

    A dotted number (``items.0``) indexes a list and names a key of an object.
    """
    value = document
    for step in steps(selector):
        if isinstance(value, dict):
            key = str(step)
            if key not in value:
                return MISSING
            value = value[key]
        elif isinstance(value, list) and (isinstance(step, int) or step.isdigit()):
            index = int(step)
            if index >= len(value):
                return MISSING
            value = value[index]
        else:
            return MISSING
    return value
