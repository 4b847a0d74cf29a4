"""The run's artefacts: evidence.json, manifest.sha256, ``latest`` (summary.md and junit.xml: see
:mod:`.summary` and :mod:`.junit`).

Every byte goes through :class:`~gonogo.redact.Redactor` on its way to disk. A run's files are
written into a staging directory (``reports/<env>/.<run-id>.partial-<pid>``) that
:func:`commit` renames to ``<run-id>`` in one step before ``latest`` moves: a run directory with
an ``evidence.json`` is always complete, and ``latest`` never points at a half-written run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gonogo import markers
from gonogo.model import AttachmentWire, FindingWire
from gonogo.redact import Redactor
from gonogo.schema import Waiver
from gonogo.verdict import CheckResult, Decision
from gonogo.wire import SelectionJson

SCHEMA = "gonogo.evidence/1"
STAGES = markers.STAGE_NAMES
OUTCOME_COLUMNS = ("passed", "failed", "error", "not-applicable", "skipped", "refused", "waived")


STAGE_NOTE = "a check with several stage markers is counted under each of its stages"


@dataclass(frozen=True, slots=True)
class RunMeta:
    """What every artefact says about the run itself (the top-level keys of evidence.json).

    Attributes:
        env: environment name. env_file: the file it was loaded from. sensitive: the
        environment is production-like. release: expected release, if any. run_id: also the
        run directory's name. started_at, finished_at: ISO 8601 UTC. gonogo_version: the engine.
        suite_commit: git commit of the suite (``-dirty`` with local changes), if known.
        allow_intrusive: ``--allow-intrusive`` was given. exit_code: the process's exit code.
        selection: how the gate tests were chosen and which checks of the selected stages did
        not run (:class:`gonogo.wire.SelectionJson`).
    """

    env: str
    env_file: str
    sensitive: bool
    release: str | None
    run_id: str
    started_at: str
    finished_at: str
    gonogo_version: str
    suite_commit: str | None
    allow_intrusive: bool
    exit_code: int
    selection: SelectionJson | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def waiver_json(waiver: Waiver | None) -> dict[str, str] | None:
    """A waiver as evidence.json writes it: ``{check, reason, approver, ticket, expires}``."""
    if waiver is None:
        return None
    return {
        "check": waiver.check,
        "reason": waiver.reason,
        "approver": waiver.approver,
        "ticket": waiver.ticket,
        "expires": waiver.expires.isoformat(),
    }


def stages_of(result: CheckResult) -> list[str]:
    """Every stage marker of a check (``smoke.health`` runs both pre-deploy and as smoke)."""
    return [m for m in STAGES if m in result.markers] or ["other"]


def stage_of(result: CheckResult) -> str:
    """The first stage of a check (its junit class name)."""
    return stages_of(result)[0]


def counts_by_stage(results: list[CheckResult]) -> dict[str, dict[str, int]]:
    """Stage -> outcome -> number of checks; a check counts under each of its stages."""
    table: dict[str, Counter[str]] = {}
    for r in results:
        for stage in stages_of(r):
            table.setdefault(stage, Counter())[r.outcome.value] += 1
    order = [*STAGES, "other"]
    return {s: {o: table[s][o] for o in OUTCOME_COLUMNS} for s in order if s in table}


def key_figures(results: list[CheckResult]) -> list[tuple[str, FindingWire]]:
    """(check id, finding) for every finding flagged ``headline``, blockers first."""
    return [(r.id, f) for r in results for f in r.evidence if f["headline"]]


# compressed or encoded formats: a secret cannot appear in them as text
_BINARY_MIME_PREFIXES = ("image/", "audio/", "video/", "font/")
_BINARY_MIMES = {
    "application/gzip",
    "application/x-gzip",
    "application/zip",
    "application/pdf",
    "application/x-tar",
    "application/x-bzip2",
    "application/x-xz",
    "application/zstd",
    "application/x-7z-compressed",
    "application/vnd.tcpdump.pcap",
    "application/wasm",
}
_BINARY_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".gz", ".tgz", ".zip", ".pdf",
    ".bz2", ".xz", ".zst", ".7z", ".gpg", ".pcap", ".woff", ".woff2", ".webm", ".mp4",
)  # fmt: skip


def is_binary(mime: str, name: str) -> bool:
    """A known binary format (image, archive, PDF...); everything else is treated as text."""
    return (
        mime.startswith(_BINARY_MIME_PREFIXES)
        or mime in _BINARY_MIMES
        or name.lower().endswith(_BINARY_SUFFIXES)
    )


def redact_bytes(content: bytes, redact: Redactor) -> bytes:
    """Mask secrets in text of any encoding: UTF-8 when it decodes, else byte for byte
    (latin-1 maps every byte to one character and back, so nothing else changes)."""
    try:
        return redact.text(content.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        return redact.text(content.decode("latin-1")).encode("latin-1", "replace")


def write_attachments(
    run_dir: Path, results: list[CheckResult], redact: Redactor
) -> dict[int, list[dict[str, Any]]]:
    """Write attachments under ``attachments/`` and return their listing per result index."""
    listing: dict[int, list[dict[str, Any]]] = {}
    for index, result in enumerate(results):
        for n, att in enumerate(result.attachments):
            safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{result.id}-{n}-{att['name']}")[:120]
            path = run_dir / "attachments" / safe
            path.parent.mkdir(parents=True, exist_ok=True)
            content = base64.b64decode(att["content_b64"])
            if not is_binary(att["mime"], att["name"]):
                content = redact_bytes(content, redact)
            write_bytes(path, content)
            listing.setdefault(index, []).append(
                {"name": att["name"], "mime": att["mime"], "file": f"attachments/{safe}"}
            )
    return listing


def evidence_document(
    *,
    results: list[CheckResult],
    decision: Decision,
    meta: RunMeta,
    attachments: dict[int, list[dict[str, Any]]],
) -> dict[str, Any]:
    checks = []
    for index, r in enumerate(results):
        checks.append(
            {
                "id": r.id,
                "title": r.title,
                "severity": r.severity.value,
                "default_severity": (r.default_severity or r.severity).value,
                "outcome": r.outcome.value,
                "original_outcome": r.original_outcome.value if r.original_outcome else None,
                "markers": list(r.markers),
                "stage": stage_of(r),
                "stages": stages_of(r),
                "nodeid": r.nodeid,
                "duration_s": r.duration_s,
                "message": r.message,
                "error_reason": r.error_reason,
                "target": r.target,
                "covers": list(r.covers),
                "evidence": list(r.evidence),
                "attachments": attachments.get(index, []),
                "waiver": waiver_json(r.waiver),
            }
        )
    return {
        "schema": SCHEMA,
        "verdict": decision.verdict.value,
        **meta.to_json(),
        "reasons": list(decision.reasons),
        "rollback": list(decision.rollback),
        "counts": {
            "by_outcome": dict(Counter(r.outcome.value for r in results)),
            "by_stage": counts_by_stage(results),
        },
        "waivers_applied": [waiver_json(r.waiver) for r in results if r.waiver],
        "waivers_expired": list(decision.expired_waivers),
        "checks": checks,
    }


def write_bytes(path: Path, content: bytes) -> None:
    """Write ``path`` under a temporary name, then rename it: never seen half-written."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str, redact: Redactor) -> None:
    write_bytes(path, redact.text(text).encode("utf-8"))


