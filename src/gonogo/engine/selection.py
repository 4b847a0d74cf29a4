"""What a gate run selected, and which catalogue checks of the selected stages it left out.

``-m`` chooses stages and topics: the catalogue checks whose markers match the expression are
the checks the run is expected to verify (every catalogue check without ``-m``). Anything else
that narrows a run (``-k``, ``--deselect``, explicit paths, ``--lf``, a conftest hook that drops
items) can leave one of them unverified without a trace in the results: a failing blocker that
is not run is not a failure. Each such check is a :class:`~gonogo.verdict.NotRun`, and a blocker
or major among them keeps the verdict from GO (see :func:`gonogo.verdict.decide`).

A check that requires a section the environment does not declare (catalogue ``requires``) is
not applicable whether it was selected or not: left out, it is listed apart
(:meth:`Selection.not_applicable`), never as a check that did not run.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gonogo.catalogue import Catalogue, Entry
from gonogo.engine.collection import check_id, severity_of
from gonogo.gate import not_declared
from gonogo.schema import CheckOverride
from gonogo.verdict import NotRun
from gonogo.wire import SelectionJson

# config.stash: gate test node id -> check id, as collected before any selection
COLLECTED_KEY = pytest.StashKey[dict[str, str]]()

DESELECTED = "deselected by -k, --deselect, --lf or a conftest hook"
NOT_REACHED = "not reached: the run stopped before it"
NOT_COLLECTED_PATHS = "not collected: the paths given leave out its test"
NOT_COLLECTED = "not collected: no collected gate test declares it"


@dataclass(frozen=True, slots=True)
class Selection:
    """How the gate tests of one run were chosen.

    Attributes:
        markexpr: the ``-m`` expression, if any. keyword: the ``-k`` expression, if any.
        deselect: ``--deselect`` arguments. paths: path arguments given on the command line
        (empty when the suite's ``testpaths`` were collected).
        collected: gate test node id -> check id, before any selection.
        selected: the same for the tests left to run after every selection.
    """

    markexpr: str | None
    keyword: str | None
    deselect: tuple[str, ...]
    paths: tuple[str, ...]
    collected: Mapping[str, str]
    selected: Mapping[str, str]

    def expected(self, catalogue: Catalogue) -> list[str]:
        """The catalogue checks ``-m`` selects (all of them without ``-m``)."""
        if not self.markexpr:
            return list(catalogue)
        try:
            from _pytest.mark.expression import Expression

            expression = Expression.compile(self.markexpr)
        except (ImportError, SyntaxError, ValueError):
            return list(catalogue)  # pytest has rejected a bad -m already; expect everything
        return [
            cid
            for cid, entry in catalogue.items()
            if expression.evaluate(_matcher({*entry.markers, "check", *_intrusive(entry)}))
        ]

    def not_run(
        self,
        catalogue: Catalogue,
        overrides: Mapping[str, CheckOverride],
        ran: Collection[str],
        declared: Collection[str],
    ) -> tuple[NotRun, ...]:
        """Expected checks without a result, or with some of their gate tests deselected.

        ``declared``: the optional sections the environment has; a check that requires another
        one is not applicable, not missing (see :meth:`not_applicable`).
        """
        collected = Counter(self.collected.values())
        selected = Counter(self.selected.values())
        out = []
        for cid in self.expected(catalogue):
            if cid in ran and selected[cid] >= collected[cid]:
                continue
            entry = catalogue[cid]
            if _missing(entry, declared):
                continue
            if cid in ran:
                left_out = collected[cid] - selected[cid]
                why = f"partly deselected: {left_out} of {collected[cid]} gate tests"
            elif selected[cid]:
                why = NOT_REACHED
            elif collected[cid]:
                why = DESELECTED
            else:
                why = NOT_COLLECTED_PATHS if self.paths else NOT_COLLECTED
            severity = severity_of(entry, overrides.get(cid))
            out.append(NotRun(cid, entry.spec.title, severity, why))
        return tuple(out)

    def not_applicable(
        self,
        catalogue: Catalogue,
        overrides: Mapping[str, CheckOverride],
        ran: Collection[str],
        declared: Collection[str],
        env_name: str,
    ) -> tuple[NotRun, ...]:
        """Expected checks without a result that require a section the environment lacks."""
        out = []
        for cid in self.expected(catalogue):
            entry = catalogue[cid]
            missing = _missing(entry, declared)
            if cid not in ran and missing:
                severity = severity_of(entry, overrides.get(cid))
                why = not_declared(env_name, missing)
                out.append(NotRun(cid, entry.spec.title, severity, why))
        return tuple(out)

    def to_json(
        self,
        catalogue: Catalogue,
        not_run: tuple[NotRun, ...],
        not_applicable: tuple[NotRun, ...] = (),
    ) -> SelectionJson:
        return {
            "markexpr": self.markexpr,
            "keyword": self.keyword,
            "deselect": list(self.deselect),
            "paths": list(self.paths),
            "expected": len(self.expected(catalogue)),
            "gate_tests_collected": len(self.collected),
            "gate_tests_deselected": len(set(self.collected) - set(self.selected)),
            "complete": not not_run,
            "not_run": [_json(n) for n in not_run],
            "not_applicable": [_json(n) for n in not_applicable],
        }


def _json(item: NotRun) -> dict[str, str]:
    return {"id": item.id, "title": item.title, "severity": item.severity.value, "why": item.why}


def _missing(entry: Entry, declared: Collection[str]) -> list[str]:
    """The sections ``entry`` requires that the environment does not declare."""
    return [name for name in entry.spec.requires if name not in declared]


def _intrusive(entry: Entry) -> list[str]:
    return ["intrusive"] if entry.spec.intrusive else []


def _matcher(names: set[str]) -> Callable[..., bool]:
    """An ``-m`` matcher over a catalogue entry's markers (never one with arguments)."""

    def matches(name: str, /, **kwargs: Any) -> bool:
        return not kwargs and name in names

    return matches


def remember_collected(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Note every gate test before ``-m``, ``-k``, ``--deselect`` or another hook removes any."""
    config.stash[COLLECTED_KEY] = {
        item.nodeid: cid for item in items if (cid := check_id(item)) is not None
    }


def of_session(config: pytest.Config, items: list[pytest.Item] | None) -> Selection:
    """The selection of this run, from its options and the items left after collection.

    ``items`` is None when the collection did not finish (interrupted): what was collected
    counts as selected, so nothing is called deselected that was merely not reached.
    """
    option = config.option
    paths: tuple[str, ...] = ()
    if config.args_source is pytest.Config.ArgsSource.ARGS:
        paths = tuple(
            _shown(arg, config.rootpath, config.invocation_params.dir) for arg in config.args
        )
    collected: dict[str, str] = config.stash.get(COLLECTED_KEY, {})
    return Selection(
        markexpr=(getattr(option, "markexpr", "") or "").strip() or None,
        keyword=(getattr(option, "keyword", "") or "").strip() or None,
        deselect=tuple(getattr(option, "deselect", None) or ()),
        paths=paths,
        collected=collected,
        selected=collected
        if items is None
        else {item.nodeid: cid for item in items if (cid := check_id(item)) is not None},
    )


def _shown(arg: str, root: Path, invoked: Path) -> str:
    """A path argument relative to the suite root when it is inside it (``::`` parts kept)."""
    path, sep, rest = arg.partition("::")
    full = (invoked / path).resolve()
    try:
        shown = full.relative_to(root).as_posix() or "."
    except ValueError:
        shown = os.path.normpath(path)
    return f"{shown}{sep}{rest}"
