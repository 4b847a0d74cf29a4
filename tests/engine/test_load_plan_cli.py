"""`gonogo load plan` writes the plan load/locustfile.py runs standalone: private (0600), the
login's secret in the file only, never on the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Pl4n-s3cret-Value!"


def test_plan_is_written_private_and_never_printed(tmp_path: Path) -> None:
    """The plan holds the scenarios and the login (with its secret), mode 0600; the command's
    output names the file and the scenario count, not the secret."""
    env = tmp_path / "staging.toml"
    env.write_text(
        '[web]\nbase_url = "https://127.0.0.1:8443"\n'
        "[load]\nthink_time_s = 0.5\n"
        '[load.login]\npath = "/login"\n'
        'json_body = { username = "bot", password = "${LOAD_PASSWORD}" }\n'
        '[[load.scenarios]]\nname = "home"\npath = "/"\nweight = 2\n'
    )
    out = tmp_path / "plan.json"
    proc = subprocess.run(
        [sys.executable, "-m", "gonogo.cli", "load", "plan", "--env-file", str(env), "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "LOAD_PASSWORD": SECRET},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr and "1 scenarios" in proc.stdout
    assert out.stat().st_mode & 0o777 == 0o600
    plan = json.loads(out.read_text())
    assert plan["login"]["json_body"]["password"] == SECRET
    assert [(s["name"], s["weight"], s["think_time_s"]) for s in plan["scenarios"]] == [
        ("home", 2, 0.5)
    ]
