"""--plan end to end through pytester: the plan weighs in the verdict and fills every report."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.plan_project import attestation as _attestation
from engine.plan_project import plan_toml as _plan_toml
from engine.project import evidence, latest, make_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _project(
    pytester: pytest.Pytester, env: str = 'release = "1.0.0"\n', files: dict[str, str] | None = None
) -> Path:
    extra = {"plans/p.toml": _plan_toml(), **(files or {})}
    return make_project(pytester, env=env, extra_files=extra)


def test_unattested_manual_blocker_is_no_go(pytester: pytest.Pytester) -> None:
    """--plan: a manual blocker without an attestation makes NO-GO, and the reasons name it."""
    root = _project(pytester)
    result = pytester.runpytest("--env", "t", "--plan", "p")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["NO-GO (t): *; plan p: 1 blocker item not attested -> *"])
    doc = evidence(root)
    assert doc["verdict"] == "NO-GO"
    assert "plan p: 1 blocker item not attested: infra/security-sign-off" in doc["reasons"]
    statuses = {i["id"]: i["status"] for i in doc["plan"]["items"]}
    assert statuses == {
        "infra/db-reachable": "verified",
        "infra/security-sign-off": "open",
        "later/party": "not-applicable",
    }
    assert doc["plan"]["overall"]["covered"] == 1 and doc["plan"]["overall"]["applicable"] == 2
    summary = (latest(root) / "summary.md").read_text()
    assert "## Plan: Plan P (`p`)" in summary
    assert "| not covered | Security sign-off `infra/security-sign-off` |" in summary
    page = (latest(root) / "report.html").read_text()
    assert 'href="#check-t.pass"' in page and 'id="check-t.pass"' in page
    assert "not covered" in page


def test_valid_attestation_settles_the_item(pytester: pytest.Pytester) -> None:
    """A valid attestation in attestations/<env>.toml ticks the item: who and when are shown."""
    root = _project(pytester, files={"attestations/t.toml": _attestation()})
    result = pytester.runpytest("--env", "t", "--plan", "p")
    assert result.ret == 0  # CONDITIONAL: the project's major check fails
    doc = evidence(root)
    assert doc["verdict"] == "CONDITIONAL", doc["reasons"]
    item = next(i for i in doc["plan"]["items"] if i["id"] == "infra/security-sign-off")
    assert item["status"] == "attested" and item["attestation"]["by"] == "Ann Lee"
    page = (latest(root) / "report.html").read_text()
    assert "by Ann Lee on" in page and "https://tickets.example.com/CHG-1" in page


def test_expired_attestation_no_longer_counts(pytester: pytest.Pytester) -> None:
    """An attestation past its validity leaves the item open (NO-GO) and the run says so."""
    root = _project(pytester, files={"attestations/t.toml": _attestation(days_ago=40)})
    assert pytester.runpytest("--env", "t", "--plan", "p").ret == 1
    doc = evidence(root)
    assert any("expired" in line for line in doc["plan"]["expired"])


def test_plan_from_the_environment_file(pytester: pytest.Pytester) -> None:
    """plan = "NAME" in the environment file selects the plan like --plan."""
    root = _project(pytester, env='release = "1.0.0"\nplan = "p"\n')
    assert pytester.runpytest("--env", "t").ret == 1
    assert evidence(root)["plan"]["name"] == "p"


def test_manual_gate_off_only_reports(pytester: pytest.Pytester) -> None:
    """manual_gate = false: the open item is shown, the verdict ignores it."""
    root = _project(pytester)
    (root / "plans" / "p.toml").write_text(_plan_toml(gate=False))
    assert pytester.runpytest("--env", "t", "--plan", "p").ret == 0
    doc = evidence(root)
    assert doc["verdict"] == "CONDITIONAL" and doc["plan"]["manual_gate"] is False


def test_without_a_plan_the_block_is_null(pytester: pytest.Pytester) -> None:
    """A run without --plan writes plan: null."""
    root = _project(pytester)
    pytester.runpytest("--env", "t")
    assert evidence(root)["plan"] is None


@pytest.mark.parametrize(
    ("args", "files", "fragment"),
    [
        (["--plan", "nope"], {}, "--plan nope: no plan"),
        (["--plan", "Bad Name"], {}, "not a plan name"),
        (["--plan", "p"], {"attestations/t.toml": "[[attestations]]\nitem = 1\n"}, "attestations"),
        (["--plan", "p"], {"plans/p.toml": "[plan]\n"}, "plan "),
    ],
    ids=["unknown", "bad-name", "bad-attestations", "bad-plan-file"],
)
def test_plan_errors_are_configuration_errors(
    pytester: pytest.Pytester, args: list[str], files: dict[str, str], fragment: str
) -> None:
    """An unknown plan or a malformed plan/attestations file: one line, exit 4, no report."""
    root = _project(pytester, files=files)
    result = pytester.runpytest_subprocess("--env", "t", *args)
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1 and fragment in errors[0], result.stderr.lines
    assert "Traceback" not in result.stderr.str()
    assert not (root / "reports" / "t").exists()


def test_secrets_never_reach_the_plan_block_or_the_history(pytester: pytest.Pytester) -> None:
    """A secret value written into an attestation's note is masked in every file of the run:
    evidence.json's plan block, summary.md, report.html and history.jsonl."""
    secret = "plansecret-K7j6H5"
    note = _attestation().replace("pen test report reviewed", f"checked with {secret}")
    env = 'release = "1.0.0"\ndescription = "token ${PLAN_TOKEN}"\nsecrets_file = "t.secrets.env"\n'
    root = _project(
        pytester,
        env=env,
        files={"attestations/t.toml": note, "environments/t.secrets.env": f"PLAN_TOKEN={secret}\n"},
    )
    assert pytester.runpytest("--env", "t", "--plan", "p").ret == 0
    item = next(i for i in evidence(root)["plan"]["items"] if i["status"] == "attested")
    assert item["attestation"]["note"] == "checked with ***"
    files = [p for p in (root / "reports").rglob("*") if p.is_file()]
    assert {"history.jsonl", "summary.md", "report.html", "evidence.json"} <= {
        p.name for p in files
    }
    for path in files:
        assert secret.encode() not in path.read_bytes(), path
