"""Applicability: a check whose component the environment does not declare is not applicable,
selected or not, intrusive or not; the catalogue's ``requires`` says which section it needs."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from engine.project import evidence, latest, make_project
from gonogo import catalogue
from gonogo.schema import COMPONENTS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]

CATALOGUE = """
["w.page"]
title = "the page answers"
severity = "blocker"
requires = ["web"]
markers = ["predeploy"]

["p.connect"]
title = "database answers"
severity = "blocker"
requires = ["postgres"]
markers = ["predeploy"]

["p.replication"]
title = "standby streams"
severity = "major"
requires = ["postgres"]
markers = ["predeploy"]

["r.ping"]
title = "cache answers"
severity = "blocker"
requires = ["redis"]
markers = ["predeploy"]

["b.restore"]
title = "restore drill"
severity = "blocker"
requires = ["backup", "postgres"]
intrusive = true
markers = ["predeploy"]

["rl.login"]
title = "login rate limit"
severity = "major"
requires = ["web", "ratelimit"]
intrusive = true
markers = ["predeploy"]
"""

WEB = """
import pytest
from gonogo.model import info

@pytest.mark.check("w.page")
def test_page(gate):
    gate.judge([info("url", "page at " + gate.require("web").base_url, 1)])
"""

DATA = """
import pytest
from gonogo.model import info

def _ok(gate, *sections):
    for section in sections:
        gate.require(section)
    gate.judge([info("x", "reachable", 1)])

@pytest.mark.check("p.connect")
def test_connect(gate):
    _ok(gate, "postgres")

@pytest.mark.check("p.replication")
def test_replication(gate):
    _ok(gate, "postgres")

@pytest.mark.check("r.ping")
def test_ping(gate):
    _ok(gate, "redis")

@pytest.mark.check("b.restore")
@pytest.mark.intrusive
def test_restore(gate):
    _ok(gate, "backup", "postgres")

@pytest.mark.check("rl.login")
@pytest.mark.intrusive
def test_login(gate):
    _ok(gate, "web", "ratelimit")
