"""``reports/<env>/history.jsonl``: each committed run's key figures, one JSON line per run.

A line is appended once the run's report is committed (its directory renamed, ``latest``
moved), so the history lists exactly the runs that have a report: an interrupted run is
recorded, as the NO-GO its report states (``interrupted: true``), and a run that wrote no report
(a configuration error, writing failed) is not. The line is built from the evidence document
(plain data), redacted, and written with one ``write`` on a file opened ``O_APPEND``, then
fsynced: runs appending at once never interleave, and a line cut short by a crash is skipped
when the history is read. Failing to append (a full disk) is a warning: the verdict stands.

Schema (``gonogo.history/1``)::

    {"schema": "gonogo.history/1", "run_id": ..., "started_at": ..., "release": ...,
     "verdict": "GO", "exit_code": 0, "interrupted": false,
     "counts": {"passed": 40, ...}, "not_passed": ["headers.hsts", ...],
     "figures": {"cert_days_left": 89, "p95_ms": 212.0, "restore_s": 3.3, "grade": "A+",
                 "plan_coverage": 0.24},   # each may be null
     "plan": "alaska-pay" | null}
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.redact import Redactor

SCHEMA = "gonogo.history/1"
NAME = "history.jsonl"
READ_LIMIT = 512 * 1024  # bytes read from the end of the file: the recent runs
SHOWN = 12  # runs in the report's trend, the current one included
UNVERIFIED = ("failed", "error", "skipped", "refused")


@dataclass(frozen=True, slots=True)
class Figure:
    """A headline number followed from run to run.

    Attributes:
        key: its key in a history line's ``figures``. label: its column in the report.
        check: the check whose finding holds it. finding: the finding's name.
        better: ``"higher"`` or ``"lower"``: which way is an improvement (None: not a number).
    """

    key: str
    label: str
    check: str
    finding: str
    better: str | None


FIGURES = (
    Figure("cert_days_left", "cert days left", "tls.cert-expiry", "days_left", "higher"),
    Figure("p95_ms", "p95 ms", "load.latency", "p95_ms", "lower"),
    Figure("restore_s", "restore s", "backup.restore", "seconds", "lower"),
    Figure("grade", "grade", "headers.grade", "grade", None),
)


def _figure(checks: Sequence[dict[str, Any]], figure: Figure) -> Any:
    for check in checks:
        if check["id"] == figure.check:
            for finding in check["evidence"]:
                if finding["name"] == figure.finding:
                    value = finding["measured"]
                    return value if isinstance(value, int | float | str) else None
    return None


def entry(document: dict[str, Any]) -> dict[str, Any]:
    """The history line of a run, from its evidence document."""
    checks = document["checks"]
    figures = {f.key: _figure(checks, f) for f in FIGURES}
    plan = document.get("plan")
    figures["plan_coverage"] = plan["overall"]["ratio"] if plan else None
    return {
        "schema": SCHEMA,
        "run_id": document["run_id"],
        "started_at": document["started_at"],
        "release": document["release"],
        "verdict": document["verdict"],
        "exit_code": document["exit_code"],
        "interrupted": document["exit_code"] == 2,
        "counts": dict(Counter(c["outcome"] for c in checks)),
        "not_passed": sorted({c["id"] for c in checks if c["outcome"] in UNVERIFIED}),
        "figures": figures,
        "plan": plan["name"] if plan else None,
    }


def append(path: Path, line: dict[str, Any], redact: Redactor) -> None:
    """Append one line (redacted) in a single write; OSError when it cannot."""
    data = (json.dumps(redact.redact(line), sort_keys=False) + "\n").encode("utf-8")
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
    fd = os.open(path, flags, 0o644)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def load(path: Path) -> list[dict[str, Any]]:
    """The recent lines of the history, oldest first (none when it does not exist); a line that
    does not parse (cut short by a crash, edited by hand) is skipped."""
    try:  # never blocks: a FIFO or a link in its place reads as no history
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return []
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return []
        size = os.lseek(fd, 0, os.SEEK_END)
        os.lseek(fd, max(0, size - READ_LIMIT), os.SEEK_SET)
        raw = b""
        while len(raw) < min(size, READ_LIMIT):
            chunk = os.read(fd, READ_LIMIT - len(raw))
            if not chunk:
                break
            raw += chunk
    except OSError:
        return []
    finally:
        os.close(fd)
    lines = raw.split(b"\n")
    if len(raw) == READ_LIMIT and size > READ_LIMIT:
        lines = lines[1:]  # the first one is cut by the window
    out = []
    for text in lines:
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if _well_formed(line):
            out.append(line)
    return out


def _well_formed(line: Any) -> bool:
    """A line of this schema with the keys the report reads, of the right types."""
    return (
        isinstance(line, dict)
        and line.get("schema") == SCHEMA
        and all(isinstance(line.get(k), str) for k in ("run_id", "started_at", "verdict"))
        and isinstance(line.get("release"), str | None)
        and isinstance(line.get("figures"), dict)
        and isinstance(line.get("not_passed"), list)
        and all(isinstance(c, str) for c in line["not_passed"])
    )


def new_failures(previous: Sequence[dict[str, Any]], current: dict[str, Any]) -> list[str] | None:
    """The checks not passed now that passed in the last GO run (None: no GO run before)."""
    last_go = next((line for line in reversed(previous) if line.get("verdict") == "GO"), None)
    if last_go is None:
        return None
    before = set(last_go.get("not_passed", []))
    return [check for check in current["not_passed"] if check not in before]
