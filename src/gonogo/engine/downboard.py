"""The run's unreachable endpoints: one timeout per unreachable host per run, not one per check.

When a probe of an endpoint is refused or times out, or a check of it runs out of its time
limit (pytest-timeout: a target that trickles bytes never trips a read timeout), the endpoint is
written on a :class:`DownBoard` that every process of the run shares (one small file per endpoint
in a run-scoped directory), so that each later check of it fails at once with the first error.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.model import ErrorReason

_KINDS: dict[str, type[ProbeError]] = {
    "ProbeTimeout": ProbeTimeout,
    "ProbeRefused": ProbeRefused,
    "ProbeError": ProbeError,
}


class DownBoard:
    """Endpoints found unreachable in this run, shared by every process through a directory.

    Without a directory (a unit test) the board is per process.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._known: dict[str, ProbeError] = {}

    def _file(self, endpoint: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / (re.sub(r"[^A-Za-z0-9._-]", "_", endpoint) + ".json")

    def mark(self, endpoint: str, err: ProbeError) -> None:
        """Remember the first error that showed ``endpoint`` unreachable."""
        if self.get(endpoint) is not None:
            return
        self._known[endpoint] = err
        path = self._file(endpoint)
        if path is None:
            return
        record = {"kind": type(err).__name__, "reason": err.reason.value, "message": str(err)}
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            tmp.write_text(json.dumps(record), encoding="utf-8")
            os.replace(tmp, path)  # atomic: another worker never reads half a record
        except OSError:
            tmp.unlink(missing_ok=True)  # the board is an optimisation; the check result stands

    def get(self, endpoint: str) -> ProbeError | None:
        """The first error of ``endpoint`` if any process of this run found it unreachable."""
        if endpoint in self._known:
            return self._known[endpoint]
        path = self._file(endpoint)
        if path is None or not path.is_file():
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            kind = _KINDS.get(record["kind"], ProbeError)
            err = kind(str(record["message"]), reason=ErrorReason(record["reason"]))
        except (OSError, ValueError, KeyError):
            return None
        self._known[endpoint] = err
        return err
