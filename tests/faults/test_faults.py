"""Every check is seen failing: each demo fault flips its check(s), and the clean stack passes.

One clean demo stack per test process; each test injects one fault (reverted afterwards) and
runs the real gate against it.
"""

from __future__ import annotations

import pytest

from faults.cases import FaultCase
from faults.cases_data import BACKUP, DATA, drill_leftovers
from faults.cases_dns import DNS
from faults.cases_e2e import E2E
from faults.cases_hosts import CONFIG, HOST_OVERRIDES, HOSTS
from faults.cases_load import LOAD
from faults.cases_monitoring import MONITORING
from faults.cases_smoke import JOURNEYS
from faults.cases_web import SECURITY, SMOKE, TLS

ALL = (
    SMOKE
    + JOURNEYS
    + TLS
    + SECURITY
    + DATA
    + BACKUP
    + MONITORING
    + HOSTS
    + CONFIG
    + LOAD
    + E2E
    + DNS
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_fault_flips_its_checks(demo_stack, run_gate, case: FaultCase) -> None:
    """With the fault injected, the matching check(s) fail and the verdict follows their severity."""
    with demo_stack.fault(case.fault):
        run = run_gate(*case.files)
    # a failed drill (truncated, undecryptable, shrunk backup...) leaves nothing behind
    assert drill_leftovers(demo_stack) == [], "restore drill databases left behind"
    for check_id in case.checks:
        check = run.check(check_id)
        assert check["outcome"] == case.outcome, (
            f"{check_id}: {check['outcome']} ({check['message']})\n{run.output[-2000:]}"
        )
        if case.outcome == "failed":
            assert any(not f["ok"] for f in check["evidence"]), (
                f"{check_id} failed without a failing finding"
            )
    assert run.verdict == case.verdict, run.document["reasons"]
    assert run.exit_code == {"NO-GO": 1, "ROLL BACK": 5}.get(case.verdict, 0), run.output[-2000:]


def test_clean_demo_is_go(demo_stack, run_gate) -> None:
    """On the clean demo stack every check passes with evidence: verdict GO, exit 0."""
    run = run_gate()
    assert run.exit_code == 0, run.output[-4000:]
    assert run.verdict == "GO", run.document["reasons"]
    outcomes = {c["id"]: c["outcome"] for c in run.document["checks"]}
    assert {k: v for k, v in outcomes.items() if v != "passed"} == dict.fromkeys(
        OPT_IN_ON_DEMO, "not-applicable"
    )
    passed = [c for c in run.document["checks"] if c["outcome"] == "passed"]
    assert all(c["evidence"] for c in passed), "a passed check without evidence"


def test_every_catalogue_check_has_a_fault() -> None:
    """No check ships without a fault that proves it can fail (listed exceptions say why)."""
    from pathlib import Path

    from gonogo import catalogue

    root = Path(__file__).resolve().parents[2]
    covered = {check for c in ALL for check in c.checks}
    missing = set(catalogue.load(root / "catalogue")) - covered - UNFAULTED
    assert not missing, f"checks without a fault case: {sorted(missing)}"


def test_restore_into_the_source_is_refused(demo_stack, run_gate, tmp_path) -> None:
    """backup.restore refuses a scratch server that is the source database itself: an error
    (config, nothing verified), not a failed backup, and not GO."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "environments" / "demo.toml").read_text()
    variant = tmp_path / "demo-restore-into-source.toml"
    variant.write_text(
        text.replace(
            'scratch_dsn = "${GONOGO_DEMO_PG_SCRATCH_DSN}"',
            'scratch_dsn = "postgresql://app:${GONOGO_DEMO_PG_PASSWORD}@localhost:${GONOGO_DEMO_PG_PORT}/app"',
        )
    )
    run = run_gate("checks/test_backup.py", env_file=variant)
    check = run.check("backup.restore")
    assert (check["outcome"], check["error_reason"]) == ("error", "config"), check
    assert "refused" in check["message"] and run.verdict != "GO"


# Checks whose failure cannot be produced on the demo stack by a fault; each is proven failing
# against a real server in tests/probes instead (the reason is given).
# opt-in checks the demo does not declare: this machine has no firewall to show, and apt needs
# seconds of CPU per host; test_host_env_overrides.py sees both pass and fail on this machine
OPT_IN_ON_DEMO = ("host.firewall", "host.security-updates")

UNFAULTED: set[str] = {
    # nginx on OpenSSL 3 cannot be made vulnerable to any attack it tests (no SSLv3, no zlib,
    # client renegotiation always refused): tests/probes/test_tls_vulnerable_server.py fails it on
    # a real Python TLS server that honours client-initiated renegotiation
    "tls.vulnerabilities",
    # behaviours of a host no demo fault can give this machine (a full disk, an old OS, a
    # skewed clock): seen failing against this machine in test_host_env_overrides.py
    *HOST_OVERRIDES,
}


def test_demo_fault_option_starts_its_own_faulty_stack(tmp_path) -> None:
    """`pytest --env demo --demo-fault X` (what `make demo FAULT=X` runs) starts a stack with the
    fault, exits 1 with NO-GO naming the check, and leaves no process or run directory behind."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    environ = {k: v for k, v in os.environ.items() if k != "GONOGO_DEMO_STATE"}
    before = set((root / ".demo").glob("2*")) if (root / ".demo").is_dir() else set()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--env",
            "demo",
            "--demo-fault",
            "hsts-missing",
            "checks/test_headers.py",
            "--gonogo-reports",
            str(tmp_path),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (
        proc.stdout.strip()
        .splitlines()[-1]
        .startswith("NO-GO (demo): 1 blocker not passed: headers.hsts")
    )
    doc = json.loads((tmp_path / "demo" / "latest" / "evidence.json").read_text())
    assert {c["id"]: c["outcome"] for c in doc["checks"]}["headers.hsts"] == "failed"
    after = set((root / ".demo").glob("2*")) if (root / ".demo").is_dir() else set()
    assert after <= before, f"run directories left behind: {after - before}"
