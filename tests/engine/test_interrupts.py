"""A verdict never outlives an interrupt: wherever SIGINT or SIGTERM lands, the report and the
exit code agree, an interrupted run is never GO, nothing is half-written, and it ends."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from engine.interrupted import Interrupted, assert_agrees, gate_command, interrupt
from engine.project import make_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CATALOGUE = """
["t.pass"]
title = "always passes"
severity = "blocker"
markers = ["predeploy"]
"""

# a fixture with a teardown, checks that take a moment: a signal can land in each phase
CHECKS = """
import time
from pathlib import Path
import pytest
from gonogo.interrupts import checkpoint
from gonogo.model import Comparison, compare

@pytest.fixture
def resource():
    yield
    checkpoint("teardown")

@pytest.mark.check("t.pass")
@pytest.mark.parametrize("n", range(4))
def test_pass(gate, resource, n):
    checkpoint("check-running")
    time.sleep(0.15)
    gate.judge([compare("x", 1, Comparison.EQ, 1)])
"""

# the end of a run, in order; before "committed" the report is not on disk yet
BEFORE_COMMIT = [
    "preflight",
    "configured",
    "check-running",
    "teardown",
    "checks-done",
    "sessionfinish",
    "cleanup",
    "writing",
    "commit",
]


def _project(pytester: pytest.Pytester) -> Path:
    return make_project(pytester, checks=CHECKS, catalogue=CATALOGUE)


def _interrupted_at(
    root: Path, point: str, signals: tuple[signal.Signals, ...] = (signal.SIGINT,)
) -> Interrupted:
    """A gate run of the project at ``root``, paused at ``point`` and sent ``signals`` there."""
    return interrupt(
        gate_command("--env", "t"),
        cwd=root,
        marks=root / "marks",
        reports=root / "reports" / "t",
        pause=[point],
        at=point,
        signals=signals,
    )


def test_signal_while_the_plugin_loads_ends_with_one_line(pytester: pytest.Pytester) -> None:
    """SIGINT before pytest's main loop runs (gonogo and the suite still loading): one line,
    exit 2 (pytest's interrupted), no traceback, no report and no reports directory."""
    root = _project(pytester)
    run = _interrupted_at(root, "loading")
    assert run.returncode == 2, run.output[-3000:]
    assert "Traceback" not in run.output and "KeyboardInterrupt" not in run.output, run.output
    assert "interrupted before the run started: nothing was checked" in run.output
    assert not (root / "reports").exists()


@pytest.mark.parametrize("point", BEFORE_COMMIT)
def test_signal_before_the_report_is_written_is_no_go(
    pytester: pytest.Pytester, point: str
) -> None:
    """SIGINT at each named point of a run, up to the moment its report is committed (in a
    check, a fixture teardown, the session's end, while the files are written): the report
    says NO-GO (interrupted), the exit code is 2, both agree and nothing is half-written."""
    root = _project(pytester)
    run = _interrupted_at(root, point)
    document = assert_agrees(run)
    assert (run.returncode, document["verdict"]) == (2, "NO-GO"), run.output[-3000:]


def test_signal_after_the_report_is_written_changes_nothing(pytester: pytest.Pytester) -> None:
    """SIGINT after the report is committed (latest moved): the verdict stands, the process
    exits with the code the report states and says so."""
    root = _project(pytester)
    run = _interrupted_at(root, "committed")
    document = assert_agrees(run)
    assert (run.returncode, document["verdict"]) == (0, "GO")
    assert "received after the report was written; the verdict stands" in run.output


@pytest.mark.parametrize("point", ["teardown", "writing"])
def test_sigterm_and_repeated_signals(pytester: pytest.Pytester, point: str) -> None:
    """SIGTERM (a CI cancel) is SIGINT, and a second and third signal while the run ends do
    not cut its cleanups or its report short."""
    root = _project(pytester)
    run = _interrupted_at(root, point, signals=(signal.SIGTERM, signal.SIGINT, signal.SIGTERM))
    document = assert_agrees(run)
    assert (run.returncode, document["verdict"]) == (2, "NO-GO")
    assert any("SIGTERM" in reason for reason in document["reasons"]), document["reasons"]


@pytest.fixture(scope="module")
def calm_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A project shared by the sweep, and how long the rest of a run takes here and now."""
    root = tmp_path_factory.mktemp("sweep")
    (root / "pytest.ini").write_text("[pytest]\ngonogo_catalogue = catalogue\ntestpaths = checks\n")
    for name, text in (
        ("catalogue/t.toml", CATALOGUE),
        ("environments/t.toml", 'release = "1.0.0"\n'),
        ("checks/test_t.py", CHECKS),
    ):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(text)
    calm = interrupt(  # no signal
        gate_command("--env", "t"),
        cwd=root,
        marks=root / "marks",
        reports=root / "reports" / "t",
        pause=["configured"],
        at="configured",
        signals=(),
    )
    assert (assert_agrees(calm)["verdict"], calm.returncode) == ("GO", 0)
    return root, calm.exit_after_s


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 1.3])
def test_sweep_over_time_offsets(calm_run: tuple[Path, float], fraction: float) -> None:
    """A signal at many moments of a run (configuration, checks, teardowns, the report; SIGTERM
    at every third): at each offset the report and the exit code agree, interrupted is never
    GO, nothing is half-written, the run ends. Which outcome an offset gets depends on the
    machine's speed; the invariant does not (the first offset lands before the report)."""
    root, span = calm_run
    signum = signal.SIGTERM if int(fraction * 20) % 3 == 2 else signal.SIGINT
    run = interrupt(
        gate_command("--env", "t"),
        cwd=root,
        marks=root / "marks" / str(fraction),
        reports=root / "reports" / "t",
        pause=["configured"],
        at="configured",
        offset_s=fraction * span,
        signals=(signum,),
    )
    document = assert_agrees(run)
    if fraction == 0.0:
        assert (document["verdict"], run.returncode) == ("NO-GO", 2)


def test_xdist_controller_signal_reaches_the_checks(pytester: pytest.Pytester) -> None:
    """Under xdist a SIGTERM sent to the controller alone (a CI cancel) stops the checks
    running in the workers too: their cleanups run, the run ends NO-GO (interrupted)."""
    checks = CHECKS.replace(
        '    checkpoint("check-running")\n',
        "    try:\n"
        '        checkpoint("check-running")\n'
        "        time.sleep(600)\n"
        "    finally:\n"
        '        Path("worker-finally").write_text("ran")\n',
    )
    root = make_project(pytester, checks=checks, catalogue=CATALOGUE)
    run = interrupt(
        gate_command("--env", "t", "-n", "2"),
        cwd=root,
        marks=root / "marks",
        reports=root / "reports" / "t",
        pause=["check-running"],
        at="check-running",
        signals=(signal.SIGTERM,),
    )
    document = assert_agrees(run)
    assert (run.returncode, document["verdict"]) == (2, "NO-GO")
    assert (root / "worker-finally").read_text() == "ran"
