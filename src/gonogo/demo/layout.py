"""Where a demo run keeps its files, which ports it uses, and its generated secrets."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets as _secrets
import stat
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from gonogo.errors import DemoError

RELEASE = "1.4.2"
CORS_ORIGIN = "https://app.demo.test"
APP_USER = "demo"
# the default home of runs outside a project, or of a project the postgres user cannot reach
SYSTEM_HOME = Path("/var/tmp/gonogo-demo")


@dataclass(frozen=True, slots=True)
class Ports:
    """Loopback TCP ports of one run.

    Attributes:
        https: nginx TLS listener (the site).
        http: nginx plain-HTTP listener (redirects to https).
        control: nginx control listener serving the config generation.
        hop: nginx listener used only by the ``redirect-downgrade`` fault.
        app: uvicorn (the demo app, reached by nginx).
        pg: PostgreSQL primary.
        pg_standby: PostgreSQL streaming standby.
        redis: Redis master.
        redis_replica: Redis replica.
        pg_scratch: PostgreSQL scratch server of the restore drills.
        prometheus: Prometheus (scrapes the app). alertmanager: Alertmanager. webhook: the
            Alertmanager receiver. dead_target: held, never listening: the scrape target of
            the ``scrape-target-down`` fault.
        ssh: the private sshd (the ``ssh://`` host of the host checks).
        smtp: the mail relay (aiosmtpd, STARTTLS) of ``smoke.smtp``.
        dns: the authoritative DNS server of ``dns.*`` (UDP and TCP).
    """

    https: int
    http: int
    control: int
    hop: int
    app: int
    pg: int
    pg_standby: int
    redis: int
    redis_replica: int
    pg_scratch: int
    prometheus: int
    alertmanager: int
    webhook: int
    dead_target: int
    ssh: int
    smtp: int
    dns: int

    @classmethod
    def from_list(cls, ports: list[int]) -> Ports:
        return cls(*ports)

    @classmethod
    def count(cls) -> int:
        return len(fields(cls))


@dataclass(frozen=True, slots=True)
class Secrets:
    """Passwords of one run (fresh random values per run; never reused).

    Attributes:
        pg_password: password of the ``app`` PostgreSQL role.
        replication_password: password of the ``replicator`` role used by the standby.
        restore_password: password of the ``restore_drill`` role (CREATEDB, on the scratch server).
        redis_password: ``requirepass`` of both Redis servers.
        app_secret_key: the app's SECRET_KEY (signs session cookies).
        app_user_password: password of the demo login user ``demo``.
        backup_passphrase: symmetric GnuPG passphrase of the encrypted backups.
        gate_password: password of the gate's read-only ``gonogo`` PostgreSQL role.
        jwt_secret / payment_key: the app's JWT_SECRET (64 characters) and STRIPE_SECRET_KEY
            (``sk_live_...``), and their staging counterparts (``.env.staging``): config lint.
    """

    pg_password: str
    replication_password: str
    restore_password: str
    redis_password: str
    app_secret_key: str
    app_user_password: str
    backup_passphrase: str
    gate_password: str
    jwt_secret: str = ""
    payment_key: str = ""
    staging_jwt_secret: str = ""
    staging_payment_key: str = ""

    @classmethod
    def generate(cls) -> Secrets:
        # URL-safe tokens can go into DSNs and config files without quoting
        values = {f.name: _secrets.token_urlsafe(18) for f in fields(cls)}
        for prefix in ("", "staging_"):
            values[f"{prefix}jwt_secret"] = _secrets.token_urlsafe(48)  # 64 characters
            values[f"{prefix}payment_key"] = "sk_live_" + _secrets.token_urlsafe(24)
        return cls(**values)

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Layout:
    """Paths inside a run directory (every path is derived from ``run_dir``)."""

    run_dir: Path

    @property
    def state_file(self) -> Path:
        return self.run_dir / "state.json"

    @property
    def lock_file(self) -> Path:
        return self.run_dir / "state.lock"

    @property
    def logs(self) -> Path:
        return self.run_dir / "logs"

    @property
    def pki(self) -> Path:
        return self.run_dir / "pki"

    @property
    def pg(self) -> Path:
        return self.run_dir / "pg"

    @property
    def pg_socket_dir(self) -> Path:
        return self.pg / "sock"

    @property
    def wal_archive(self) -> Path:
        return self.run_dir / "wal_archive"

    @property
    def redis(self) -> Path:
        return self.run_dir / "redis"

    @property
    def app_dir(self) -> Path:
        return self.run_dir / "app"

    @property
    def env_file(self) -> Path:
        return self.app_dir / ".env.production"

    @property
    def staging_env_file(self) -> Path:
        return self.app_dir / ".env.staging"

    @property
    def sshd_dir(self) -> Path:
        return self.run_dir / "sshd"

    @property
    def worker_name(self) -> str:
        """The process name (comm, 15 characters) of the run's worker: unique per run."""
        return "gng-worker-" + hashlib.sha256(str(self.run_dir).encode()).hexdigest()[:4]

    @property
    def app_faults_file(self) -> Path:
        return self.run_dir / "app-faults.json"

    @property
    def nginx(self) -> Path:
        return self.run_dir / "nginx"

    @property
    def backups(self) -> Path:
        return self.run_dir / "backups"

    @property
    def gnupg(self) -> Path:
        return self.run_dir / "gnupg"

    @property
    def stash(self) -> Path:
        """Where faults keep what they moved away, to put it back on revert."""
        return self.run_dir / "fault-stash"

    def log(self, component: str) -> Path:
        return self.logs / f"{component}.log"


def project_root(start: Path | None = None) -> Path | None:
    """The nearest directory upward from ``start`` (default: cwd) holding a pyproject.toml."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    return None


def demo_home(start: Path | None = None) -> Path:
    """Where run directories go by default: ``<project>/.demo`` when run inside a project the
    ``postgres`` user can traverse, else a directory of that project under ``/var/tmp``.

    The ``postgres`` user must traverse every ancestor of the cluster's data directory, and a
    fresh clone may sit below a mode-0700 directory (root's home, ``mktemp -d``): such a project
    gets ``/var/tmp/gonogo-demo/<name>-<hash of its path>``, the same one on every call, so
    ``demo up`` and ``demo down`` agree. Not ``~/.cache`` for the same reason.
    """
    root = project_root(start)
    if root is None:
        return SYSTEM_HOME
    if untraversable(root) is None:
        return root / ".demo"
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    return SYSTEM_HOME / f"{root.name}-{digest}"


def default_state_file() -> Path:
    return demo_home() / "current.json"


def remove_home_if_empty(path: Path) -> None:
    """Remove the default demo home (see :func:`demo_home`) once no run or link is left in it."""
    if path.resolve() == demo_home().resolve():
        # still in use (another run, the `demo up` link) or already gone: leave it
        with contextlib.suppress(OSError):
            path.rmdir()


def new_run_dir(base_dir: Path | None) -> Path:
    base = (base_dir or demo_home()).resolve()
    missing = [path for path in (base, *base.parents) if not path.exists()]
    base.mkdir(parents=True, exist_ok=True)
    for created in missing:
        created.chmod(0o755)  # whatever the umask: the postgres user must traverse it
    blocked = untraversable(base)
    if blocked is not None:
        raise DemoError(
            f"postgres: {blocked} is not traversable by other users (mode "
            f"{stat.filemode(blocked.stat().st_mode)}); pass base_dir= a directory outside it"
        )
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    run_dir = base / f"{stamp}-{os.getpid()}-{_secrets.token_hex(2)}"
    run_dir.mkdir(mode=0o755)
    run_dir.chmod(0o755)  # whatever the umask: the postgres user must traverse it
    return run_dir


def untraversable(path: Path) -> Path | None:
    """The first of ``path`` and its ancestors that other users cannot traverse, if any."""
    for ancestor in (path, *path.parents):
        if not ancestor.stat().st_mode & stat.S_IXOTH:
            return ancestor
    return None
