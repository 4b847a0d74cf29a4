"""Facts about a Redis server: PING round trip, INFO, and whether it refuses strangers.

Read-only: PING, INFO, TIME and ``CONFIG GET save`` (which managed services may forbid; then the
RDB schedule is unknown). A second connection *without* credentials tells whether the server
requires authentication.

redis-py's ``socket_timeout`` bounds each read, not each answer: a server (or a proxy) that
trickles a byte every second never trips it, and would hold the probe for as long as it likes.
So the whole probe also has a wall-clock deadline, ``timeout_s`` + :data:`DEADLINE_MARGIN_S`:
when it passes, a watchdog shuts down every socket of the probe and the probe fails with
:class:`~gonogo.errors.ProbeTimeout` naming the host (which marks the endpoint down for the rest
of the run), as :mod:`gonogo.probes.pgconn` does for PostgreSQL.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.connection import parse_url
from redis.retry import Retry

from gonogo.errors import ProbeAuthError, ProbeError, ProbeRefused, ProbeTimeout
from gonogo.facts.redis import RedisFacts, ReplicaFacts
from gonogo.probes import _sockets
from gonogo.schema.data import RedisConfig

# past timeout_s: a connect or read timeout had its chance to end the probe with its own reason
DEADLINE_MARGIN_S = 2.0
RECUT_INTERVAL_S = 0.1  # after the deadline, how often sockets opened since are cut too


def collect(cfg: RedisConfig) -> RedisFacts:
    """PING, INFO and an unauthenticated attempt: each read bounded by ``timeout_s``, the whole
    probe by ``timeout_s`` + :data:`DEADLINE_MARGIN_S` of wall-clock time."""
    client = _client(cfg.url, cfg.timeout_s)
    kwargs = client.connection_pool.connection_kwargs
    target = _target(kwargs)
    watchdog = Watchdog(cfg.timeout_s + DEADLINE_MARGIN_S)
    watchdog.watch(client.connection_pool)
    try:
        with watchdog:
            rtts = []
            for _ in range(3):
                t = time.monotonic()
                client.ping()
                rtts.append((time.monotonic() - t) * 1000)
            info: dict[str, Any] = client.info("everything")
            server_now = client.time()[0]
            rdb_configured = _rdb_configured(client)
            auth_required, auth_detail = _refuses_strangers(client, watchdog)
    except redis.RedisError as err:
        if watchdog.expired:
            raise watchdog.timeout(target) from err
        raise probe_error(err, target) from err
    finally:
        client.close()
    if watchdog.expired:  # answered in the end, but later than the deadline: still a timeout
        raise watchdog.timeout(target)
    last_save = info.get("rdb_last_save_time")
    return RedisFacts(
        target=target,
        rtt_ms=round(statistics.median(rtts), 2),
        version=str(info.get("redis_version", "")),
        auth_required=auth_required,
        auth_detail=auth_detail,
        aof_enabled=bool(int(info.get("aof_enabled", 0))),
        aof_last_write_status=info.get("aof_last_write_status"),
        aof_last_rewrite_status=info.get("aof_last_bgrewrite_status"),
        rdb_configured=rdb_configured,
        rdb_last_bgsave_status=info.get("rdb_last_bgsave_status"),
        rdb_last_save_age_s=float(server_now - int(last_save)) if last_save else None,
        rdb_changes_since_last_save=int(info.get("rdb_changes_since_last_save", 0)),
        role=str(info.get("role", "")),
        replicas=_replicas(info),
        master_link_status=info.get("master_link_status"),
        master_last_io_s=info.get("master_last_io_seconds_ago"),
        maxmemory=int(info.get("maxmemory", 0)),
        maxmemory_policy=str(info.get("maxmemory_policy", "")),
        used_memory=int(info.get("used_memory", 0)),
        rejected_connections=int(info.get("rejected_connections", 0)),
    )


def probe_error(err: redis.RedisError, target: str) -> ProbeError:
    """One-line ProbeError naming the target and what to do (no URL, so no password)."""
    where = f"redis {target}"
    text = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
    if isinstance(err, redis.TimeoutError):
        return ProbeTimeout(f"{where}: no answer within timeout_s; check host, port and firewall")
    if isinstance(err, redis.AuthenticationError) or text.startswith(("NOAUTH", "WRONGPASS")):
        return ProbeAuthError(f"{where}: credentials refused ({text}); check the password in url")
    if isinstance(err, redis.ConnectionError):
        return ProbeRefused(
            f"{where}: cannot connect ({text}); check the server runs and host/port"
        )
    return ProbeError(f"{where}: {type(err).__name__}: {text}")


class Watchdog:
    """Shuts down every socket of the watched pools once ``seconds`` of wall-clock time pass.

    Shut down, not closed (see :mod:`gonogo.probes._sockets`): the probe's thread owns the
    sockets and may be blocked reading one. After the deadline it keeps cutting, so a
    connection opened as it fired (or reopened by redis-py's pool) is cut too.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._pools: list[redis.ConnectionPool] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="redis-deadline", daemon=True)

    def watch(self, pool: redis.ConnectionPool) -> None:
        """Cut this pool's connections too when the deadline passes."""
        self._pools.append(pool)

    def timeout(self, target: str) -> ProbeTimeout:
        """The error of a probe the deadline ended (names the host, so it is marked down)."""
        return ProbeTimeout(
            f"redis {target}: no complete answer within {self.seconds:.1f} s (timeout_s + "
            f"{DEADLINE_MARGIN_S:.0f} s, wall clock): the server or the network trickles or "
            "stalls; check the server, proxies and load"
        )

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=5)  # _cut never blocks: shutdown and close only

    def _run(self) -> None:
        if self._done.wait(self.seconds):
            return
        self.expired = True
        while True:
            self._cut()
            if self._done.wait(RECUT_INTERVAL_S):
                return

    def _cut(self) -> None:
        for pool in self._pools:
            # redis-py keeps no public list of a pool's connections; its lock guards these two
            with pool._lock:
                connections = [*pool._available_connections, *pool._in_use_connections]
            for connection in connections:
                sock = getattr(connection, "_sock", None)  # None: not connected (any more)
                fd = _sockets.duplicate(sock.fileno()) if sock is not None else None
                if fd is not None:
                    _sockets.shut_down(fd)


