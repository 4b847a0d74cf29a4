"""PostgreSQL 15: the primary (database ``app``), its streaming standby, the sample data, and a
separate scratch server for restore drills.

``initdb`` and ``postgres`` refuse to run as root, so the servers run as the ``postgres`` OS
user, in the foreground, as children of this process (stopped by PID with SIGINT, the "fast"
shutdown). The stack itself talks to them as the superuser over the Unix socket (trust); over
TCP with passwords, the application connects as ``app`` (owner of the schema), the gate as
``gonogo`` (read-only: pg_monitor + pg_read_all_data) and restore drills as ``restore_drill``
(CREATEDB on the scratch server only, with EXECUTE on amcheck's functions in template1).
"""

from __future__ import annotations

import os
import shutil
import signal
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.demo.app_support import hash_password
from gonogo.demo.layout import APP_USER, Layout, Ports, Secrets
from gonogo.demo.procs import Processes
from gonogo.errors import DemoError

if TYPE_CHECKING:
    import psycopg

BIN = Path("/usr/lib/postgresql/15/bin")
SLOT = "demo_standby"
STANDBY_NAME = "demo-standby"
DATABASE = "app"
RESTORE_ROLE = "restore_drill"
GATE_ROLE = "gonogo"
HEAD_MIGRATION = "20261101_004"
OS_USER = "postgres"
INITDB_ARGS = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
# -R writes the standby config, -C creates the slot; -c fast: the default spread checkpoint
# makes a base backup take minutes
BASEBACKUP_ARGS = [
    "-h",
    "127.0.0.1",
    "-U",
    "replicator",
    "-R",
    "-C",
    "-X",
    "stream",
    "-c",
    "fast",
    "--no-sync",
]

_PRIMARY_CONF = """
# --- gonogo demo primary ---
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sock}'
cluster_name = 'demo-primary'
shared_buffers = 64MB
password_encryption = scram-sha-256
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
archive_mode = on
archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'
log_min_duration_statement = 200
log_line_prefix = '%m [%p] %q%u@%d '
log_checkpoints = on
"""

_STANDBY_CONF = """
# --- gonogo demo standby (overrides the settings copied from the primary) ---
port = {port}
cluster_name = '{name}'
hot_standby = on
wal_retrieve_retry_interval = '1s'
"""

# a scratch server holds throwaway databases: wal_level minimal lets a single-transaction
# restore skip WAL for the tables it creates (as a dedicated restore-test server would)
_SCRATCH_CONF = """
# --- gonogo demo scratch server (restore drills) ---
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sock}'
cluster_name = 'demo-scratch'
shared_buffers = 32MB
password_encryption = scram-sha-256
wal_level = minimal
max_wal_senders = 0
"""
# pg_amcheck --heapallindexed calls these; amcheck keeps them from PUBLIC
AMCHECK_FUNCTIONS = (
    "bt_index_check(regclass, boolean)",
    "verify_heapam(regclass, boolean, boolean, text, bigint, bigint)",
)

_HBA = """# gonogo demo: the superuser only over the local socket; everyone else with a password
local   all           postgres                      trust
local   replication   postgres                      trust
host    replication   replicator   127.0.0.1/32     scram-sha-256
host    all           all          127.0.0.1/32     scram-sha-256
"""


@dataclass(frozen=True, slots=True)
class PgNode:
    """One PostgreSQL server of the run (``primary`` or ``standby``)."""

    role: str
    data_dir: Path
    port: int
    log: Path

    @property
    def component(self) -> str:
        return f"postgres-{self.role}"


