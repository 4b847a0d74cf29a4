"""``@pytest.mark.each("section.key")``: one instance of a gate test per declared entry, its
name in the test id, all sharing the check id; none declared: one not-applicable instance."""

from __future__ import annotations

import pytest

from engine.project import evidence, make_project

CATALOGUE = """
["s.endpoint"]
title = "each declared endpoint"
severity = "blocker"
requires = ["smoke", "smoke.endpoints"]
markers = ["smoke"]
"""

CHECKS = """
import pytest
from gonogo.model import Comparison, compare

@pytest.mark.check("s.endpoint")
@pytest.mark.each("smoke.endpoints")
def test_endpoint(gate, entry):
    gate.require("smoke")
    gate.judge([compare("status", entry.status, Comparison.EQ, 200)])
"""

ENDPOINTS = """
[[smoke.endpoints]]
name = "products"
path = "/api/products"

[[smoke.endpoints]]
name = "orders"
path = "/api/orders"
status = 404
"""


def test_each_entry_is_its_own_instance_named_in_the_test_id(pytester: pytest.Pytester) -> None:
    """Two declared endpoints run as two instances of one check; CI names the one that failed."""
    root = make_project(pytester, checks=CHECKS, catalogue=CATALOGUE, env=ENDPOINTS)
    result = pytester.runpytest("--env", "t", "-rA")
    result.stdout.fnmatch_lines(["*FAILED checks/test_t.py::test_endpoint[[]orders[]]*"])
    checks = evidence(root)["checks"]
    assert sorted((c["id"], c["nodeid"].split("::")[-1], c["outcome"]) for c in checks) == [
        ("s.endpoint", "test_endpoint[orders]", "failed"),
        ("s.endpoint", "test_endpoint[products]", "passed"),
    ]
    assert evidence(root)["verdict"] == "NO-GO"


def test_nothing_declared_is_one_not_applicable_instance(pytester: pytest.Pytester) -> None:
    """Without entries the test has one instance, not applicable before it runs: never a pass,
    never a blocker not run."""
    root = make_project(pytester, checks=CHECKS, catalogue=CATALOGUE)
    pytester.runpytest("--env", "t")
    (check,) = evidence(root)["checks"]
    assert (check["nodeid"].split("::")[-1], check["outcome"]) == (
        "test_endpoint[none-declared]",
        "not-applicable",
    )
    assert "declares no [smoke] endpoints" in check["message"]


def test_each_without_an_entry_argument_cannot_be_collected(pytester: pytest.Pytester) -> None:
    """A test marked ``each`` that takes no ``entry`` argument is a collection error naming the
    fix: the run is NO-GO, never a silent pass."""
    bad = CHECKS.replace("def test_endpoint(gate, entry):", "def test_endpoint(gate):")
    root = make_project(pytester, checks=bad, catalogue=CATALOGUE, env=ENDPOINTS)
    result = pytester.runpytest("--env", "t")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*needs one argument and a test argument named entry*"])
    assert evidence(root)["verdict"] == "NO-GO"
