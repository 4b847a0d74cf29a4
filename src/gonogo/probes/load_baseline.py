"""Read and write the accepted load baseline (``load/baselines/<env>.json``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from gonogo.errors import ConfigError
from gonogo.facts.load import Baseline, stats_from_json

MAX_BYTES = 1_000_000


def read_baseline(path: Path) -> Baseline | None:
    """The baseline at ``path``; None when there is none yet (a bad file is a ConfigError)."""
    if not path.exists():
        return None
    if not path.is_file() or path.stat().st_size > MAX_BYTES:
        raise ConfigError(f"{path}: not a load baseline file (a JSON file under 1 MB)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Baseline(
            run_id=str(data["run_id"]),
            accepted_by=str(data["accepted_by"]),
            accepted_at=str(data["accepted_at"]),
            users=int(data["users"]),
            planned_s=float(data["planned_s"]),
            total=stats_from_json(data["total"]),
            scenarios=tuple(stats_from_json(s) for s in data["scenarios"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ConfigError(f"{path}: not a load baseline ({err})") from err


def write_baseline(
    path: Path, summary: dict[str, Any], *, run_id: str, accepted_by: str, accepted_at: str
) -> dict[str, Any]:
    """Write ``summary`` (a run's ``load-summary.json``) as the accepted baseline, atomically."""
    document = {
        "run_id": run_id,
        "accepted_by": accepted_by,
        "accepted_at": accepted_at,
        **{k: summary[k] for k in ("target", "users", "planned_s", "total", "scenarios")},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    partial.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return document
