"""Redis 7: a password-protected master with AOF and an LRU memory cap, plus a replica.

Clients authenticate as the named ``default`` user (``AUTH default <password>``): with the
two-argument form, a server whose password was removed (the ``redis-no-auth`` fault) answers
every client with an error, which would turn "auth is off" into "cache is down".
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.demo.layout import Layout, Ports, Secrets
from gonogo.demo.procs import Processes

if TYPE_CHECKING:
    import redis as redis_client

SERVER = "/usr/bin/redis-server"
MAXMEMORY = "64mb"

_CONF = """# gonogo demo redis {role}
bind 127.0.0.1
port {port}
protected-mode yes
daemonize no
logfile ""
dir {dir}
save ""
appendonly yes
appendfsync everysec
requirepass {password}
maxmemory {maxmemory}
maxmemory-policy allkeys-lru
# Redis 7 waits 5 s for more replicas before a diskless full sync; start it at once
repl-diskless-sync-delay 0
"""

_REPLICA_CONF = """replicaof 127.0.0.1 {master_port}
masteruser default
masterauth {password}
replica-read-only yes
"""


@dataclass(frozen=True, slots=True)
class RedisNode:
    """One Redis server of the run (``master`` or ``replica``)."""

    role: str
    port: int
    directory: Path
    log: Path

    @property
    def component(self) -> str:
        return f"redis-{self.role}"

    @property
    def conf(self) -> Path:
        return self.directory / "redis.conf"


class Redis:
    """Writes the configs of, starts and stops the two Redis servers of one run."""

    def __init__(self, layout: Layout, ports: Ports, secrets: Secrets, procs: Processes) -> None:
        self.secrets = secrets
        self.procs = procs
        self.master = RedisNode(
            "master", ports.redis, layout.redis / "master", layout.log("redis-master")
        )
        self.replica = RedisNode(
            "replica", ports.redis_replica, layout.redis / "replica", layout.log("redis-replica")
        )

    def node(self, role: str) -> RedisNode:
        return self.master if role == "master" else self.replica

    def configure(self) -> None:
        for node in (self.master, self.replica):
            node.directory.mkdir(parents=True, exist_ok=True)
            text = _CONF.format(
                role=node.role,
                port=node.port,
                dir=node.directory,
                password=self.secrets.redis_password,
                maxmemory=MAXMEMORY,
            )
            if node is self.replica:
                text += _REPLICA_CONF.format(
                    master_port=self.master.port, password=self.secrets.redis_password
                )
            node.conf.touch(mode=0o600)
            node.conf.write_text(text)

    def start(self, role: str, timeout: float = 15.0) -> int:
        node = self.node(role)
        pid = self.procs.spawn(
            node.component, [SERVER, str(node.conf)], node.log, cwd=node.directory
        )
        self.procs.wait_until(
            node.component,
            "answering PING",
            lambda: self._pings(node),
            timeout=timeout,
            log=node.log,
            gone=lambda: self.procs.exited(pid),
        )
        return pid

    def stop(self, pid: int) -> None:
        # SIGTERM: Redis flushes the AOF and exits cleanly
        self.procs.stop(pid, signal.SIGTERM, timeout=10.0)

    def client(self, role: str, timeout: float = 2.0) -> redis_client.Redis:
        import redis as redis_client  # here, not at import: a gate run only reads the URL

        node = self.node(role)
        return redis_client.Redis(
            host="127.0.0.1",
            port=node.port,
            username="default",
            password=self.secrets.redis_password,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            decode_responses=True,
        )

    def _pings(self, node: RedisNode) -> bool:
        import redis as redis_client

        try:
            with self.client(node.role, timeout=0.5) as client:
                return bool(client.ping())
        except redis_client.RedisError:
            return False

    def url(self, role: str = "master") -> str:
        return f"redis://default:{self.secrets.redis_password}@127.0.0.1:{self.node(role).port}/0"

    def info(self, role: str, section: str) -> dict[str, object]:
        with self.client(role) as client:
            return dict(client.info(section))

    def wait(
        self,
        role: str,
        what: str,
        ready: Callable[[dict[str, object]], bool],
        section: str,
        timeout: float = 15.0,
    ) -> None:
        import redis as redis_client

        node = self.node(role)

        def check() -> bool:
            try:
                return ready(self.info(role, section))
            except redis_client.RedisError:
                return False

        self.procs.wait_until(
            node.component, what, check, timeout=timeout, log=node.log, interval=0.05
        )

    def wait_linked(self, timeout: float = 15.0) -> None:
        self.wait(
            "replica",
            "link to the master up",
            lambda i: i.get("master_link_status") == "up",
            "replication",
            timeout,
        )

    def wait_aof_ready(self, timeout: float = 15.0) -> None:
        self.wait(
            "master",
            "AOF enabled and rewritten",
            lambda i: (
                i.get("aof_enabled") == 1
                and i.get("aof_rewrite_in_progress") == 0
                and i.get("aof_rewrite_scheduled") == 0
            ),
            "persistence",
            timeout,
        )