"""

WEB_ONLY = 'release = "1"\n[web]\nbase_url = "https://localhost:1"\n'


def _project(pytester: pytest.Pytester, env: str = WEB_ONLY) -> Path:
    return make_project(
        pytester,
        checks=WEB,
        catalogue=CATALOGUE,
        env=env,
        extra_files={"checks/test_data.py": DATA},
    )


@pytest.mark.parametrize("args", [["checks/test_t.py"], ["-k", "page"]], ids=["paths", "keyword"])
def test_left_out_checks_of_undeclared_components_are_not_applicable(
    pytester: pytest.Pytester, args: list[str]
) -> None:
    """A run narrowed by paths or -k on an environment without [postgres], [redis], [backup]
    and [ratelimit] does not list those checks as blockers not run: they are not applicable
    (named apart in evidence.json and summary.md), and the run is GO."""
    root = _project(pytester)
    result = pytester.runpytest("--env", "t", *args)
    assert result.ret == 0
    doc = evidence(root)
    assert doc["verdict"] == "GO", doc["reasons"]
    assert doc["reasons"] == ["all 1 applicable checks passed"]
    chosen = doc["selection"]
    assert chosen["not_run"] == [] and chosen["complete"] is True
    assert {n["id"]: n["why"] for n in chosen["not_applicable"]} == {
        "b.restore": "environment t declares no [backup], [postgres]",
        "p.connect": "environment t declares no [postgres]",
        "p.replication": "environment t declares no [postgres]",
        "r.ping": "environment t declares no [redis]",
        "rl.login": "environment t declares no [ratelimit]",
    }
    result.stdout.fnmatch_lines(["GO (t): 1 passed -> *report.html"])
    summary = (latest(root) / "summary.md").read_text()
    assert "- Every one of the 1 applicable catalogue checks selected ran" in summary
    assert "  - environment t declares no [postgres]: `p.connect`, `p.replication`" in summary


def test_declared_component_left_out_is_still_not_run(pytester: pytest.Pytester) -> None:
    """Applicability does not hide a narrowed run: with [postgres] declared, its checks left
    out by -k are blockers and majors not run (CONDITIONAL)."""
    root = _project(pytester, env=WEB_ONLY + '[postgres]\ndsn = "postgresql://u@localhost/db"\n')
    result = pytester.runpytest("--env", "t", "-k", "page")
    doc = evidence(root)
    assert doc["verdict"] == "CONDITIONAL"
    assert [n["id"] for n in doc["selection"]["not_run"]] == ["p.connect", "p.replication"]
    result.stdout.fnmatch_lines(
        ["CONDITIONAL (t): not run: p.connect (blocker), p.replication (major) -> *"]
    )


def test_sensitive_environment_without_the_component_is_not_applicable_not_refused(
    pytester: pytest.Pytester,
) -> None:
    """On a sensitive environment an intrusive check whose [backup] or [ratelimit] is not
    declared is not applicable, not "refused ... pass --allow-intrusive"; one whose sections
    are declared is still refused."""
    root = _project(pytester, env="sensitive = true\n" + WEB_ONLY)
    result = pytester.runpytest("--env", "t")
    assert result.ret == 0
    doc = evidence(root)
    checks = {c["id"]: c for c in doc["checks"]}
    assert checks["b.restore"]["outcome"] == "not-applicable"
    assert checks["b.restore"]["message"] == "environment t declares no [backup], [postgres]"
    assert checks["rl.login"]["outcome"] == "not-applicable"
    assert doc["verdict"] == "GO", doc["reasons"]
    assert "--allow-intrusive" not in result.stdout.str()
    (root / "environments" / "t.toml").write_text("sensitive = true\n" + WEB_ONLY + "[ratelimit]\n")
    result = pytester.runpytest("--env", "t")
    refused = {c["id"]: c for c in evidence(root)["checks"]}["rl.login"]
    assert refused["outcome"] == "refused" and "--allow-intrusive" in refused["message"]


def test_real_suite_on_a_sensitive_environment_without_data_components(tmp_path: Path) -> None:
    """The shipped suite, given file paths on a sensitive environment declaring only [web]: the
    restore drill and the rate-limit probe are not applicable (not refused), and no pg.*,
    redis.* or backup.* check is listed as not run."""
    env_file = tmp_path / "webonly.toml"
    env_file.write_text(
        'sensitive = true\nrelease = "1"\n[web]\nbase_url = "https://localhost:1"\n'
    )
    reports = tmp_path / "reports"
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    environ.pop("GONOGO_DEMO_STATE", None)
    proc = subprocess.run(
        [
            sys.executable, "-m", "pytest", "--env-file", str(env_file), "--gonogo-reports",
            str(reports), "-q", "-p", "no:cacheprovider", "--noconftest",
            "checks/test_backup.py", "checks/test_ratelimit.py",
        ],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    doc = json.loads((reports / "webonly" / "latest" / "evidence.json").read_text())
    outcomes = {c["id"]: c["outcome"] for c in doc["checks"]}
    assert outcomes["backup.restore"] == "not-applicable", output[-3000:]
    assert outcomes["ratelimit.login"] == "not-applicable"
    assert set(outcomes.values()) == {"not-applicable"}
    not_run = {n["id"] for n in doc["selection"]["not_run"]}
    assert not_run and not {i for i in not_run if i.startswith(("pg.", "redis.", "backup."))}
    not_applicable = {n["id"] for n in doc["selection"]["not_applicable"]}
    assert {"pg.connect", "redis.ping"} <= not_applicable
    assert "--allow-intrusive" not in output
    assert not any("was refused" in reason for reason in doc["reasons"])


# --- the suite's catalogue says which sections its gate tests read -------------------------


def _functions(module: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in module.body if isinstance(node, ast.FunctionDef)}


def _helpers(module: ast.Module) -> dict[str, ModuleType]:
    """The recipe modules a module imports (``from gonogo.recipes import web``): name -> module."""
    found: dict[str, ModuleType] = {}
    for node in module.body:
        if isinstance(node, ast.ImportFrom) and node.module == "gonogo.recipes":
            for alias in node.names:
                module_name = f"gonogo.recipes.{alias.name}"
                found[alias.asname or alias.name] = importlib.import_module(module_name)
    return found


def _reads(
    node: ast.AST,
    local: dict[str, ast.FunctionDef],
    helpers: dict[str, ModuleType],
    seen: set[str] | None = None,
) -> set[str]:
    """The component sections ``gate.require`` is called with in ``node``, following calls of
    the module's own helper functions and of the recipes it imports (:mod:`gonogo.recipes`)."""
    seen = set() if seen is None else seen
    found: set[str] = set()
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "require" and call.args:
            arg = call.args[0]
            if isinstance(arg, ast.Constant) and arg.value in COMPONENTS:
                found.add(str(arg.value))
        elif isinstance(func, ast.Name) and func.id in local and func.id not in seen:
            seen.add(func.id)
            found |= _reads(local[func.id], local, helpers, seen)
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in helpers
        ):
            module = helpers[func.value.id]
            key = f"{module.__name__}.{func.attr}"
            helper = ast.parse(inspect.getsource(module))
            # a local named like the module (web = gate.require("web"); web.url(...)) is not it
            if key not in seen and func.attr in _functions(helper):
                seen.add(key)
                functions = _functions(helper)
                found |= _reads(functions[func.attr], functions, _helpers(helper), seen)
    return found