def write_json(path: Path, document: dict[str, Any], redact: Redactor) -> None:
    text = json.dumps(redact.redact(document), indent=2, sort_keys=False) + "\n"
    write_bytes(path, text.encode("utf-8"))


def manifest(run_dir: Path) -> str:
    lines = []
    for path in sorted(
        p for p in run_dir.rglob("*") if p.is_file() and p.name != "manifest.sha256"
    ):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(run_dir).as_posix()}")
    return "\n".join(lines) + "\n"


def staging_dir(run_dir: Path) -> Path:
    """Where a run's files are written before :func:`commit` gives them the run's name."""
    return run_dir.with_name(f".{run_dir.name}.partial-{os.getpid()}")


def commit(staging: Path, run_dir: Path) -> Path:
    """Give the complete staging directory the run's name, then move ``latest`` to it.

    pytest-html has written its page into ``run_dir`` meanwhile: that directory is set aside
    (and removed) first, so the rename is one step and ``run_dir`` never holds a mix.
    """
    aside = run_dir.with_name(f".{run_dir.name}.old-{os.getpid()}")
    if run_dir.is_dir() and not run_dir.is_symlink():
        os.rename(run_dir, aside)
    os.rename(staging, run_dir)
    shutil.rmtree(aside, ignore_errors=True)
    _fsync_dir(run_dir.parent)
    return point_latest(run_dir)


def sweep_partial(env_dir: Path) -> None:
    """Remove staging directories left by runs that died while writing (their PID is gone)."""
    if not env_dir.is_dir():
        return
    for entry in env_dir.iterdir():
        match = _PARTIAL.fullmatch(entry.name)
        if match and entry.is_dir() and not _alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


_PARTIAL = re.compile(r"\..+\.(?:partial|old)-(\d+)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def point_latest(run_dir: Path) -> Path:
    """Make ``<env>/latest`` a relative symlink to this run (atomically).

    Only a link gonogo made (to a sibling run directory) is replaced: a file, directory or
    other link named ``latest`` is left alone (the run refuses to start beside one; this
    covers one made while it ran).
    """
    latest = run_dir.parent / "latest"
    if os.path.lexists(latest) and (not latest.is_symlink() or "/" in os.readlink(latest)):
        return latest
    tmp = run_dir.parent / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run_dir.name, target_is_directory=True)
    os.replace(tmp, latest)
    return latest


def image_extras(attachments: Sequence[AttachmentWire]) -> list[dict[str, str]]:
    """The image attachments of a check as pytest-html extras (shown in report.html)."""
    return [
        {
            "name": a["name"],
            "format_type": "image",
            "content": a["content_b64"],
            "mime_type": a["mime"],
            "extension": a["mime"].partition("/")[2] or "png",
        }
        for a in attachments
        if a["mime"] in ("image/png", "image/jpeg", "image/gif", "image/webp")
    ]
