"""PostgreSQL connections of every probe: timeouts on both sides, read-only, one-line errors.

Every connection has a connect timeout, a server-side ``statement_timeout``, TCP keepalives and
``default_transaction_read_only=on`` unless told otherwise (read back and SET again behind a
pooler that drops startup options). The server-side timeout needs a server that answers: one
that completed the handshake and then went silent (a stalled proxy, a frozen host on a link
where keepalives never fire, such as loopback) would hold a query forever. So every wait on the
server also has a client-side deadline, ``statement_timeout`` + :data:`DEADLINE_MARGIN_S`: when
it passes, the query is cancelled, the socket is shut down, and the probe fails with
:class:`~gonogo.errors.ProbeTimeout` naming the host (which marks the endpoint down for the
rest of the run).
"""

from __future__ import annotations

import contextlib
import math
import threading
from typing import Any

import psycopg
from psycopg import conninfo, errors, sql

from gonogo.errors import ProbeAuthError, ProbeError, ProbeRefused, ProbeTimeout
from gonogo.model import ErrorReason
from gonogo.probes import _sockets
from gonogo.schema.data import PostgresConfig

DEADLINE_MARGIN_S = 2.0  # past statement_timeout: the server had its chance to cancel itself
CANCEL_GRACE_S = 1.0  # how long a cancel request may take before the socket is cut
# TCP keepalive after 10 s idle, every 5 s, 3 misses; unacknowledged data gives up after 30 s
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}


def target_of(dsn: str) -> str:
    """``host:port/db`` of a DSN (``[::1]:5432/db`` for IPv6), from parsed parts only, so no
    password can leak."""
    try:
        params = conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "(unparseable DSN)"
    host = str(params.get("host") or "localhost")
    port = str(params.get("port") or 5432)
    db = str(params.get("dbname") or params.get("user") or "")
    return f"{host_port(host, port)}/{db}"


def host_port(host: str, port: int | str) -> str:
    """``host:port``, with an IPv6 address in brackets (``[::1]:5432``)."""
    if ":" in host and not host.startswith("/"):
        host = f"[{host}]"  # ::1:5432 would be unreadable (and not a host:port endpoint)
    return f"{host}:{port}"


class DeadlineExceeded(psycopg.OperationalError):
    """The server did not answer a query within the client-side deadline."""


class WatchedConnection(psycopg.Connection[Any]):
    """A connection whose every wait on the server ends at ``deadline_s`` (None: no limit).

    ``wait`` is where psycopg blocks for the server (queries, COMMIT, BEGIN...), so arming a
    timer around it covers every statement without wrapping each call site.
    """

    deadline_s: float | None = None
    expired: bool = False
    _armed: bool = False
    _guard: threading.Lock | None = None

    def wait(self, gen: Any, *args: Any, **kwargs: Any) -> Any:
        if self.deadline_s is None:
            return super().wait(gen, *args, **kwargs)
        if self._guard is None:
            self._guard = threading.Lock()
        timer = threading.Timer(self.deadline_s, self._expire)
        timer.daemon = True
        with self._guard:
            self._armed = True
        timer.start()
        try:
            return super().wait(gen, *args, **kwargs)
        except psycopg.Error as err:
            if self.expired:
                raise DeadlineExceeded(
                    f"no answer within {self.deadline_s:.1f} s (client-side deadline)"
                ) from err
            raise
        finally:
            with self._guard:
                self._armed = False
            timer.cancel()

    def _expire(self) -> None:
        assert self._guard is not None
        with self._guard:
            if not self._armed:
                return  # the wait ended as the timer fired
            self.expired = True
            try:
                fd = _sockets.duplicate(self.pgconn.socket)
            except psycopg.Error:
                fd = None
            if fd is None:
                return  # already closed: nothing left to wake
        # libpq < 17 cancels with a blocking connect: never let it hold the deadline
        canceller = threading.Thread(target=self._cancel, daemon=True)
        canceller.start()
        canceller.join(CANCEL_GRACE_S)
        _sockets.shut_down(fd)  # wakes the waiting thread: EOF

    def _cancel(self) -> None:
        with contextlib.suppress(Exception):
            self.cancel_safe(timeout=CANCEL_GRACE_S)


