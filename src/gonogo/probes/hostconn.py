"""A connection to one host through testinfra's backends (``local://``, ``ssh://``, ``paramiko://``).

I/O only. Other families read files and commands on a configured host through this module::

    from gonogo.probes import hostconn
    with hostconn.connect(target) as conn:          # target: a HostTarget
        status = conn.stat(["/opt/app/bin/rollback"])  # FileFacts: exists, mode, owner
        data = conn.read_file("/srv/app/.env.production", max_bytes=1 << 20)

Every command runs under ``timeout`` on the host (the role's ``timeout_s``); ssh runs in batch
mode (never a password prompt) with keepalives, all commands of one ``with`` block over one
multiplexed connection (an ssh handshake costs about a second on a busy machine): its master
is stopped (``ssh -O exit``) when the block ends, and would end by itself 30 s after the last
command otherwise. A paramiko client is closed when the block ends. testinfra's ``paramiko`` backend
accepts any host key (it loads no known_hosts): prefer ``ssh://`` where host keys matter.
"""

from __future__ import annotations

import base64
import binascii
import math
import shlex
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo.errors import ProbeAuthError, ProbeError, ProbeRefused, ProbeTimeout
from gonogo.facts.host import FileFacts
from gonogo.model import ErrorReason

if TYPE_CHECKING:
    from gonogo.schema.hosts import HostRoleConfig

_SSH_OPTIONS = "-o BatchMode=yes -o ServerAliveInterval=5 -o ServerAliveCountMax=2"
CONTROL_PERSIST_S = 30


@dataclass(frozen=True, slots=True)
class HostTarget:
    """One target of one role: what a host check instance looks at.

    Attributes:
        role: the ``[hosts.<role>]`` name (``cli`` for hosts given with ``--hosts``).
        url: ``local://``, ``ssh://user@host[:port]`` or ``paramiko://...``.
        config: the role's section (thresholds, identity file, timeout).
    """

    role: str
    url: str
    config: HostRoleConfig

    @property
    def id(self) -> str:
        """The test id of this instance: ``web:ssh://deploy@web1``."""
        return f"{self.role}:{self.url}"

    @property
    def scheme(self) -> str:
        return self.url.partition("://")[0]


