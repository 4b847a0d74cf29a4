"""The import direction between gonogo's layers, read from the source (every import, also those
under ``TYPE_CHECKING`` and inside functions): docs/architecture.md draws the same arrows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "gonogo"

# layer -> the gonogo packages/modules it must never import
FORBIDDEN = {
    "rules": ("gonogo.probes", "gonogo.engine", "gonogo.recipes", "gonogo.gate", "gonogo.report"),
    "probes": ("gonogo.rules", "gonogo.engine", "gonogo.recipes", "gonogo.gate", "gonogo.report"),
    "report": ("gonogo.engine", "gonogo.probes", "gonogo.rules", "gonogo.recipes", "gonogo.gate"),
    "recipes": ("gonogo.engine", "gonogo.rules"),
}
# layer -> the only gonogo modules it may import (itself always allowed)
ONLY = {
    "model": ("gonogo.errors",),
    "facts": ("gonogo.model",),
    "wire": ("gonogo.model",),
    "markers": (),
}


def imported(path: Path) -> set[str]:
    """The gonogo modules ``path`` imports (``from gonogo import x`` counts as ``gonogo.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "gonogo":
                found.update(f"gonogo.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return {name for name in found if name == "gonogo" or name.startswith("gonogo.")}


def modules(layer: str) -> list[Path]:
    package = SRC / layer
    return sorted(package.rglob("*.py")) if package.is_dir() else [SRC / f"{layer}.py"]


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_never_imports_what_sits_above_it(layer: str) -> None:
    """Rules import neither probes nor the engine, probes neither rules nor the engine, the
    report never the engine, recipes never the engine: each can be read and tested alone."""
    wrong = {
        f"{path.relative_to(SRC)} imports {name}"
        for path in modules(layer)
        for name in imported(path)
        if within(name, FORBIDDEN[layer])
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("layer", sorted(ONLY))
def test_bottom_layers_import_only_what_is_below_them(layer: str) -> None:
    """The model imports nothing of gonogo but its errors; facts and the wire types only the
    model; the markers nothing: the layers every other one builds on."""
    allowed = (f"gonogo.{layer}", *ONLY[layer])
    wrong = {
        f"{path.relative_to(SRC)} imports {name}"
        for path in modules(layer)
        for name in imported(path)
        if not within(name, allowed)
    }
    assert not wrong, sorted(wrong)


def test_the_layers_exist() -> None:
    """Every layer the rules above name is a real module or package (a rename cannot turn a
    rule into one that checks nothing)."""
    for layer in (*FORBIDDEN, *ONLY):
        assert modules(layer) and all(p.is_file() for p in modules(layer)), layer
