"""Local preparations started ahead of the checks that need them.

``tls.ciphers`` runs sslyze in a child process that spends about half a second importing sslyze
before it scans. The engine starts that child as soon as it knows the check will run in this
process, so that the import overlaps the checks before it: in a serial run once the tests are
collected and selected; on an xdist worker when it starts the work unit that holds the check (a
unit runs whole on one worker, see :mod:`gonogo.engine.scheduling`). A preparation contacts no target;
one that was not used is stopped when the run ends, also when it is interrupted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from gonogo.config import Environment
from gonogo.engine import scheduling
from gonogo.engine.context import CONTEXT_KEY, SPEC_KEY

_UNITS_KEY = pytest.StashKey[set[str]]()  # work units already prepared in this process
_STOPS_KEY = pytest.StashKey[list[Callable[[], None]]]()  # what to stop at the end


def _cipher_scan(env: Environment) -> Callable[[], None] | None:
    if env.config.web is None:
        return None  # not applicable: nothing will scan
    from gonogo.probes.tls import ciphers

    ciphers.prepare_scan()
    return ciphers.discard_prepared


# check id -> start its preparation for this environment; returns how to stop it, if started
PREPARATIONS: dict[str, Callable[[Environment], Callable[[], None] | None]] = {
    "tls.ciphers": _cipher_scan,
    "tls.vulnerabilities": _cipher_scan,  # the same scan (one per run, whichever comes first)
}


def stop_at_exit(config: pytest.Config) -> None:
    """Stop every preparation left unused when the run ends (interrupted or not)."""
    stops = config.stash.setdefault(_STOPS_KEY, [])

    def stop() -> None:
        while stops:
            stops.pop()()

    config.add_cleanup(stop)


def after_collection(session: pytest.Session) -> None:
    """A serial run: prepare for every selected check (this process runs them all)."""
    config = session.config
    serial = not hasattr(config, "workerinput") and not config.pluginmanager.has_plugin("dsession")
    if serial:
        _prepare(config, session.items)


def before_test(item: pytest.Item) -> None:
    """An xdist worker: prepare for the checks of the work unit ``item`` starts."""
    config = item.config
    if not hasattr(config, "workerinput"):
        return
    unit = scheduling.unit_of(config, item.nodeid)
    prepared = config.stash.setdefault(_UNITS_KEY, set())
    if unit is None or unit in prepared:
        return
    prepared.add(unit)
    _prepare(
        config, (i for i in item.session.items if scheduling.unit_of(config, i.nodeid) == unit)
    )


def _prepare(config: pytest.Config, items: Iterable[pytest.Item]) -> None:
    ctx = config.stash.get(CONTEXT_KEY, None)
    if ctx is None:
        return
    ids = {item.stash[SPEC_KEY].id for item in items if SPEC_KEY in item.stash}
    for check_id in sorted(ids & PREPARATIONS.keys()):
        stop = PREPARATIONS[check_id](ctx.env)
        if stop is not None:
            config.stash.setdefault(_STOPS_KEY, []).append(stop)
