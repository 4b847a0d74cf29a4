"""The front end after the deploy: the index revalidated on every load, hashed assets cached
long and compressed, no mixed content (one fetch of the index and its assets, shared)."""

from __future__ import annotations

import pytest

from gonogo.recipes import smoke as recipe
from gonogo.rules import frontend


@pytest.mark.check("smoke.index-cache")
def test_index_cache(gate):
    web, cfg = gate.require("web"), gate.require("smoke").frontend  # catalogue: smoke.frontend
    gate.target(web.url(cfg.index_path))
    recipe.ready(gate)
    gate.judge(frontend.evaluate_index_cache(recipe.front_end(gate), cfg))


@pytest.mark.check("smoke.assets")
def test_assets(gate):
    web, cfg = gate.require("web"), gate.require("smoke").frontend
    gate.target(web.url(cfg.index_path))
    recipe.ready(gate)
    gate.judge(frontend.evaluate_assets(recipe.front_end(gate), cfg))


@pytest.mark.check("smoke.mixed-content")
def test_mixed_content(gate):
    web, cfg = gate.require("web"), gate.require("smoke").frontend
    gate.target(web.url(cfg.index_path))
    recipe.ready(gate)
    gate.judge(frontend.evaluate_mixed_content(recipe.front_end(gate)))
