"""The browser checks (e2e.*) beyond the fault table: no browser, two workers, the evidence a
failed journey leaves, screenshots in report.html, and environments that declare no pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = (ROOT / "environments" / "demo.toml").read_text()
BROWSER_CHECKS = ("e2e.page", "e2e.console", "e2e.mixed-content", "e2e.vitals", "e2e.mobile")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def variant(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_no_browser_is_an_error_never_a_skip(run_gate, tmp_path) -> None:
    """A missing Chromium makes every browser check an error (config) naming the path: NO-GO."""
    missing = tmp_path / "no-such-chromium"
    env = variant(
        tmp_path,
        "demo-no-browser",
        DEMO.replace('chromium = "/usr/bin/chromium"', f'chromium = "{missing}"'),
    )
    run = run_gate("e2e", env_file=env)
    checks = [c for c in run.document["checks"] if c["id"].startswith("e2e.")]
    assert checks and {c["outcome"] for c in checks} == {"error"}, checks
    for check in checks:
        assert check["error_reason"] == "config", check
        assert "no browser" in check["message"] and str(missing) in check["message"], check
    assert run.verdict == "NO-GO" and run.exit_code == 1


def test_two_workers_each_run_their_own_browser(run_gate) -> None:
    """Under -n 2 the browser checks run in both workers at once (one Chromium each) and pass."""
    run = run_gate("e2e/test_browser.py", "-n", "2", "--dist", "load")
    outcomes = {c["nodeid"]: c["outcome"] for c in run.document["checks"]}
    assert set(outcomes.values()) == {"passed"}, outcomes
    # one instance per declared page, named after it
    assert any(n.endswith("test_page[home]") for n in outcomes), outcomes
    assert any(n.endswith("test_vitals[signup]") for n in outcomes), outcomes


def test_failed_journey_attaches_step_screenshot_and_console(
    demo_stack, run_gate, tmp_path
) -> None:
    """A broken login fails the journey at its step, with a screenshot and the console log
    attached, and the password typed appears in no artefact."""
    with demo_stack.fault("signin-form-broken"):
        run = run_gate("e2e/test_browser.py", "-k", "journey")
    check = run.check("e2e.journey")
    assert check["outcome"] == "failed", check
    failed = [f for f in check["evidence"] if not f["ok"]]
    assert failed[0]["name"] == "step_5" and "/login" in failed[0]["message"], failed
    attachments = [a["file"] for a in check["attachments"]]
    assert any(a.endswith(".png") for a in attachments), check
    assert any(a.endswith(".txt") for a in attachments), check
    run_dir = tmp_path / "reports" / "demo" / "latest"
    log = next(run_dir.glob("attachments/*login-step-5.txt")).read_text()
    assert "FAIL expect status 200 from /login" in log and "404" in log, log
    password = demo_stack.variables()["GONOGO_DEMO_APP_USER_PASSWORD"]
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path


def test_screenshots_are_in_the_html_report(run_gate, tmp_path) -> None:
    """Each page's desktop and phone screenshots are attached and embedded in report.html."""
    run = run_gate("e2e/test_browser.py", "-k", "page or mobile")
    assert run.exit_code in (0, 1), run.output[-2000:]
    run_dir = tmp_path / "reports" / "demo" / "latest"
    html = (run_dir / "report.html").read_text()
    assert len(re.findall(r"data:image/png;base64,", html)) >= 4
    names = {p.name for p in (run_dir / "attachments").iterdir()}
    assert {"e2e.page-0-home.png", "e2e.mobile-0-home-phone.png"} <= names, names


def test_no_pages_declared_is_not_applicable(run_gate, tmp_path) -> None:
    """An [e2e] table without pages or journeys: the browser checks are not applicable, not
    passed (and no browser starts)."""
    # [e2e] is the demo file's last table: its pages and journeys come last
    assert DEMO.index("[[e2e.pages]]") > DEMO.index("[e2e]") > DEMO.index("[demo]")
    env = variant(tmp_path, "demo-no-pages", DEMO[: DEMO.index("[[e2e.pages]]")])
    run = run_gate("e2e/test_browser.py", env_file=env)
    outcomes = {c["id"]: c["outcome"] for c in run.document["checks"]}
    assert {outcomes[c] for c in (*BROWSER_CHECKS, "e2e.journey")} == {"not-applicable"}, outcomes
    assert run.verdict != "GO"  # nothing was verified by the stage it ran
