"""The PostgreSQL client tools of the restore drill: pg_restore, psql (also fed by ``gzip -dc``)
and pg_amcheck, pointed at the drill database exactly where a verified session landed.

The tools get their connection from :func:`child_env`, never from the DSN again: the effective
parameters of the session :func:`gonogo.probes.scratch.session` proved to reach the drill
database (whatever the DSN, ``PG*`` variables or a service file made of them: TLS mode and root
certificate, user, password, passfile...) as ``PG*`` variables, with the host, address and port
that session actually reached. So the tools cannot go elsewhere than what was verified, and no
password sits on a command line.

A tool that cannot connect is not a bad backup: :func:`judge_restore` tells it apart.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo

from gonogo.errors import ProbeError, ProbeTimeout
from gonogo.model import ErrorReason
from gonogo.probes.commands import last_line, pipeline, run, tool
from gonogo.schema.data import BackupConfig

ARCHIVE_FORMATS = ("custom", "tar", "directory")
# one transaction: a dump that breaks half-way leaves nothing behind, not empty tables
_PG_RESTORE = "--exit-on-error --single-transaction --no-owner --no-privileges --no-comments"
_PSQL = "-X -q -v ON_ERROR_STOP=1 --single-transaction"
# set from the verified session itself, or not at all (the service's settings are already in)
_NOT_INHERITED = {"host", "hostaddr", "port", "dbname", "service", "options", "application_name"}
# libpq's words when it cannot reach or stay connected to the server (15: "connection to
# server at ... failed: ...", before 14: "could not connect to server: ...")
_NO_CONNECTION = re.compile(
    r"error: (connection to server .* failed|could not connect to server"
    r"|could not translate host name)|server closed the connection unexpectedly",
    re.MULTILINE,
)
_AUTH = re.compile(r"failed: .*(password authentication|pg_hba\.conf|certificate|SSL)")
# a TABLE entry of `pg_restore -l`: "214; 1259 16388 TABLE public orders owner"
_TOC_TABLE = re.compile(r"^\d+;\s+1259\s+(\d+)\s+TABLE\s+(\S+)\s+(.+?)(?:\s+\S+)?$")


def child_env(conn: psycopg.Connection[Any], dbname: str, dsn: str) -> dict[str, str]:
    """``PG*`` variables reaching ``dbname`` where ``conn`` landed, with its other settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for opt in conn.pgconn.info:
        keyword = opt.keyword.decode()
        if opt.envvar and opt.val is not None and keyword not in _NOT_INHERITED:
            env[opt.envvar.decode()] = opt.val.decode()
    info = conn.info
    env.update(PGHOST=info.host, PGPORT=str(info.port), PGDATABASE=dbname)
    if info.hostaddr:  # the address it reached: a second DNS answer cannot move the tools
        env["PGHOSTADDR"] = info.hostaddr
    # the DSN's own options, without the statement_timeout the probe session added
    options = conninfo.conninfo_to_dict(dsn).get("options") or os.environ.get("PGOPTIONS")
    if options:
        env["PGOPTIONS"] = str(options)
    env["PGAPPNAME"] = "gonogo-restore"
    return env


def toc_tables(path: Path, cfg: BackupConfig, timeout_s: float) -> dict[str, int] | None:
    """``schema.table`` -> the table's OID in the source at dump time, from the archive's table
    of contents (None when ``pg_restore -l`` cannot read it)."""
    done = run(
        [tool("pg_restore", cfg), "-l", str(path)], timeout_s=timeout_s, what="pg_restore -l"
    )
    if done.returncode != 0:
        return None
    found = {}
    for line in done.stdout.decode(errors="replace").splitlines():
        match = _TOC_TABLE.match(line.strip())
        if match:
            found[f"{match[2]}.{match[3]}"] = int(match[1])
    return found


def restore(
    fmt: str, path: Path, cfg: BackupConfig, env: dict[str, str], timeout_s: float
) -> tuple[bool | None, ErrorReason | None, str]:
    """Restore ``path`` into ``PGDATABASE``: (restored, why not verified, what happened).

    Raises ProbeTimeout when it is still running after ``timeout_s`` (killed).
    """
    name = env["PGDATABASE"]
    if fmt in ARCHIVE_FORMATS:
        cmd = [tool("pg_restore", cfg), *_PG_RESTORE.split(), "-d", name, str(path)]
        done = run(cmd, timeout_s=timeout_s, what="restore", env=env)
        return judge_restore(done, f"pg_restore restored the {fmt} archive")
    psql = [tool("psql", cfg), *_PSQL.split(), "-d", name]
    if fmt == "plain":
        done = run([*psql, "-f", str(path)], timeout_s=timeout_s, what="restore", env=env)
        return judge_restore(done, "psql restored the plain SQL dump")
    gunzip, done = pipeline(
        ["gzip", "-dc", str(path)], psql, timeout_s=timeout_s, what="restore", env=env
    )
    ok, reason, detail = judge_restore(done, "gzip -dc | psql restored the gzipped SQL dump")
    if ok and gunzip.returncode != 0:  # psql committed what it got: the stream was cut short
        return False, None, f"gzip exit {gunzip.returncode}: {last_line(gunzip.stderr)}"
    return ok, reason, detail


