"""Fixtures of the data-store probe tests: one real stack per test process (see datastack.py)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from probes.datastack import Stack, free_port, make_stack, wait_for


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """PostgreSQL primary + standby + scratch, Redis master + replica + bare, backups."""
    yield from make_stack()


@pytest.fixture(scope="session")
def pgbouncer(stack: Stack) -> Iterator[int]:
    """A real PgBouncer (session pooling) in front of the primary; it refuses startup options."""
    exe = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(exe).is_file():
        pytest.skip("pgbouncer not installed (apt-get install pgbouncer)")
    port = free_port()
    ini = stack.root / "pgbouncer.ini"
    (stack.root / "pgbouncer-users.txt").write_text('"postgres" ""\n')
    ini.write_text(
        f"[databases]\n* = host=127.0.0.1 port={stack.ports['primary']}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nauth_type = trust\n"
        f"auth_file = {stack.root}/pgbouncer-users.txt\npool_mode = session\n"
        f"unix_socket_dir =\nlogfile = {stack.root}/pgbouncer.log\n"
    )
    # PgBouncer refuses to run as root
    proc = subprocess.Popen([exe, str(ini)], user="postgres", stderr=subprocess.DEVNULL)
    stack.procs["pgbouncer"] = proc
    dsn = f"postgresql://postgres@127.0.0.1:{port}/app"
    wait_for("pgbouncer", lambda: psycopg.connect(dsn, connect_timeout=2).close() is None)
    yield port
    stack.stop("pgbouncer")
