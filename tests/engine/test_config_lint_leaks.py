"""Config lint leaks no value of the env file it reads: secrets that appear nowhere else (not in
the environment file, not in a secrets file), shown failing with locals, long tracebacks and
DEBUG logs, serially and under -n 2, are in no artefact and no terminal line, in any form."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.leaks import artefacts, leaks
from engine.test_leaks import SHOW_EVERYTHING

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SHORT_JWT = "Qm4v-Short-JWT-Secret-Zx81kP0w"  # 30 characters: fails config.secret-strength
TEST_KEY = "sk_test_51Hx8LeakyTestKey0Zq9Wv2"  # fails config.test-keys
DB_PASSWORD = "Pg-Only-In-The-App-Env-7Tq"
SHARED = "Shared-With-Staging-Secret-Value-8Lm3Nz"  # same in staging: fails secret-strength
PLACEHOLDER_PASSWORD = "changeme-Kq7Zt3"  # fails config.placeholders
APP_ENV = f"""
NODE_ENV=production
DEBUG=True
JWT_SECRET={SHORT_JWT}
STRIPE_SECRET_KEY={TEST_KEY}
DATABASE_URL=postgresql://app:{DB_PASSWORD}@db.internal:5432/app
SESSION_SECRET={SHARED}
SMTP_PASSWORD={PLACEHOLDER_PASSWORD}
"""
ENVIRONMENT = """
release = "1"
[app_config]
env_file = "app.env"
staging_file = "staging.env"
required_vars = ["JWT_SECRET", "MISSING_ONE"]
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_config_lint_leaks_no_value(run_gate_offstack, tmp_path: Path, workers: list[str]) -> None:
    """Every config.* check that reads a secret fails here, and no form of any value leaks."""
    (tmp_path / "app.env").write_text(APP_ENV)
    (tmp_path / "staging.env").write_text(f"SESSION_SECRET={SHARED}\n")
    env_file = tmp_path / "leaky.toml"
    env_file.write_text(ENVIRONMENT)
    run = run_gate_offstack(
        "-v", *SHOW_EVERYTHING, *workers, "checks/test_appconfig.py", env_file=env_file
    )
    for check_id in ("config.required", "config.placeholders", "config.production-mode",
                     "config.secret-strength", "config.test-keys"):  # fmt: skip
        assert run.outcome(check_id) == "failed", run.check(check_id)
    assert "30 characters" in str(run.check("config.secret-strength")["evidence"])
    assert "evidence.json" in artefacts([tmp_path / "reports"])
    planted = {
        "short jwt": SHORT_JWT,
        "test key": TEST_KEY,
        "db password": DB_PASSWORD,
        "shared secret": SHARED,
        "placeholder password": PLACEHOLDER_PASSWORD,
    }
    found = leaks(run.output, [tmp_path / "reports"], planted)
    assert found == [], "\n".join(found[:20])