class Postgres:
    """Creates, starts and stops the primary and the standby of one run."""

    def __init__(self, layout: Layout, ports: Ports, secrets: Secrets, procs: Processes) -> None:
        self.layout = layout
        self.secrets = secrets
        self.procs = procs
        self.primary = PgNode(
            "primary", layout.pg / "primary", ports.pg, layout.log("postgres-primary")
        )
        self.standby = PgNode(
            "standby", layout.pg / "standby", ports.pg_standby, layout.log("postgres-standby")
        )
        self.scratch = PgNode(
            "scratch", layout.pg / "scratch", ports.pg_scratch, layout.log("postgres-scratch")
        )

    def node(self, role: str) -> PgNode:
        return {"primary": self.primary, "standby": self.standby, "scratch": self.scratch}[role]

    # --- lifecycle ---------------------------------------------------------------------
    def _initdb(self, node: PgNode) -> None:
        # both lanes create the shared directories: idempotent, whichever comes first
        for path in (self.layout.pg, self.layout.pg_socket_dir, self.layout.wal_archive):
            path.mkdir(parents=True, exist_ok=True)
            shutil.chown(path, OS_USER, OS_USER)
        self.layout.pg_socket_dir.chmod(0o755)
        self.procs.run(
            node.component,
            [str(BIN / "initdb"), "-D", str(node.data_dir), *INITDB_ARGS],
            timeout=60,
            log=node.log,
            user=OS_USER,
            group=OS_USER,
        )
        (node.data_dir / "pg_hba.conf").write_text(_HBA)

    def init_primary(self) -> None:
        self._initdb(self.primary)
        data = self.primary.data_dir
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                _PRIMARY_CONF.format(
                    port=self.primary.port,
                    sock=self.layout.pg_socket_dir,
                    archive=self.layout.wal_archive,
                )
            )

    def init_scratch(self) -> None:
        self._initdb(self.scratch)
        with (self.scratch.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(_SCRATCH_CONF.format(port=self.scratch.port, sock=self.layout.pg_socket_dir))

    def bootstrap_scratch(self) -> None:
        """The restore role, and amcheck in template1 so every drill database has it.

        The restore role is not a superuser: it creates databases (CREATEDB) and runs
        pg_amcheck with EXECUTE on amcheck's functions, which it could not install itself.
        """
        with self.connect(self.scratch, "template1") as conn:
            conn.execute(
                f"CREATE ROLE {RESTORE_ROLE} LOGIN CREATEDB PASSWORD "
                f"'{self.secrets.restore_password}'"
            )
            conn.execute("CREATE EXTENSION amcheck")
            conn.execute(
                f"GRANT EXECUTE ON FUNCTION {', '.join(AMCHECK_FUNCTIONS)} TO {RESTORE_ROLE}"
            )

    def start(self, role: str, timeout: float = 30.0) -> int:
        node = self.node(role)
        pid = self.procs.spawn(
            node.component,
            [str(BIN / "postgres"), "-D", str(node.data_dir)],
            node.log,
            user=OS_USER,
            cwd=node.data_dir,
            stop=signal.SIGINT,
        )
        self.procs.wait_until(
            node.component,
            "accepting connections",
            lambda: self._answers(node),
            timeout=timeout,
            log=node.log,
            gone=lambda: self.procs.exited(pid),
        )
        return pid

    def stop(self, pid: int) -> None:
        # SIGINT is PostgreSQL's "fast" shutdown: roll back sessions, checkpoint, exit
        self.procs.stop(pid, signal.SIGINT, timeout=20.0)

    def _answers(self, node: PgNode) -> bool:
        import psycopg

        try:
            with self.connect(node, "postgres", connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def connect(
        self, node: PgNode, dbname: str = DATABASE, connect_timeout: int = 5
    ) -> psycopg.Connection:
        """A superuser connection over the Unix socket (autocommit)."""
        import psycopg  # here, not at import: a gate run attached to a stack only reads DSNs

        return psycopg.connect(
            host=str(self.layout.pg_socket_dir),
            port=node.port,
            user="postgres",
            dbname=dbname,
            autocommit=True,
            connect_timeout=connect_timeout,
        )

    def app_dsn(self, dbname: str = DATABASE, port: int | None = None) -> str:
        port = port or self.primary.port
        return f"postgresql://app:{self.secrets.pg_password}@127.0.0.1:{port}/{dbname}"

    def gate_dsn(self) -> str:
        """The gate's read-only role on the primary."""
        port = self.primary.port
        return f"postgresql://{GATE_ROLE}:{self.secrets.gate_password}@127.0.0.1:{port}/{DATABASE}"

    def scratch_dsn(self) -> str:
        """The restore role on the scratch server (a drill creates its own databases there)."""
        return (
            f"postgresql://{RESTORE_ROLE}:{self.secrets.restore_password}@127.0.0.1:"
            f"{self.scratch.port}/postgres"
        )

    # --- data --------------------------------------------------------------------------
    def bootstrap(self) -> None:
        """Roles, databases, the schema (owned by ``app``) and the sample rows."""
        import psycopg

        s = self.secrets
        with self.connect(self.primary, "postgres") as conn:
            conn.execute(f"CREATE ROLE app LOGIN PASSWORD '{s.pg_password}'")
            # tests/demo reads replication state as app; the gate no longer needs this
            conn.execute("GRANT pg_monitor TO app")
            # the gate's own role: reads statistics (pg_monitor) and rows (pg_read_all_data,
            # for the restore drill's source counts), never writes; not the schema owner
            conn.execute(
                f"CREATE ROLE {GATE_ROLE} LOGIN PASSWORD '{s.gate_password}'"
                " IN ROLE pg_monitor, pg_read_all_data"
            )
            conn.execute(f"ALTER ROLE {GATE_ROLE} SET default_transaction_read_only = on")
            conn.execute(
                f"CREATE ROLE replicator LOGIN REPLICATION PASSWORD '{s.replication_password}'"
            )
            conn.execute(f"CREATE DATABASE {DATABASE} OWNER app")
        with psycopg.connect(self.app_dsn(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(_sql("schema.sql"))
            conn.execute(
                "INSERT INTO app_users (username, password_hash) VALUES (%s, %s)",
                (APP_USER, hash_password(s.app_user_password)),
            )
        self.add_orders(5000)

    def add_orders(self, count: int) -> None:
        import psycopg

        with psycopg.connect(self.app_dsn(), autocommit=True, connect_timeout=5) as conn:
            psycopg.ClientCursor(conn).execute(_sql("orders.sql"), {"count": count})

    def pgbench(self) -> None:
        env = {**os.environ, "PGPASSWORD": self.secrets.pg_password}
        self.procs.run(
            "postgres-primary",
            [
                str(BIN / "pgbench"),
                *["-i", "-s", "5", "-q", "-h", "127.0.0.1", "-U", "app"],
                "-p",
                str(self.primary.port),
                DATABASE,
            ],
            timeout=120,
            log=self.layout.log("pgbench"),
            env=env,
        )

    # --- standby -----------------------------------------------------------------------
    def create_standby(self) -> None:
        env = {**os.environ, "PGPASSWORD": self.secrets.replication_password}
        self.procs.run(
            "postgres-standby",
            [
                str(BIN / "pg_basebackup"),
                "-p",
                str(self.primary.port),
                "-D",
                str(self.standby.data_dir),
                "-S",
                SLOT,
                *BASEBACKUP_ARGS,
            ],
            timeout=120,
            log=self.standby.log,
            user=OS_USER,
            group=OS_USER,
            env=env,
        )
        with (self.standby.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(_STANDBY_CONF.format(port=self.standby.port, name=STANDBY_NAME))

    def streaming(self, caught_up: bool = False) -> bool:
        """Whether the standby streams from the primary (and has replayed everything)."""
        import psycopg

        query = (
            "SELECT state = 'streaming' AND (NOT %s OR replay_lsn >= pg_current_wal_lsn()) "
            "FROM pg_stat_replication WHERE application_name = %s"
        )
        try:
            with self.connect(self.primary, "postgres", connect_timeout=2) as conn:
                row = conn.execute(query, (caught_up, STANDBY_NAME)).fetchone()
        except psycopg.OperationalError:
            return False
        return bool(row and row[0])

    def wait_streaming(self, timeout: float = 30.0, caught_up: bool = False) -> None:
        self.procs.wait_until(
            "postgres-standby",
            "streaming replication",
            lambda: self.streaming(caught_up),
            timeout=timeout,
            log=self.standby.log,
            interval=0.1,
        )


def _sql(name: str) -> str:
    try:
        return (
            resources.files("gonogo.demo").joinpath("templates", name).read_text(encoding="utf-8")
        )
    except OSError as err:
        raise DemoError(f"postgres: missing packaged SQL file {name}") from err