class Connection:
    """Commands and files on one host; use :func:`connect`."""

    def __init__(self, target: HostTarget, host: Any) -> None:
        self.target = target
        self.host = host  # a testinfra Host: its modules (socket, process, ...) work too
        self.timeout_s = target.config.timeout_s

    def run(
        self, script: str, *args: str, check: bool = False, timeout_s: float | None = None
    ) -> tuple[int, str, str]:
        """Run ``script`` (``%s`` placeholders get ``args`` quoted) under sh, with a time limit
        (the role's ``timeout_s``, or ``timeout_s`` for a command known to be slow)."""
        command = script % tuple(shlex.quote(a) for a in args) if args else script
        limit = max(1, math.ceil(timeout_s or self.timeout_s))
        wrapped = f"timeout -k 2 {limit} sh -c {shlex.quote(command)}"
        try:
            result = self.host.run(wrapped)
        except RuntimeError as err:  # testinfra's ssh backend: ssh itself failed (exit 255)
            stderr = getattr(err.args[0], "stderr", "") if err.args else ""
            raise _ssh_error(self.target, str(stderr or err)) from err
        except Exception as err:  # paramiko and sockets raise many kinds
            raise _probe_error(self.target, err) from err
        if result.rc == 124:
            raise ProbeTimeout(
                f"host {self.target.id}: a command did not finish within {limit} s "
                "([hosts] timeout_s)"
            )
        if check and result.rc != 0:
            raise ProbeError(
                f"host {self.target.id}: command failed (exit {result.rc}): "
                f"{result.stderr.strip()[:200]}",
                reason=ErrorReason.CONFIG,
            )
        return result.rc, result.stdout, result.stderr

    def stat(self, paths: Sequence[str]) -> tuple[FileFacts, ...]:
        """Mode, owner and group of each path (following symlinks); missing ones say so."""
        if not paths:
            return ()
        script = 'for f in "$@"; do stat -L -c "%a|%U|%G|%F" -- "$f" 2>/dev/null || echo "-"; done'
        _, out, _ = self.run(f"set -- {' '.join(map(shlex.quote, paths))}; {script}")
        lines = out.splitlines()
        found = []
        for i, path in enumerate(paths):
            line = lines[i] if i < len(lines) else "-"
            parts = line.split("|")
            if len(parts) != 4:
                found.append(FileFacts(path, exists=False))
                continue
            mode, owner, group, kind = parts
            found.append(
                FileFacts(
                    path, True, int(mode, 8), owner, group, is_file=kind.startswith("regular")
                )
            )
        return tuple(found)

    def read_file(self, path: str, max_bytes: int) -> bytes:
        """The bytes of a regular file (at most ``max_bytes``); ProbeError when missing or larger."""
        rc, out, err = self.run(
            'test -f %s || exit 3; head -c %s -- %s | base64 | tr -d "\\n"',
            path,
            str(max_bytes + 1),
            path,
        )
        if rc == 3:
            raise ProbeError(
                f"host {self.target.id}: {path} is not a regular file", reason=ErrorReason.CONFIG
            )
        if rc != 0:
            raise ProbeError(f"host {self.target.id}: cannot read {path}: {err.strip()[:200]}")
        try:
            data = base64.b64decode(out.strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ProbeError(f"host {self.target.id}: {path}: unreadable answer") from error
        if len(data) > max_bytes:
            raise ProbeError(
                f"host {self.target.id}: {path} is larger than {max_bytes} bytes",
                reason=ErrorReason.CONFIG,
            )
        return data


@contextmanager
def connect(target: HostTarget) -> Iterator[Connection]:
    """A connection to ``target``, closed (ssh master stopped, paramiko client closed) on exit."""
    from testinfra.backend import get_backend
    from testinfra.host import Host

    cfg = target.config
    scheme = target.scheme
    kwargs: dict[str, Any] = {}
    if scheme in ("ssh", "paramiko"):
        kwargs["timeout"] = max(1, math.ceil(cfg.timeout_s))
        if cfg.identity_file is not None:
            kwargs["ssh_identity_file"] = str(cfg.identity_file)
        if cfg.ssh_config is not None:
            kwargs["ssh_config"] = str(cfg.ssh_config)
    with tempfile.TemporaryDirectory(prefix="gng-ssh-") as control:
        master = str(Path(control) / "master")
        if scheme == "ssh":
            kwargs |= {
                "ssh_extra_args": _SSH_OPTIONS,
                "controlpersist": CONTROL_PERSIST_S,
                "controlpath": master,
            }
        try:
            backend = get_backend(target.url, **kwargs)
        except Exception as err:  # testinfra raises RuntimeError for a bad spec
            raise ProbeError(f"host {target.id}: {err}", reason=ErrorReason.CONFIG) from err
        host = Host(backend)
        backend.set_host(host)
        try:
            yield Connection(target, host)
        finally:
            # testinfra caches paramiko's client on the backend (functools.cached_property)
            client = vars(backend).get("client") if scheme == "paramiko" else None
            if client is not None:
                client.close()
            if Path(master).exists():
                subprocess.run(
                    ["ssh", "-o", f"ControlPath={master}", "-O", "exit", "gonogo-master"],
                    capture_output=True,
                    timeout=10,
                    check=False,
                )


def _ssh_error(target: HostTarget, stderr: str) -> ProbeError:
    text = stderr.strip().splitlines()[-1] if stderr.strip() else "ssh failed"
    low = text.lower()
    if "permission denied" in low or "host key verification failed" in low:
        return ProbeAuthError(f"host {target.id}: {text}")
    if "timed out" in low:
        return ProbeTimeout(f"host {target.id}: {text}")
    return ProbeRefused(f"host {target.id}: {text}")


def _probe_error(target: HostTarget, err: Exception) -> ProbeError:
    name = type(err).__name__
    if "Authentication" in name or "BadHostKey" in name:
        return ProbeAuthError(f"host {target.id}: {name}: {err}")
    if isinstance(err, TimeoutError) or "timeout" in str(err).lower():
        return ProbeTimeout(f"host {target.id}: {name}: {err}")
    if isinstance(err, OSError):
        return ProbeRefused(f"host {target.id}: {name}: {err}")
    return ProbeError(f"host {target.id}: {name}: {err}")
