"""`gonogo demo faults`: a readable table of every fault, the checks it flips, their severity
and the verdict derived from the catalogues (no demo stack needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo import catalogue
from gonogo.demo import cli
from gonogo.demo.faults import FAULTS, Fault, expected_verdict, severities
from gonogo.model import Severity

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = catalogue.load(ROOT / "catalogue")
LONG = Fault(
    "a-fault-with-a-really-quite-long-name-indeed",
    "nginx",
    "a description long enough to need wrapping in every terminal narrower than it is, which "
    "is most of them",
    ("headers.hsts", "exposure.sensitive-paths", "headers.content-type-options"),
)


def _rows(out: str) -> dict[str, str]:
    """The first line of each fault's row, by fault name."""
    return {
        line.split()[0]: line for line in out.splitlines() if line and line.split()[0] in FAULTS
    }


def test_cli_prints_every_fault_with_severity_and_verdict(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One row per fault: what it breaks, the checks it flips with the severity each counts with
    (* where the fault's findings set it), and the verdict a demo run with it alone reaches."""
    monkeypatch.setenv("COLUMNS", "150")
    assert cli.main(["demo", "faults"]) == 0
    out = capsys.readouterr().out
    rows = _rows(out)
    assert set(rows) == set(FAULTS)
    assert out.splitlines()[0].split() == ["fault", "what", "it", "breaks", "checks", "it", "flips",
                                           "severity", "verdict"]  # fmt: skip
    assert rows["hsts-missing"].split()[-3:] == ["headers.hsts", "blocker", "NO-GO"]
    assert rows["cert-expiring"].split()[-3:] == ["tls.cert-expiry", "major*", "CONDITIONAL"]
    assert rows["debug-errors"].split()[-3:] == ["exposure.debug", "blocker*", "NO-GO"]
    assert rows["referrer-unsafe"].split()[-3:] == ["headers.referrer-policy", "minor", "GO"]
    assert all(len(line) <= 150 for line in out.splitlines())


@pytest.mark.parametrize("width", [200, 160])
def test_columns_stay_aligned_for_long_names(width: int) -> None:
    """Columns are as wide as their longest value: a long fault name pushes the whole column,
    every row's checks start at the same place, the description wraps, and no line is wider
    than the terminal."""
    faults = [FAULTS["hsts-missing"], LONG, FAULTS["cert-expiring"]]
    out = cli.fault_table(faults, CATALOGUE, width)
    lines = out.split("\n\n")[0].splitlines()  # the table, not the legend under it
    starts = {line.index(check) for line in lines for check in ("headers.hsts", "tls.cert-expiry",
                                                               "exposure.sensitive-paths")
              if check in line and not line.startswith("checks")}  # fmt: skip
    assert len(starts) == 1, out
    assert all(len(line) <= width for line in out.splitlines()), out
    verdicts = {
        line.split()[0]: line.split()[-1] for line in lines if line.split()[:1] == [LONG.name]
    }
    assert verdicts == {LONG.name: "NO-GO"}
    first = next(n for n, line in enumerate(lines) if line.startswith(LONG.name))
    if width < 200:  # the description wraps onto the continuation lines of its row
        assert "most of them" not in lines[first] and "most of them" in lines[first + 1]


@pytest.mark.parametrize("width", [100, 60, 40])
def test_narrow_terminal_gets_one_block_per_fault(width: int) -> None:
    """Too narrow for the columns: one block per fault (name, component, verdict; the
    description; each check with its severity), still within the terminal's width."""
    faults = sorted(FAULTS.values(), key=lambda f: f.name)
    out = cli.fault_table(faults, CATALOGUE, width)
    assert all(len(line) <= width for line in out.splitlines()), out
    assert "cert-expiring (nginx): CONDITIONAL" in out
    assert "  - tls.cert-expiry: major*" in out


@pytest.mark.parametrize(
    ("name", "checks", "verdict"),
    [
        pytest.param("hsts-missing", {"headers.hsts": Severity.BLOCKER}, "NO-GO", id="blocker"),
        pytest.param("weak-ciphers", {"tls.ciphers": Severity.MAJOR}, "CONDITIONAL", id="major"),
        pytest.param("cert-expiring", {"tls.cert-expiry": Severity.MAJOR}, "CONDITIONAL", id="lowered-by-finding"),
        pytest.param("aof-off", {"redis.persistence": Severity.BLOCKER}, "NO-GO", id="raised-by-finding"),
        pytest.param("referrer-unsafe", {"headers.referrer-policy": Severity.MINOR}, "GO", id="minor"),
        pytest.param("backup-undecryptable", {"backup.encryption": Severity.MAJOR, "backup.integrity": Severity.BLOCKER,
                     "backup.restore": Severity.MAJOR}, "NO-GO", id="worst-of-several"),
    ],
)  # fmt: skip
def test_expected_verdict_comes_from_the_catalogues(
    name: str, checks: dict[str, Severity], verdict: str
) -> None:
    """Each flipped check counts with the fault's severity or the check catalogue's; the
    verdict is the engine's decision on a run where only they did not pass (the fault tests
    prove it against real runs)."""
    assert severities(FAULTS[name], CATALOGUE) == checks
    assert expected_verdict(FAULTS[name], CATALOGUE) == verdict
