"""Gate tests with one instance per declared entry: ``@pytest.mark.each("smoke.endpoints")``.

A gate test marked ``each(<section>.<list key>)`` that takes an ``entry`` argument runs once
per entry of that list in the environment file, with the entry's ``name`` in its test id
(``test_endpoint[orders]``), so CI shows which entry failed. All instances share the test's
check id. Without entries (no environment, the key unset or empty) it has one instance,
``[none-declared]``, with ``entry = None``: the catalogue's ``requires`` names the key, so the
engine ends it as not applicable before it runs.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonogo.engine.context import CONTEXT_KEY

MARKER = "each"


def entries(config: Any, path: str) -> list[Any]:
    """The list ``path`` (``section.key``) names in the environment's configuration."""
    value = config
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return []
    return list(value)


def generate(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``entry`` of a test marked ``each`` (``pytest_generate_tests``)."""
    marker = metafunc.definition.get_closest_marker(MARKER)
    if marker is None:
        return
    if "entry" not in metafunc.fixturenames or len(marker.args) != 1:
        raise pytest.UsageError(
            f'{metafunc.definition.nodeid}: @pytest.mark.each("section.key") needs one '
            "argument and a test argument named entry"
        )
    ctx = metafunc.config.stash.get(CONTEXT_KEY, None)
    found = entries(ctx.env.config, marker.args[0]) if ctx is not None else []
    if not found:
        metafunc.parametrize("entry", [None], ids=["none-declared"])
        return
    metafunc.parametrize("entry", found, ids=[str(e.name) for e in found])