def _check_id(function: ast.FunctionDef) -> str | None:
    for decorator in function.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "check"
            and decorator.args
            and isinstance(decorator.args[0], ast.Constant)
        ):
            return str(decorator.args[0].value)
    return None


def test_catalogue_requires_what_each_gate_test_reads() -> None:
    """Each check's catalogue ``requires`` is exactly the component sections its gate test reads
    with gate.require: one missing would list the check as "not run" where it is not
    applicable; one too many would make it not applicable where it could run (fail open)."""
    known = catalogue.load(ROOT / "catalogue")
    checked = set()
    for folder in ("checks", "smoke", "load", "e2e", "infra"):
        for path in sorted((ROOT / folder).glob("test_*.py")):
            module = ast.parse(path.read_text())
            local, helpers = _functions(module), _helpers(module)
            for function in local.values():
                cid = _check_id(function)
                if cid is None:
                    continue
                # sections; an opt-in key ("web.health_path") needs its section read too
                declared = {r.partition(".")[0] for r in known[cid].spec.requires}
                assert _reads(function, local, helpers) == declared, f"{cid} ({path.name})"
                checked.add(cid)
    assert checked == set(known)


def test_requires_names_an_optional_section(tmp_path: Path) -> None:
    """``requires`` naming a section that is not an optional component is a catalogue error."""
    (tmp_path / "c.toml").write_text(
        '["a.b"]\ntitle = "x y z"\nseverity = "major"\nrequires = ["tls"]\n'
    )
    with pytest.raises(Exception, match=r"a\.b\.requires.*'tls' is not an optional"):
        catalogue.load(tmp_path)


HEALTH_CATALOGUE = (
    CATALOGUE
    + """
["w.health"]
title = "the health endpoint answers"
severity = "blocker"
requires = ["web", "web.health_path"]
markers = ["predeploy"]
"""
)

HEALTH = (
    WEB
    + """

@pytest.mark.check("w.health")
def test_health(gate):
    web = gate.require("web")
    gate.judge([info("url", "health at " + web.base_url + web.health_path, 1)])
"""
)


@pytest.mark.parametrize(
    ("env", "args", "outcome", "not_run"),
    [
        pytest.param(WEB_ONLY, [], "not-applicable", [], id="undeclared-selected"),
        pytest.param(WEB_ONLY, ["-k", "page"], None, [], id="undeclared-left-out"),
        pytest.param(WEB_ONLY + 'health_path = "/health"\n', ["-k", "page"], None, ["w.health"],
                     id="declared-left-out"),
    ],
)  # fmt: skip
def test_an_undeclared_opt_in_key_makes_its_check_not_applicable(
    pytester: pytest.Pytester, env: str, args: list[str], outcome: str | None, not_run: list[str]
) -> None:
    """``requires = ["web", "web.health_path"]``: without the key the check is not applicable,
    selected or not ("declares no [web] health_path"), never a blocker not run; with it, a
    run that leaves the check out lists it as not run."""
    root = make_project(pytester, checks=HEALTH, catalogue=HEALTH_CATALOGUE, env=env)
    pytester.runpytest("--env", "t", *args)
    doc = evidence(root)
    outcomes = {c["id"]: c["outcome"] for c in doc["checks"]}
    assert outcomes.get("w.health") == outcome, outcomes
    assert [n["id"] for n in doc["selection"]["not_run"]] == not_run
    why = {n["id"]: n["why"] for n in doc["selection"]["not_applicable"]}
    if not not_run and outcome is None:
        assert why["w.health"] == "environment t declares no [web] health_path"
    if outcome == "not-applicable":
        health = next(c for c in doc["checks"] if c["id"] == "w.health")
        assert "declares no [web] health_path" in health["message"]
    assert doc["verdict"] == ("CONDITIONAL" if not_run else "GO"), doc["reasons"]


def test_requires_names_an_existing_key_shape(tmp_path: Path) -> None:
    """``requires`` may name an opt-in key of an optional section (``web.health_path``), but
    not a key of another section."""
    (tmp_path / "c.toml").write_text(
        '["a.b"]\ntitle = "x y z"\nseverity = "major"\nrequires = ["tls.health_path"]\n'
    )
    with pytest.raises(Exception, match=r"'tls.health_path' is not an optional"):
        catalogue.load(tmp_path)