def _client(url: str, timeout_s: float, **overrides: Any) -> redis.Redis:
    # protocol 2: no HELLO handshake, so an unauthenticated PING gets a plain NOAUTH answer;
    # no retries: one timeout means one timeout, not three
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
        protocol=2,
        decode_responses=True,
        **overrides,
    )


def target_of(url: str) -> str:
    """``host:port/db`` of a Redis URL, from parsed parts so no password can leak."""
    try:
        return _target(parse_url(url))
    except ValueError:
        return "redis (unparseable URL)"


def _target(kwargs: dict[str, Any]) -> str:
    if kwargs.get("path"):
        return f"unix:{kwargs['path']}/{kwargs.get('db', 0)}"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


def _rdb_configured(client: redis.Redis) -> bool | None:
    try:
        save = client.config_get("save").get("save")
    except redis.ResponseError:
        return None  # CONFIG renamed or not permitted (managed Redis): schedule unknown
    return bool(save and str(save).strip())


def _refuses_strangers(client: redis.Redis, watchdog: Watchdog) -> tuple[bool, str]:
    """PING over a connection without username/password: refused means auth is required."""
    kwargs = {
        k: v
        for k, v in client.connection_pool.connection_kwargs.items()
        if k not in ("password", "username", "credential_provider")
    }
    pool = redis.ConnectionPool(connection_class=client.connection_pool.connection_class, **kwargs)
    watchdog.watch(pool)
    stranger = redis.Redis(connection_pool=pool)
    try:
        stranger.ping()
    except redis.AuthenticationError as err:
        return True, f"unauthenticated PING refused: {str(err).splitlines()[0][:120]}"
    except redis.ResponseError as err:
        if str(err).startswith(("NOAUTH", "NOPERM")):
            return True, f"unauthenticated PING refused: {str(err)[:120]}"
        raise
    finally:
        stranger.close()
        pool.disconnect()
    return False, "unauthenticated PING answered PONG"


def _replicas(info: dict[str, Any]) -> tuple[ReplicaFacts, ...]:
    master_offset = int(info.get("master_repl_offset", 0))
    replicas = []
    for key in sorted(k for k in info if k.startswith("slave") and k[5:].isdigit()):
        value = info[key]  # redis-py parses "ip=..,port=..,state=..,offset=..,lag=.." to a dict
        if not isinstance(value, dict):
            continue
        replicas.append(
            ReplicaFacts(
                address=f"{value.get('ip')}:{value.get('port')}",
                state=str(value.get("state", "")),
                offset_lag=max(0, master_offset - int(value.get("offset", 0))),
                lag_s=int(value.get("lag", 0)),
            )
        )
    return tuple(replicas)
