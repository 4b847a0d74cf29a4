"""Load baselines (`pytest -m load --env NAME`, intrusive): one locust run of ``[load]``'s
weighted scenarios against ``[web]`` feeds every check; the run's report, statistics and chart
are attached to load.latency."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.recipes import load as recipe
from gonogo.rules import load as rules
from gonogo.rules.load_regression import evaluate_regression

pytestmark = [pytest.mark.load, pytest.mark.intrusive]
HERE = Path(__file__).parent  # locustfile.py and baselines/ live beside this file


def _run(gate):
    gate.require("web"), gate.require("load")  # the catalogue's requires, read by the recipe
    return recipe.facts(gate, HERE)


@pytest.mark.check("load.latency")
def test_latency(gate):
    facts = _run(gate)
    recipe.attach(gate, facts, HERE)
    gate.judge(rules.evaluate_latency(facts, gate.config.load.thresholds))


@pytest.mark.check("load.errors")
def test_errors(gate):
    gate.judge(rules.evaluate_errors(_run(gate), gate.config.load.thresholds))


@pytest.mark.check("load.throughput")
def test_throughput(gate):
    gate.judge(rules.evaluate_throughput(_run(gate), gate.config.load.thresholds))


@pytest.mark.check("load.regression")
def test_regression(gate):
    baseline, source = recipe.baseline(gate, HERE)  # none yet: not applicable, before any load
    gate.judge(evaluate_regression(_run(gate), baseline, gate.config.load.regression, source))
