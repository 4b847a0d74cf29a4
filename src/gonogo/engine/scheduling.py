"""pytest-xdist for a gate run: the default ``--dist``, the modes allowed, crash-safe schedulers.

Gate runs use ``--dist loadgroup`` unless told otherwise. The plugin sets it, not the ini file's
``addopts``, so that ``pytest -p no:xdist`` still runs. Under ``loadgroup`` the checks of one
component are one work unit, run by one worker (:func:`remember_groups`): the web entry point's
page, certificate, redirect chain and CORS answers, the PostgreSQL and Redis facts and the backup
listing are each gathered once per run, as in a serial run, and a worker imports only the client
libraries of its components. The login flow stays in order: ``ratelimit.login`` (intrusive, so
sorted last) runs after ``cookies.flags`` on the same worker. The restore drill, the longest
check of a run, is a unit of its own (it shares only the backup listing); the checks of one host
(``host.*`` and anything else parametrized by ``host_target``) are a unit per target, so that
the host facts are gathered once per target and two hosts can go to two workers. The slowest
units start first (:func:`slow_first`: the restore drill, then a remote host's checks), so
that the other worker takes the rest meanwhile. A test's own ``xdist_group`` marker still wins.

The controller groups by node id from its own collection: xdist 3.8 tags a grouped test by
appending ``@group`` to its node id on the worker, which pytest 9.2's structured node ids
ignore (pytest-xdist#1386), so ``xdist_group`` alone no longer groups anything.

pytest-xdist's LoadScope family of schedulers (``loadscope``, ``loadfile``, ``loadgroup``; 3.8)
handles a crashed worker badly: it puts the whole work unit back, the check that killed the
worker included, so each replacement worker runs it again and crashes; it re-queues finished
units, which leaves the replacement with nothing to do and the run hangs; and a report from a
removed worker raises ``KeyError: <WorkerController>`` (an INTERNALERROR per report).

:class:`CrashSafe` behaves like the default ``load`` scheduler on a crash: the crashing test is
reported once (the engine turns it into an ``error``) and only the work that had not run is
scheduled again. ``each`` (every check on every worker) and ``worksteal`` are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling, LoadGroupScheduling, LoadScopeScheduling

from gonogo.engine.invocation import config_error

DEFAULT_DIST = "loadgroup"
ALLOWED_DIST = ("no", "load", "loadscope", "loadfile", "loadgroup")


_DIST_GIVEN = pytest.StashKey[bool]()
_GROUPS_KEY = pytest.StashKey[dict[str, str]]()  # gate test node id -> its work unit
_LIMITS_KEY = pytest.StashKey[dict[str, float]]()  # gate test node id -> its time limit
HOST_UNIT = "host:"  # the work unit of a host target's checks: "host:<role>:<url>"

# check id family -> the xdist group of the component whose shared facts it reads
GROUPS = {
    **dict.fromkeys(
        ("headers", "cookies", "cors", "redirect", "exposure", "ratelimit", "smoke", "tls"), "web"
    ),
    "pg": "postgres",
    "redis": "redis",
    "backup": "backup",
    "rollback.backup": "backup",  # a check id: it reads the backup listing too
    "monitoring": "monitoring",  # one read of Prometheus feeds every monitoring.* check
    "load": "load",  # one locust run feeds every load check
    "backup.restore": "restore-drill",  # a check id: it alone is most of a run's wait
}


def note_dist_given(early_config: pytest.Config) -> None:
    """Remember whether ``--dist`` was given (command line, ``PYTEST_ADDOPTS`` or ``addopts``).

    Read from the early parse: by ``pytest_configure`` xdist has turned an absent ``--dist``
    into ``load`` and the two cannot be told apart.
    """
    early = getattr(early_config, "known_args_namespace", None)
    given = getattr(early, "dist", "no") != "no" or bool(getattr(early, "distload", False))
    early_config.stash[_DIST_GIVEN] = given


def default_dist(config: pytest.Config) -> None:
    """``-n N`` without ``--dist`` distributes by ``xdist_group`` instead of xdist's ``load``."""
    if not config.pluginmanager.hasplugin("xdist") or config.stash.get(_DIST_GIVEN, True):
        return
    if getattr(config.option, "numprocesses", None) and config.option.dist == "load":
        config.option.dist = DEFAULT_DIST


def check_dist(config: pytest.Config) -> None:
    """A ``--dist`` mode whose crash and duplicate handling the verdict cannot trust is refused."""
    dist = getattr(config.option, "dist", "no")
    if dist not in ALLOWED_DIST:
        raise config_error(
            f"--dist {dist} is not supported by a gate run (each check must run exactly once, "
            f"also when a worker crashes); use one of {', '.join(ALLOWED_DIST[1:])} "
            f"(default: {DEFAULT_DIST})"
        )