def judge_restore(
    done: subprocess.CompletedProcess[bytes], success: str
) -> tuple[bool | None, ErrorReason | None, str]:
    """Exit 0 restored; a tool that could not connect is not verified; anything else failed."""
    tool_name = Path(str(done.args[0])).name
    line = last_line(done.stderr)
    if done.returncode == 0:
        return True, None, success
    text = done.stderr.decode(errors="replace")
    if _NO_CONNECTION.search(text) or (tool_name == "psql" and done.returncode == 2):
        reason = ErrorReason.AUTH if _AUTH.search(text) else ErrorReason.CONNECTIVITY
        first = next((ln for ln in text.splitlines() if "error" in ln), line)[:300]
        return None, reason, f"{tool_name} could not connect to the drill database: {first}"
    return False, None, f"{tool_name} exit {done.returncode}: {line}"


def amcheck(
    cfg: BackupConfig, env: dict[str, str], timeout_s: float
) -> tuple[bool | None, str, ErrorReason | None]:
    """pg_amcheck --heapallindexed on ``PGDATABASE``: True clean, False corrupt, None not
    verified, with what happened and, when not verified, why (out of time, or the tool or its
    grants missing)."""
    try:
        exe = tool("pg_amcheck", cfg)
    except ProbeError:
        return None, "pg_amcheck not installed (postgresql-client)", ErrorReason.CONFIG
    if timeout_s <= 0:
        why = "pg_amcheck not run: the check's time limit was reached"
        return None, why, ErrorReason.TIMEOUT
    cmd = [exe, "--install-missing", "--heapallindexed", env["PGDATABASE"]]
    try:
        done = run(cmd, timeout_s=timeout_s, what="pg_amcheck", env=env)
    except ProbeTimeout as err:
        return None, f"pg_amcheck could not finish: {err}", ErrorReason.TIMEOUT
    ok, why = judge_amcheck(done)
    return ok, why, ErrorReason.CONFIG if ok is None else None


def judge_amcheck(done: subprocess.CompletedProcess[bytes]) -> tuple[bool | None, str]:
    """pg_amcheck's verdict: True clean, False corrupt, None not verified (with why).

    Exit 2 means "problems reported per relation", which includes relations it could not
    check (e.g. no EXECUTE on amcheck's functions): those are not evidence of corruption.
    """
    line = last_line(done.stderr) or last_line(done.stdout)
    if done.returncode == 0:
        return True, "pg_amcheck --heapallindexed: no corruption"
    if done.returncode != 2:  # 1: it could not run at all
        return None, f"pg_amcheck could not run (exit {done.returncode}): {line}"
    problems = amcheck_problems(done.stdout.decode(errors="replace"))
    corrupt = [(rel, msg) for rel, msg in problems if not _UNCHECKED.search(msg)]
    if corrupt or not problems:
        rel, msg = corrupt[0] if corrupt else ("", line)
        why = f"pg_amcheck found corruption in {len(corrupt)} relation(s): {rel} {msg}"
        return False, why.strip()[:400]
    rel, msg = problems[0]
    return None, f"pg_amcheck could not check {len(problems)} relation(s): {rel} {msg}"[:400]


# errors that mean "not checked" rather than "corrupt" (amcheck reports corruption as ERRORs too)
_UNCHECKED = re.compile(
    r"^ERROR:\s+(permission denied|must be |canceling statement|function .* does not exist)"
)


def amcheck_problems(stdout: str) -> list[tuple[str, str]]:
    """``(relation header, first message)`` of each problem pg_amcheck printed."""
    problems: list[tuple[str, str]] = []
    header = None
    for raw in stdout.splitlines():
        if raw and not raw[0].isspace():
            header = raw.rstrip(":")
        elif raw.strip() and header is not None:
            problems.append((header, raw.strip()))
            header = None  # the first indented line says what is wrong
    return problems
