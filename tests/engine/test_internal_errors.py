"""An internal error exits 3 whatever its cause, and the report it writes says so."""

from __future__ import annotations

import pytest

from engine.project import evidence, make_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CATALOGUE = """
["t.pass"]
title = "always passes"
severity = "blocker"
markers = ["predeploy"]
"""

CHECKS = """
import pytest
from gonogo.model import Comparison, compare

@pytest.mark.check("t.pass")
@pytest.mark.parametrize("n", range(2))
def test_pass(gate, n):
    gate.judge([compare("x", 1, Comparison.EQ, 1)])
"""


def _run(pytester: pytest.Pytester, hook: str, *args: str) -> tuple[pytest.RunResult, str]:
    conftest = f"def {hook}:\n    raise RuntimeError('boom in a conftest hook')\n"
    make_project(
        pytester, checks=CHECKS, catalogue=CATALOGUE, extra_files={"conftest.py": conftest}
    )
    result = pytester.runpytest_subprocess("--env", "t", "-p", "no:cacheprovider", *args)
    output = result.stdout.str() + result.stderr.str()
    # pytest shows an internal error's traceback as INTERNALERROR> lines; none escapes raw
    raw = [line for line in output.splitlines() if line.startswith("Traceback")]
    assert raw == [], output[-4000:]
    return result, output


@pytest.mark.parametrize(
    ("hook", "args"),
    [
        ("pytest_configure(config)", ()),
        ("pytest_collection_finish(session)", ()),
        ("pytest_runtest_logreport(report)", ()),
        ("pytest_runtest_logreport(report)", ("-n", "2")),
        ("pytest_sessionfinish(session)", ()),
        ("pytest_html_results_summary(prefix, summary, postfix)", ()),
    ],
    ids=["configure", "collection", "logreport", "logreport-xdist", "sessionfinish", "html"],
)
def test_internal_error_exits_3_and_the_report_agrees(
    pytester: pytest.Pytester, hook: str, args: tuple[str, ...]
) -> None:
    """A hook that raises (in the controller, a worker, before the checks, while the report is
    rendered) is an internal error: exit 3, never 1; the report written says NO-GO with
    exit_code 3 and names the error."""
    result, output = _run(pytester, hook, *args)
    assert result.ret == 3, output[-4000:]
    document = evidence(pytester.path)
    assert (document["verdict"], document["exit_code"]) == ("NO-GO", 3)
    assert any(
        r.startswith("internal error") and "boom in a conftest hook" in r
        for r in document["reasons"]
    ), document["reasons"]


def test_error_after_the_report_leaves_the_verdict(pytester: pytest.Pytester) -> None:
    """An error in another plugin's cleanup after the report was written is named in a
    warning; the verdict and its exit code stand (the report is not rewritten behind it)."""
    result, output = _run(pytester, "pytest_unconfigure(config)")
    document = evidence(pytester.path)
    assert (result.ret, document["verdict"], document["exit_code"]) == (0, "GO", 0), output
    assert "the verdict and its exit code stand" in output
