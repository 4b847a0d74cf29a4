"""Read the application's env file (and the staging one) on the gate's machine or on a host.

I/O only: the bytes come from a bounded local read or from :mod:`gonogo.probes.hostconn`; the
dotenv text is parsed here (``KEY=value``, ``export KEY=value``, quotes, ``#`` comments) and
every secret value is registered with the run's redactor before anything else sees it.
"""

from __future__ import annotations

import re
from pathlib import Path

from gonogo import redact
from gonogo.config import credentials
from gonogo.errors import ProbeError
from gonogo.facts.appconfig import AppConfigFacts, EnvFileFacts, EnvValue
from gonogo.model import ErrorReason
from gonogo.probes import hostconn
from gonogo.probes.hostconn import HostTarget
from gonogo.schema.appconfig import AppConfigConfig, is_sensitive

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$")


def collect(cfg: AppConfigConfig, host: HostTarget | None) -> AppConfigFacts:
    """The production file and, with ``staging_file``, the staging one (both registered)."""
    paths = [cfg.env_file] + ([cfg.staging_file] if cfg.staging_file else [])
    if host is None:
        texts = [_read_local(path, cfg.max_file_bytes) for path in paths]
    else:
        with hostconn.connect(host) as conn:
            texts = [conn.read_file(str(path), cfg.max_file_bytes) for path in paths]
    where = f"{host.id} " if host is not None else ""
    files = [parse(f"{where}{path}", data) for path, data in zip(paths, texts, strict=True)]
    for facts in files:
        _register(facts, cfg)
    return AppConfigFacts(files[0], files[1] if len(files) > 1 else None)


def _read_local(path: Path, max_bytes: int) -> bytes:
    if not path.is_file():
        what = "does not exist" if not path.exists() else "is not a regular file"
        raise ProbeError(f"[app_config] {path} {what}", reason=ErrorReason.CONFIG)
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise ProbeError(f"[app_config] cannot read {path}: {err.strerror}") from err
    if len(data) > max_bytes:
        raise ProbeError(
            f"[app_config] {path} is larger than max_file_bytes ({max_bytes})",
            reason=ErrorReason.CONFIG,
        )
    return data


def parse(source: str, data: bytes) -> EnvFileFacts:
    """The assignments of a dotenv file; a line that is not one is noted, never quoted."""
    values: dict[str, EnvValue] = {}
    repeated: list[str] = []
    malformed: list[int] = []
    text = data.decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            malformed.append(number)
            continue
        key, value = match.group(1), _unquote(match.group(2))
        if key in values:
            repeated.append(key)
        values[key] = EnvValue(value)
    return EnvFileFacts(source, values, tuple(dict.fromkeys(repeated)), tuple(malformed))


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    # an unquoted value ends at " #" (a trailing comment), as python-dotenv and docker read it
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()


def _register(facts: EnvFileFacts, cfg: AppConfigConfig) -> None:
    secret: list[str] = []
    for key, value in facts.values.items():
        if is_sensitive(key, cfg):
            secret.append(value.text)
        secret.extend(credentials(value.text))
    for redactor in redact.listening():
        redactor.add(secret)
