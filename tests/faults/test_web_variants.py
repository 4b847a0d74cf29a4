"""Web-security checks on the real demo stack under variants of demo.toml or with grade-relevant
faults: what "not verified" and the Observatory's certificate codes look like end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "environments" / "demo.toml").read_text()
    assert old in text, old
    path = tmp_path / "demo-variant.toml"
    path.write_text(text.replace(old, new))
    return path


@pytest.mark.parametrize("fault", [None, "debug-errors"], ids=["clean", "debug-errors"])
def test_debug_without_error_paths_is_not_verified(demo_stack, run_gate, tmp_path, fault) -> None:
    """With error_paths = [] no generic provocation makes the demo app fail, so exposure.debug is
    an error (config), never a pass, even when a crash would show a traceback: CONDITIONAL."""
    variant = _variant(tmp_path, 'error_paths = ["/api/boom"]', "error_paths = []")
    if fault is None:
        run = run_gate("checks/test_exposure.py", env_file=variant)
    else:
        with demo_stack.fault(fault):
            run = run_gate("checks/test_exposure.py", env_file=variant)
    check = run.check("exposure.debug")
    assert (check["outcome"], check["error_reason"]) == ("error", "config"), check["message"]
    assert "no error page could be provoked" in check["message"]
    assert run.verdict == "CONDITIONAL", run.document["reasons"]


def test_cors_allow_list_never_granted_is_not_verified(demo_stack, run_gate, tmp_path) -> None:
    """An allow-listed origin the demo never grants (a stale allow-list) leaves cors.policy
    unverified (config error), not passed with a note."""
    variant = _variant(
        tmp_path,
        'allowed_origins = ["${GONOGO_DEMO_CORS_ALLOWED_ORIGIN}"]',
        'allowed_origins = ["https://stale.demo.test"]',
    )
    run = run_gate("checks/test_cors.py", env_file=variant)
    check = run.check("cors.policy")
    assert (check["outcome"], check["error_reason"]) == ("error", "config"), check["message"]
    assert "/api/products" in check["message"]


def test_grade_scores_an_untrusted_certificate_down(demo_stack, run_gate) -> None:
    """A self-signed certificate costs the grade hsts-invalid-cert and redirection-invalid-cert
    (-20 each, the Observatory's codes) instead of the grade erroring or over-scoring."""
    with demo_stack.fault("cert-self-signed"):
        run = run_gate("checks/test_headers.py")
    check = run.check("headers.grade")
    codes = {f["name"]: f["measured"] for f in check["evidence"]}
    assert codes["strict-transport-security"] == "hsts-invalid-cert"
    assert codes["redirection"] == "redirection-invalid-cert"
    assert check["outcome"] == "failed"  # demo.toml: min_grade = "A"; 115 - 40 - bonuses = 60, C+
