"""A bad ``[e2e]`` table is a configuration error: exit 4, one line naming the file and key."""

from __future__ import annotations

import pytest

from engine.project import make_project

WEB = '[web]\nbase_url = "https://x"\n'
BAD = [
    (
        "step-two-actions",
        '[e2e]\n[[e2e.journeys]]\nname = "j"\nsteps = [{ goto = "/", click = "a" }]\n',
        "e2e.journeys.0.steps.0: a step has exactly one of",
    ),
    (
        "fill-without-value",
        '[e2e]\n[[e2e.journeys]]\nname = "j"\nsteps = [{ fill = "#u" }]\n',
        "`value` goes with `fill`",
    ),
    (
        "status-without-request",
        '[e2e]\n[[e2e.journeys]]\nname = "j"\nsteps = [{ expect_status = 200 }]\n',
        "`request` goes with `expect_status`",
    ),
    (
        "page-twice",
        '[e2e]\n[[e2e.pages]]\nname = "home"\npath = "/"\n[[e2e.pages]]\nname = "home"\npath = "/a"\n',
        "name 'home' is used twice",
    ),
    ("page-bad-name", '[e2e]\n[[e2e.pages]]\nname = "Home Page"\npath = "/"\n', "e2e.pages.0.name"),
    ("page-not-a-path", '[e2e]\n[[e2e.pages]]\nname = "home"\npath = "home"\n', "e2e.pages.0.path"),
    ("runs-zero", "[e2e]\nruns = 0\n", "e2e.runs: Input should be greater than or equal to 1"),
    ("budget-string", '[e2e]\nlcp_ms = "2500"\n', "e2e.lcp_ms"),
    ("unknown-key", "[e2e]\nbrowser = 'firefox'\n", "e2e.browser"),
    ("impact-unknown", '[e2e]\na11y_impact = "severe"\n', "e2e.a11y_impact"),
]


@pytest.mark.parametrize(("text", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_e2e_table(pytester: pytest.Pytester, text: str, fragment: str) -> None:
    """Each malformed [e2e] table exits 4 with one ERROR line naming the file and the key."""
    root = make_project(pytester)
    (root / "environments" / "t.toml").write_text(WEB + text)
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4, result.stderr.str()
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("ERROR: "), errors
    assert "environments/t.toml" in errors[0] and fragment in errors[0], errors[0]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
