"""The plan a run is judged against: ``--plan NAME``, else ``plan = "NAME"`` in the environment file.

Loaded on the controller before anything starts (before the demo stack), so that an unknown
plan, a malformed ``plans/NAME.toml`` or a malformed ``attestations/<env>.toml`` is a
configuration error (one line, exit 4) and never a report. At the end of the run the engine
evaluates it (:func:`gonogo.plans.status.evaluate`) with the run's outcomes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.errors import ConfigError
from gonogo.plans import attest, store
from gonogo.plans.attest import Attestation
from gonogo.plans.ids import PLAN_NAME
from gonogo.plans.model import Plan


@dataclass(frozen=True, slots=True)
class SelectedPlan:
    """The plan of a run and the attestations that may tick its manual items.

    Attributes:
        plan: the plan (``plans/NAME.toml``).
        attestations: every attestation of ``attestations_path`` (those of other plans are
            ignored when the plan is evaluated).
        attestations_path: ``attestations/<env>.toml`` (it may not exist: no attestations).
        source: where the choice came from (``--plan`` or the environment file's ``plan``).
    """

    plan: Plan
    attestations: tuple[Attestation, ...]
    attestations_path: Path
    source: str


def chosen(option: str | None, raw_env: dict[str, Any], env_path: Path) -> tuple[str, str] | None:
    """(plan name, where it was chosen) from ``--plan`` (first) or the environment file."""
    if option is not None:
        return option, "--plan"
    value = raw_env.get("plan")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{env_path}: plan: must be a plan name such as 'alaska-pay'")
    return value, f"plan in {env_path}"


def select(
    root: Path, name: str, source: str, env_stem: str, known_checks: Collection[str]
) -> SelectedPlan:
    """Load ``plans/<name>.toml`` and ``attestations/<env_stem>.toml`` under the suite ``root``."""
    directory = root / "plans"
    if not PLAN_NAME.fullmatch(name) or len(name) > 64:
        raise ConfigError(
            f"{source} {name!r}: not a plan name (lower-case letters, digits and '-', as in "
            "plans/NAME.toml)"
        )
    path = store.path_for(directory, name)
    if not path.is_file():
        known = sorted(p.stem for p in directory.glob("*.toml")) if directory.is_dir() else []
        raise ConfigError(
            f"{source} {name}: no plan {path}; plans: {', '.join(known) or 'none'} "
            "(gonogo plan import PLAN.md --name NAME)"
        )
    plan = store.load(path)
    unknown = store.unknown_checks(plan, known_checks)
    if unknown:
        raise ConfigError(f"plan {path}: {unknown[0]}")
    attestations_path = root / "attestations" / f"{env_stem}.toml"
    return SelectedPlan(plan, attest.load(attestations_path), attestations_path, source)
