"""Data-store checks that no demo fault can flip, seen failing through an environment override.

The demo's servers are what they are (PostgreSQL 15, Redis 7.0): "version below minimum" is
produced by raising the minimums in a copy of environments/demo.toml, against the real servers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _variant(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = (ROOT / "environments" / "demo.toml").read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("redis_min", ["7.2", "8"])
def test_versions_below_minimum_fail(demo_stack, run_gate, tmp_path, redis_min: str) -> None:
    """min_version 16 for PostgreSQL 15 and 7.2 / 8 for Redis 7.0: pg.version and redis.version
    fail (not error) with the measured version; both are blockers, so the verdict is NO-GO."""
    variant = _variant(
        tmp_path,
        "demo-versions-too-new",
        ("min_version = 13", "min_version = 16"),
        ('min_version = "6.0"', f'min_version = "{redis_min}"'),
    )
    run = run_gate("checks/test_postgres.py", "checks/test_redis.py", env_file=variant)
    for check_id, measured in (("pg.version", "15"), ("redis.version", "7.0")):
        check = run.check(check_id)
        assert check["outcome"] == "failed", check
        assert any(not f["ok"] and measured in str(f["measured"]) for f in check["evidence"]), check
    assert run.failing() == {"pg.version", "redis.version"}, run.document["reasons"]
    assert run.verdict == "NO-GO" and run.exit_code == 1