def group_of(item: pytest.Item, check_id: str) -> str | None:
    """The work unit of a gate test under ``loadgroup``: its ``xdist_group`` names (joined as
    xdist joins them), else its component's group, else None (scheduled on its own)."""
    names = sorted(
        {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
    )
    if names:
        return "_".join(names)
    target = getattr(getattr(item, "callspec", None), "params", {}).get("host_target")
    if target is not None:  # one connection per host gathers what its checks read
        return f"{HOST_UNIT}{target.id}"
    return GROUPS.get(check_id, GROUPS.get(check_id.split(".", 1)[0]))


def _time_limit(item: pytest.Item) -> float:
    marker = item.get_closest_marker("timeout")  # set from the catalogue or the environment
    value = (marker.args[0] if marker.args else marker.kwargs.get("timeout")) if marker else None
    return float(value) if value else 0.0


def remember_groups(config: pytest.Config, checks: Mapping[pytest.Item, str]) -> None:
    """Record the work unit and the time limit of each collected gate test for the
    ``loadgroup`` scheduler. Which unit starts first is decided when the run's units are known
    (after ``-m``/``-k`` deselection: the longest limit of all collected checks may belong to
    a stage that is not run)."""
    groups = {item.nodeid: group_of(item, cid) for item, cid in checks.items()}
    config.stash[_GROUPS_KEY] = {nodeid: g for nodeid, g in groups.items() if g is not None}
    config.stash[_LIMITS_KEY] = {item.nodeid: _time_limit(item) for item in checks}


def slow_first(config: pytest.Config, workqueue: Mapping[str, Mapping[str, bool]]) -> list[str]:
    """The run's work units, slowest first as far as can be told before running them: the
    unit holding the check with the longest time limit (the restore drill), then the checks of
    each remote host (every command is a network round trip, so such a unit takes longer than
    its count of checks says), then xdist's order (most checks first). xdist hands each worker
    a unit and then another whenever it has at most two checks left, so the slowest units start
    at once on different workers and the rest queue behind them."""
    limits = config.stash.get(_LIMITS_KEY, {})
    longest = {
        scope: max((limits.get(nodeid, 0.0) for nodeid in unit), default=0.0)
        for scope, unit in workqueue.items()
    }
    first = max(longest, key=longest.__getitem__, default=None)
    if first is not None and longest[first] == 0:
        first = None  # no check has a time limit

    def key(scope: str) -> tuple[bool, bool]:
        remote = scope.startswith(HOST_UNIT) and "local://" not in scope
        return (scope != first, not remote)

    return sorted(workqueue, key=key)  # stable: xdist's order within each rank


def unit_of(config: pytest.Config, nodeid: str) -> str | None:
    """The work unit of a gate test when xdist distributes by ``loadgroup`` (on the controller
    or a worker), else None: the test is scheduled on its own."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        dist = workerinput.get("gonogo", {}).get("dist")
    else:
        dist = getattr(config.option, "dist", "no")
    return config.stash.get(_GROUPS_KEY, {}).get(nodeid) if dist == "loadgroup" else None


class CrashSafe:
    """Crash handling like xdist's ``load`` scheduler, for the LoadScope family (a mixin)."""

    assigned_work: dict[Any, Any]
    workqueue: Any
    registered_collections: dict[Any, Any]

    def remove_node(self, node: Any) -> str | None:
        workload = self.assigned_work.pop(node, None)
        if not workload or not self._pending_of(workload):  # type: ignore[attr-defined]
            return None
        crashitem = next(
            nodeid for unit in workload.values() for nodeid, done in unit.items() if not done
        )
        for unit in workload.values():
            if crashitem in unit:
                unit[crashitem] = True  # reported as crashed, not run again
        unfinished = [(scope, unit) for scope, unit in workload.items() if not all(unit.values())]
        for scope, unit in reversed(unfinished):  # in front of the queue, in their order
            self.workqueue[scope] = unit
            self.workqueue.move_to_end(scope, last=False)
        for other in list(self.assigned_work):
            self._reschedule(other)  # type: ignore[attr-defined]
        return str(crashitem)

    def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
        if node not in self.assigned_work or node not in self.registered_collections:
            return  # a late report from a worker that is gone
        super().mark_test_complete(node, item_index, duration)  # type: ignore[misc]


class CrashSafeLoadScope(CrashSafe, LoadScopeScheduling):
    """``--dist loadscope`` that survives a crashed worker."""


class CrashSafeLoadFile(CrashSafe, LoadFileScheduling):
    """``--dist loadfile`` that survives a crashed worker."""


class CrashSafeLoadGroup(CrashSafe, LoadGroupScheduling):
    """``--dist loadgroup`` that survives a crashed worker and groups by component."""

    config: pytest.Config

    workqueue: Any
    _started = False

    def _split_scope(self, nodeid: str) -> str:
        group = self.config.stash.get(_GROUPS_KEY, {}).get(nodeid)
        return group if group is not None else str(super()._split_scope(nodeid))

    def _assign_work_unit(self, node: Any) -> None:
        # before the first unit is handed out: the slowest units first (slow_first)
        if not self._started:
            for scope in slow_first(self.config, self.workqueue):
                self.workqueue.move_to_end(scope)
        self._started = True
        super()._assign_work_unit(node)


_SCHEDULERS = {
    "loadscope": CrashSafeLoadScope,
    "loadfile": CrashSafeLoadFile,
    "loadgroup": CrashSafeLoadGroup,
}


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    """A crash-safe scheduler for the LoadScope family; None lets xdist choose (``load``)."""
    scheduler = _SCHEDULERS.get(config.getvalue("dist"))
    return scheduler(config, log) if scheduler is not None else None


class XdistBridge:
    """Hands the controller's run context and ``--dist`` mode to xdist workers (a worker parses
    the command line again, where the default ``loadgroup`` is absent)."""

    def __init__(self, workerinput: dict[str, Any], dist: str) -> None:
        self.workerinput = {**workerinput, "dist": dist}

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["gonogo"] = self.workerinput
