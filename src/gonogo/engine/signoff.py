"""The run's plan (``--plan``): chosen and loaded before the run starts, evaluated at its end.

Glue between pytest and :mod:`gonogo.plans`: :func:`select_plan` reads the option and the
environment file's ``plan`` key on the controller (a configuration error exits 4 before the demo
stack starts); :func:`judge` turns the run's results into the plan's status and the open items
that weigh in the verdict (:class:`gonogo.verdict.OpenItems`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

import pytest

from gonogo import markers
from gonogo.catalogue import Catalogue
from gonogo.config import EnvFile
from gonogo.engine import invocation
from gonogo.plans import selected, status
from gonogo.plans.selected import SelectedPlan
from gonogo.plans.status import PlanStatus
from gonogo.verdict import CheckResult, OpenItems

PLAN_KEY = pytest.StashKey[SelectedPlan]()  # config.stash: the run's plan (controller only)
STAGES = markers.STAGE_NAMES


def select_plan(
    config: pytest.Config, env_file: EnvFile, catalogue: Catalogue
) -> SelectedPlan | None:
    """The plan of ``--plan`` or of the environment file's ``plan``, loaded; None without one."""
    option = config.getoption("plan", None)
    path = env_file.path
    raw = dict(env_file.raw) if option is None else {}
    choice = selected.chosen(option, raw, path)
    if choice is None:
        return None
    name, source = choice
    return selected.select(invocation.root(config), name, source, path.stem, list(catalogue))


def stages(
    markexpr: str | None, expected: Collection[str], catalogue: Catalogue
) -> set[str] | None:
    """The stages a run selected: None without ``-m`` (all of them), else the stage markers of
    the catalogue checks ``-m`` chose (a manual item of another stage is "not run")."""
    if not markexpr:
        return None
    return {m for cid in expected for m in catalogue[cid].markers if m in STAGES}


def judge(
    plan: SelectedPlan,
    results: Sequence[CheckResult],
    now: dt.datetime,
    run_stages: Collection[str] | None,
) -> tuple[PlanStatus, tuple[OpenItems, ...]]:
    """The plan's status in this run and its open items, one :class:`OpenItems` per severity."""
    outcomes = status.combine((r.id, r.outcome) for r in results)
    evaluated = status.evaluate(plan.plan, outcomes, plan.attestations, now, run_stages)
    weigh = tuple(
        OpenItems(severity, line, plan.plan.name, n) for severity, line, n in evaluated.open_items()
    )
    return evaluated, weigh