def connect(
    dsn: str, *, connect_timeout_s: float, statement_timeout_ms: int, read_only: bool = True
) -> WatchedConnection:
    """Open an autocommit connection with timeouts (read-only unless told otherwise).

    The settings go in the startup packet (``options``); a pooler that refuses startup options
    (PgBouncer: "unsupported startup parameter") gets a plain connection instead, and either
    way the settings are read back and SET on the session when they are not in effect (a
    pooler told to ignore ``options`` drops them silently). TCP keepalives and
    ``tcp_user_timeout`` end a connection whose network died mid-query, unless the DSN sets
    its own; the client-side deadline ends one whose server stopped answering.
    """
    target = target_of(dsn)
    try:
        params = conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as err:
        raise ProbeError(
            f"postgres {target}: the DSN does not parse; fix the libpq URL",
            reason=ErrorReason.CONFIG,
        ) from err
    options = str(params.get("options") or "")
    options += f" -c statement_timeout={int(statement_timeout_ms)}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    kwargs: dict[str, Any] = {k: v for k, v in KEEPALIVES.items() if k not in params}
    kwargs.update(
        # libpq counts whole seconds and treats 1 as 2; never 0 (= wait forever)
        connect_timeout=max(2, math.ceil(connect_timeout_s)),
        autocommit=True,
        application_name="gonogo",
    )
    try:
        conn = _open(dsn, target, options=options.strip(), **kwargs)
    except _OptionsRefused:
        conn = _open(dsn, target, **kwargs)
    conn.deadline_s = statement_timeout_ms / 1000 + DEADLINE_MARGIN_S
    try:
        _enforce(conn, statement_timeout_ms, read_only)
    except psycopg.Error as err:
        conn.close()
        raise probe_error(err, target) from err
    return conn


def connect_to(pg: PostgresConfig) -> WatchedConnection:
    """The gate's read-only connection to ``[postgres] dsn``, with its configured timeouts."""
    return connect(
        pg.dsn, connect_timeout_s=pg.connect_timeout_s, statement_timeout_ms=pg.statement_timeout_ms
    )


def connect_monitor(pg: PostgresConfig) -> WatchedConnection:
    """The read-only connection for monitoring views: ``monitor_dsn``, else ``dsn``."""
    return connect(
        pg.monitoring[1],
        connect_timeout_s=pg.connect_timeout_s,
        statement_timeout_ms=pg.statement_timeout_ms,
    )


class _OptionsRefused(Exception):
    """The server (a pooler) refused the startup ``options`` parameter."""


def _open(dsn: str, target: str, **kwargs: Any) -> WatchedConnection:
    try:
        return WatchedConnection.connect(dsn, **kwargs)
    except psycopg.Error as err:
        if "options" in kwargs and "unsupported startup parameter" in str(err):
            raise _OptionsRefused from err
        raise probe_error(err, target) from err


def _enforce(conn: psycopg.Connection[Any], statement_timeout_ms: int, read_only: bool) -> None:
    row = conn.execute(
        "SELECT current_setting('transaction_read_only'),"
        " (SELECT setting FROM pg_settings WHERE name = 'statement_timeout')"
    ).fetchone()
    assert row is not None
    if read_only and row[0] != "on":
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    if row[1] != str(int(statement_timeout_ms)):
        conn.execute(sql.SQL("SET statement_timeout = {}").format(int(statement_timeout_ms)))


def probe_error(err: psycopg.Error, target: str) -> ProbeError:
    """One-line ProbeError for a driver error (built from the target, never from the DSN)."""
    text = str(err).strip()
    low = text.lower()
    # libpq names host and user, never the password; keep the server's reason, one line
    why = (text.split("FATAL:", 1)[-1].strip().splitlines() or [type(err).__name__])[0][:200]
    where = f"postgres {target}"
    if isinstance(err, DeadlineExceeded):
        return ProbeTimeout(
            f"{where}: {why}: the server or the network stalls after the handshake "
            "(statement_timeout_ms + margin); check the server, proxies and load"
        )
    if isinstance(err, errors.ConnectionTimeout) or "timeout expired" in low:
        return ProbeTimeout(f"{where}: no answer in connect_timeout_s; check host, port, firewall")
    if isinstance(err, errors.QueryCanceled):
        return ProbeTimeout(f"{where}: a query hit statement_timeout_ms; raise it or check load")
    auth = ("password authentication failed", "pg_hba.conf", 'role "')
    if any(a in low for a in auth):
        return ProbeAuthError(f"{where}: credentials refused ({why}); check DSN user/password")
    if "database" in low and "does not exist" in low:
        return ProbeError(f"{where}: {why}; fix the database in the DSN", reason=ErrorReason.CONFIG)
    if "ssl" in low:
        return ProbeError(f"{where}: TLS negotiation failed ({why}); check sslmode and server ssl")
    if isinstance(err, errors.InsufficientPrivilege):
        return ProbeAuthError(f"{where}: permission denied ({why}); grant pg_monitor to it")
    if isinstance(err, psycopg.OperationalError):
        return ProbeRefused(f"{where}: cannot connect ({why}); check the server runs and host/port")
    return ProbeError(f"{where}: {type(err).__name__}: {why}")
