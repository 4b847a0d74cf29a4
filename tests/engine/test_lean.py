"""What keeps a run lean without changing what it decides: lazy probe modules, component work
units under xdist, and garbage collection after collection. Timings live in bench/."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.project import evidence, make_project

ROOT = Path(__file__).resolve().parents[2]

CLIENT_LIBRARIES = ("psycopg", "redis", "httpx", "cryptography", "sslyze", "jinja2")


def _modules_after(code: str) -> set[str]:
    """The client libraries imported once ``code`` has run in a fresh interpreter."""
    probe = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import sys
        print(",".join(m for m in {CLIENT_LIBRARIES!r} if m in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(filter(None, done.stdout.strip().splitlines()[-1].split(",")))


def test_collecting_the_suite_loads_no_client_library() -> None:
    """Collecting every gate test imports neither psycopg, redis, httpx, cryptography nor sslyze:
    a probe module runs when a check first uses it."""
    loaded = _modules_after(
        """
        import pytest
        assert pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider"]) == 0
        """
    )
    assert loaded <= {"jinja2"}, loaded  # pytest-html's own import


def test_probe_module_runs_on_first_use() -> None:
    """``from gonogo.probes import x`` gives a module whose names work as usual; introspection
    of dunder names does not load it, the first real name does, and both spellings agree."""
    loaded = _modules_after(
        """
        import sys
        from gonogo.probes import redis
        assert not hasattr(redis, "__wrapped__") and "redis" not in sys.modules
        assert "gonogo.probes.redis" not in sys.modules
        facts_type = redis.RedisFacts
        from gonogo.probes.redis import RedisFacts
        assert facts_type is RedisFacts and "redis" in sys.modules
        from gonogo import probes
        assert probes.redis is sys.modules["gonogo.probes.redis"]
        """
    )
    assert "redis" in loaded and "psycopg" not in loaded


def test_unknown_probe_name_is_an_attribute_error() -> None:
    """A name that is not a probe module is an AttributeError, as for any module."""
    from gonogo import probes

    with pytest.raises(AttributeError):
        _ = probes.no_such_probe


GROUPED_CATALOGUE = "".join(
    f'["{cid}"]\ntitle = "{cid}"\nseverity = "major"\nmarkers = ["predeploy"]\n\n'
    for cid in ("pg.a", "pg.b", "pg.c", "redis.a", "redis.b", "redis.c", "t.own")
)

GROUPED_CHECKS = """
import os, pytest
from gonogo.model import info

def _worker(gate):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "serial")
    gate.judge([info("worker", f"ran on {worker}", worker)])

@pytest.mark.check("pg.a")
def test_pg_a(gate):
    _worker(gate)

@pytest.mark.check("redis.a")
def test_redis_a(gate):
    _worker(gate)

@pytest.mark.check("pg.b")
def test_pg_b(gate):
    _worker(gate)

@pytest.mark.check("redis.b")
def test_redis_b(gate):
    _worker(gate)

@pytest.mark.check("pg.c")
def test_pg_c(gate):
    _worker(gate)

@pytest.mark.check("redis.c")
@pytest.mark.xdist_group("own")
def test_redis_c(gate):
    _worker(gate)

@pytest.mark.check("t.own")
@pytest.mark.xdist_group("own")
def test_own(gate):
    _worker(gate)
