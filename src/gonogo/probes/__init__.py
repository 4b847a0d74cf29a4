"""Probes: I/O only; each talks to a target and returns frozen ``*Facts`` or raises a
:class:`~gonogo.errors.ProbeError`.

Submodules load on first use: ``from gonogo.probes import postgres`` binds a stand-in that
imports ``gonogo.probes.postgres`` (and psycopg) when a check first reads from it. Collecting
the gate tests, the xdist controller and a worker that runs no PostgreSQL check never pay for
the client libraries (psycopg, redis, httpx, cryptography); see docs/performance.md. A name
imported from a submodule (``from gonogo.probes.smoke import fetch_json``) and
``import gonogo.probes.x`` load it at once, as usual.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

_pending: dict[str, ModuleType] = {}


class _OnFirstUse(ModuleType):
    """Stands in for a probe module until an attribute of it is read.

    Dunder names and ``_mock_name`` answer "absent" without loading: pytest reads them from
    every module-level name of a test module while collecting it, and no probe defines them.
    """

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") or attr == "_mock_name":
            raise AttributeError(attr)
        return getattr(importlib.import_module(self.__name__), attr)


def __getattr__(name: str) -> ModuleType:
    """``gonogo.probes.<name>``: the module if it is loaded, else its stand-in (PEP 562)."""
    fullname = f"{__name__}.{name}"
    module = sys.modules.get(fullname) or _pending.get(fullname)
    if module is not None:
        return module
    if name.startswith("__") or importlib.util.find_spec(fullname) is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _pending.setdefault(fullname, _OnFirstUse(fullname))
