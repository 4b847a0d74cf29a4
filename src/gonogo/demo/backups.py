"""The backups directory: ``pg_dump -Fc`` dumps, sha256sum files, GnuPG-encrypted copies.

Names follow ``app-YYYYmmddTHHMMSSZ.dump`` with ``<dump>.sha256`` (sha256sum format) and
``<dump>.gpg`` (symmetric, passphrase in the demo secrets) plus ``<dump>.gpg.sha256`` next to
each dump. ``environments/demo.toml`` judges the encrypted copies (``app-*.dump.gpg``), as a
site that ships only encrypted backups off the host would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import signal
import socket
from collections.abc import Callable
from pathlib import Path

from gonogo.demo.layout import Layout, Secrets
from gonogo.demo.postgres import BIN, DATABASE, Postgres
from gonogo.demo.procs import Processes

COMPONENT = "backups"
STAMP = "%Y%m%dT%H%M%SZ"
DUMP_NAME = re.compile(r"^app-(?P<stamp>\d{8}T\d{6}Z)\.dump$")


def dump_name(when: dt.datetime) -> str:
    return f"app-{when.strftime(STAMP)}.dump"


def dumps(directory: Path) -> list[Path]:
    """The dumps in ``directory``, oldest first (by the timestamp in the name)."""
    found = [p for p in directory.glob("app-*.dump") if DUMP_NAME.match(p.name)]
    return sorted(found, key=lambda p: p.name)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_checksum(dump: Path, digest: str | None = None) -> None:
    digest = digest or sha256_file(dump)
    Path(f"{dump}.sha256").write_text(f"{digest}  {dump.name}\n")


def set_time(paths: list[Path], when: dt.datetime) -> None:
    stamp = when.timestamp()
    for path in paths:
        if path.exists():
            os.utime(path, (stamp, stamp))


class Backups:
    """Makes the dumps of one run and their encrypted copies."""

    def __init__(self, layout: Layout, pg: Postgres, secrets: Secrets, procs: Processes) -> None:
        self.layout = layout
        self.directory = layout.backups
        self.pg = pg
        self.secrets = secrets
        self.procs = procs
        self.log = layout.log(COMPONENT)

    def dump(
        self, when: dt.datetime, directory: Path | None = None, *, schema_only: bool = False
    ) -> Path:
        """A custom-format dump of ``app`` named and dated ``when``, with its checksum."""
        directory = directory or self.directory
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / dump_name(when)
        partial = target.with_suffix(".dump.partial")
        self.procs.run(
            COMPONENT,
            [
                str(BIN / "pg_dump"),
                "-Fc",
                "-h",
                str(self.layout.pg_socket_dir),
                "-p",
                str(self.pg.primary.port),
                "-U",
                "postgres",
                "-f",
                str(partial),
                *(["--schema-only"] if schema_only else []),
                DATABASE,
            ],
            timeout=120,
            log=self.log,
        )
        partial.rename(target)
        write_checksum(target)
        return target

    def encrypt(self, plan: list[tuple[Path, str, Path]], *, cipher: str = "AES256") -> None:
        """``gpg -c`` (AES256 unless told) each (dump, passphrase, target), with a gpg-agent of
        our own.

        gpg 2.2 needs an agent even for symmetric encryption; an auto-started agent would
        daemonize and outlive the run, so a supervised one is started on our socket instead.
        """
        home = self.layout.gnupg
        home.mkdir(mode=0o700, exist_ok=True)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            sock_path = home / "S.gpg-agent"
            sock_path.unlink(missing_ok=True)
            listener.bind(str(sock_path))
            listener.listen(8)
            fd = listener.fileno()
            # --supervised expects the listening socket as fd 3 (bash: dash cannot name fds > 9)
            move = "" if fd == 3 else f" 3<&{fd} {fd}<&-"
            agent = self.procs.spawn(
                "gpg-agent",
                [
                    "/bin/bash",
                    "-c",
                    f'exec gpg-agent --homedir "$1" --supervised{move}',
                    "bash",
                    str(home),
                ],
                self.layout.log("gpg-agent"),
                pass_fds=(fd,),
                program="gpg-agent",
            )
            try:
                for dump, passphrase, target in plan:
                    # the agent's calibrated S2K count costs ~1 s per file on this machine;
                    # 65536 iterations (gpg's classic default) is plenty for a random passphrase
                    self._gpg(
                        home,
                        passphrase,
                        [
                            "-c",
                            "--cipher-algo",
                            cipher,
                            "--s2k-count",
                            "65536",
                            "-o",
                            str(target),
                            str(dump),
                        ],
                    )
            finally:
                self.procs.stop(agent, signal.SIGTERM, timeout=5.0)
            sock_path.unlink(missing_ok=True)

    def _gpg(self, home: Path, passphrase: str, args: list[str]) -> None:
        argv = [
            "gpg",
            "--homedir",
            str(home),
            "--no-autostart",
            "--batch",
            "--yes",
            "--quiet",
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            "0",
            *args,
        ]
        self.procs.run("backups", argv, timeout=30, log=self.log, input=passphrase.encode() + b"\n")

    def create(self, now: dt.datetime, say: Callable[[str], None]) -> None:
        """Yesterday's dump, a batch of new orders, today's dump (bigger), encrypted copies."""
        previous = self.dump(now - dt.timedelta(days=1))
        self.pg.add_orders(600)
        newest = self.dump(now)
        say(f"backups: dumps written ({newest.stat().st_size:,} bytes)")
        self.encrypt(
            [(d, self.secrets.backup_passphrase, Path(f"{d}.gpg")) for d in (previous, newest)]
        )
        for dump, when in ((previous, now - dt.timedelta(days=1)), (newest, now)):
            write_checksum(Path(f"{dump}.gpg"))
            set_time(
                [dump, Path(f"{dump}.sha256"), Path(f"{dump}.gpg"), Path(f"{dump}.gpg.sha256")],
                when,
            )
        say("backups: encrypted copies written")