"""


def test_checks_of_one_component_share_a_worker(pytester: pytest.Pytester) -> None:
    """Under -n 2 (default --dist loadgroup) the checks of one component run on one worker, so
    its shared facts are gathered once; a test's own xdist_group marker wins."""
    root = make_project(pytester, checks=GROUPED_CHECKS, catalogue=GROUPED_CATALOGUE)
    result = pytester.runpytest_subprocess("--env", "t", "-n", "2", "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    worker = {c["id"]: c["evidence"][0]["measured"] for c in evidence(root)["checks"]}
    assert worker["pg.a"] == worker["pg.b"] == worker["pg.c"]
    assert worker["redis.a"] == worker["redis.b"]
    assert worker["redis.c"] == worker["t.own"]
    assert set(worker.values()) == {"gw0", "gw1"}


UNRAISABLE = """
import pytest
from gonogo.model import info

class Cycle:
    def __init__(self):
        self.me = self
    def __del__(self):
        raise RuntimeError("raised in __del__ of a test's garbage")

@pytest.mark.check("t.pass")
def test_garbage(gate):
    Cycle()
    gate.judge([info("made", "a cycle")])
"""


def test_garbage_a_check_leaves_is_still_collected(pytester: pytest.Pytester) -> None:
    """Objects alive after collection are left out of garbage collection; a reference cycle
    a check leaves is still collected at the end and its failing __del__ still reported."""
    make_project(pytester, checks=UNRAISABLE)
    result = pytester.runpytest_subprocess("--env", "t", "-p", "no:cacheprovider")
    output = result.stdout.str() + result.stderr.str()
    assert "PytestUnraisableExceptionWarning" in output
    assert "raised in __del__ of a test's garbage" in output


PREPARED = """
import os, pytest
from pathlib import Path
from gonogo.model import info

@pytest.mark.check("tls.ciphers")
def test_ciphers(gate):
    from gonogo.probes.tls import ciphers
    Path("prepared.pid").write_text(" ".join(str(c.pid) for c in ciphers._prepared))
    if os.environ.get("GONOGO_TEST_INTERRUPT"):
        raise KeyboardInterrupt
    gate.judge([info("scan", "not needed")])
"""
PREPARED_CATALOGUE = (
    '["tls.ciphers"]\ntitle = "ciphers"\nseverity = "major"\nmarkers = ["predeploy"]\n'
)


@pytest.mark.parametrize("interrupted", [False, True], ids=["finished", "interrupted"])
def test_unused_scanner_child_is_stopped_when_the_run_ends(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, interrupted: bool
) -> None:
    """A serial run with tls.ciphers starts its sslyze child after collection; one no scan used
    is stopped when the run ends, also when it is interrupted."""
    env = 'release = "1"\n[web]\nbase_url = "https://127.0.0.1:9"\n'
    root = make_project(pytester, checks=PREPARED, catalogue=PREPARED_CATALOGUE, env=env)
    if interrupted:
        monkeypatch.setenv("GONOGO_TEST_INTERRUPT", "1")
    run = pytester.inline_run("--env", "t", "-p", "no:cacheprovider", no_reraise_ctrlc=True)
    assert run.ret == (2 if interrupted else 0)
    pids = [int(p) for p in (root / "prepared.pid").read_text().split()]
    assert len(pids) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


FIRST_CATALOGUE = GROUPED_CATALOGUE + (
    '["t.slow"]\ntitle = "slow"\nseverity = "major"\nmarkers = ["predeploy"]\ntimeout_s = 900\n'
)
FIRST_CHECKS = """
import itertools, os, pytest
from gonogo.model import info

ORDER = itertools.count(1)

def _order(gate):
    worker, n = os.environ.get("PYTEST_XDIST_WORKER"), next(ORDER)
    gate.judge([info("order", f"test {n} on {worker}", f"{worker}:{n}")])

@pytest.mark.check("pg.a")
def test_pg_a(gate):
    _order(gate)

@pytest.mark.check("redis.a")
def test_redis_a(gate):
    _order(gate)

@pytest.mark.check("pg.b")
def test_pg_b(gate):
    _order(gate)

@pytest.mark.check("t.slow")
def test_slow(gate):
    _order(gate)
"""


def test_check_with_the_longest_time_limit_starts_first(pytester: pytest.Pytester) -> None:
    """Under -n 2 the work unit of the check with the longest time limit (the restore drill's
    in the catalogue) is handed out first: it is the first test its worker runs."""
    root = make_project(pytester, checks=FIRST_CHECKS, catalogue=FIRST_CATALOGUE)
    result = pytester.runpytest_subprocess("--env", "t", "-n", "2", "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    order = {c["id"]: c["evidence"][0]["measured"] for c in evidence(root)["checks"]}
    assert order["t.slow"].endswith(":1"), order


def test_checks_of_one_host_are_one_unit_per_target() -> None:
    """Every check parametrized by ``host_target`` runs with the other checks of that target
    (the host facts are gathered once per target); two targets are two units."""
    from types import SimpleNamespace

    from gonogo.engine.scheduling import group_of
    from gonogo.probes.hostconn import HostTarget

    class Item:  # what group_of reads of a collected pytest item
        def __init__(self, target: HostTarget | None) -> None:
            self.callspec = SimpleNamespace(params={"host_target": target} if target else {})

        def iter_markers(self, name: str) -> Iterator[pytest.Mark]:
            return iter(())

    web1, web2 = (HostTarget("web", f"ssh://deploy@web{i}", None) for i in (1, 2))  # type: ignore[arg-type]
    assert group_of(Item(web1), "host.disk") == "host:web:ssh://deploy@web1"  # type: ignore[arg-type]
    assert group_of(Item(web1), "rollback.command") == "host:web:ssh://deploy@web1"  # type: ignore[arg-type]
    assert group_of(Item(web2), "host.disk") == "host:web:ssh://deploy@web2"  # type: ignore[arg-type]
    assert group_of(Item(None), "pg.version") == "postgres"  # type: ignore[arg-type]


def test_slowest_units_are_handed_out_first() -> None:
    """The unit with the longest time limit among those run starts first, then each remote
    host's unit, then xdist's order; with no time limit at all, remote hosts lead."""
    from types import SimpleNamespace

    from gonogo.engine import scheduling

    config = SimpleNamespace(stash=pytest.Stash())
    config.stash[scheduling._LIMITS_KEY] = {"drill": 15000.0, "integrity": 3600.0}
    queue = {
        "web": {"a": False, "b": False, "c": False},
        "backup": {"integrity": False},
        "host:app:local://": {"d": False},
        "host:app:ssh://root@h": {"e": False},
        "restore-drill": {"drill": False},
    }
    order = scheduling.slow_first(config, queue)  # type: ignore[arg-type]
    assert order == ["restore-drill", "host:app:ssh://root@h", "web", "backup", "host:app:local://"]
    del queue["restore-drill"], queue["backup"]
    config.stash[scheduling._LIMITS_KEY] = {}
    assert scheduling.slow_first(config, queue) == [  # type: ignore[arg-type]
        "host:app:ssh://root@h",
        "web",
        "host:app:local://",
    ]
