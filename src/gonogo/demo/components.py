"""The pieces of one run wired together, and its mutable, persisted state."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gonogo.demo.backups import Backups
from gonogo.demo.dns import Dns
from gonogo.demo.layout import Layout, Ports, Secrets
from gonogo.demo.monitoring import Monitoring
from gonogo.demo.nginx import Nginx
from gonogo.demo.pki import Pki
from gonogo.demo.postgres import Postgres
from gonogo.demo.procs import Processes
from gonogo.demo.redis import Redis
from gonogo.demo.smtp import SmtpRelay
from gonogo.demo.sshd import Sshd
from gonogo.errors import DemoError

STATE_VERSION = 1
# stop order is the reverse of this list: the front end first, the data stores last
COMPONENTS = (
    "postgres-primary",
    "postgres-standby",
    "postgres-scratch",
    "redis-master",
    "redis-replica",
    "app",
    "nginx",
    "webhook",
    "alertmanager",
    "prometheus",
    "sshd",
    "worker",
    "smtp",
    "dns",
)


@dataclass(frozen=True, slots=True)
class Components:
    """Everything needed to operate one run (immutable wiring; processes live in ``procs``)."""

    layout: Layout
    ports: Ports
    secrets: Secrets
    procs: Processes
    pki: Pki
    pg: Postgres
    redis: Redis
    nginx: Nginx
    backups: Backups
    monitoring: Monitoring
    sshd: Sshd
    smtp: SmtpRelay
    dns: Dns

    @classmethod
    def build(cls, layout: Layout, ports: Ports, secrets: Secrets, procs: Processes) -> Components:
        pki = Pki(layout.pki)
        pg = Postgres(layout, ports, secrets, procs)
        return cls(
            layout=layout,
            ports=ports,
            secrets=secrets,
            procs=procs,
            pki=pki,
            pg=pg,
            redis=Redis(layout, ports, secrets, procs),
            nginx=Nginx(layout, ports, pki, procs),
            backups=Backups(layout, pg, secrets, procs),
            monitoring=Monitoring(layout, ports, procs),
            sshd=Sshd(layout.sshd_dir, layout.log("sshd"), ports.ssh, procs),
            smtp=SmtpRelay(layout, ports, pki, procs),
            dns=Dns(layout, ports, procs),
        )


@dataclass(slots=True)
class RunState:
    """What changes while a run lives, saved as JSON so another process can attach.

    Mutable on purpose: PIDs change when a fault restarts a server, the fault set and the
    nginx generation change on every apply/revert. Always read and written under the run's
    lock (see ``DemoStack``).

    Attributes:
        pids: PID per component (0 while a fault keeps it stopped).
        faults: active fault names, in the order applied.
        generation: nginx config generation being served.
        data: what faults need to revert themselves (e.g. a deleted migration row).
        keep: leave the run directory in place at stop.
    """

    pids: dict[str, int] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    generation: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    keep: bool = False

    def to_json(self, c: Components) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "run_dir": str(c.layout.run_dir),
            "ports": {k: getattr(c.ports, k) for k in Ports.__dataclass_fields__},
            "secrets": c.secrets.to_dict(),
            "pids": self.pids,
            "faults": self.faults,
            "generation": self.generation,
            "data": self.data,
            "keep": self.keep,
        }

    def save(self, c: Components) -> None:
        path = c.layout.state_file
        tmp = path.with_name(path.name + ".tmp")
        # the state holds the run's passwords: owner-only, replaced atomically
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.to_json(c), fh, indent=2)
        os.replace(tmp, path)

    @staticmethod
    def read(path: Path) -> dict[str, Any]:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise DemoError(
                f"demo: no state file {path} (is a demo stack running? `gonogo demo up`)"
            ) from err
        except (OSError, ValueError) as err:
            raise DemoError(f"demo: cannot read state file {path}: {err}") from err
        if raw.get("version") != STATE_VERSION:
            raise DemoError(
                f"demo: state file {path} has version {raw.get('version')}, "
                f"expected {STATE_VERSION}"
            )
        return raw

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RunState:
        return cls(
            pids={k: int(v) for k, v in raw["pids"].items()},
            faults=list(raw["faults"]),
            generation=int(raw["generation"]),
            data=dict(raw["data"]),
            keep=bool(raw["keep"]),
        )
