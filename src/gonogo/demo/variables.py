"""The ``GONOGO_DEMO_*`` variables a run exports for ``environments/demo.toml`` and the checks.

Names matter to the config loader: a variable whose name contains PASSWORD, SECRET,
PASSPHRASE (or KEY, TOKEN, AUTH, SESSION...) is treated as a secret and redacted, so
non-secret values (paths, ports) never carry such words in their names.
"""

from __future__ import annotations

from collections.abc import Iterable

from gonogo.demo import dns, releases
from gonogo.demo.components import Components
from gonogo.demo.layout import APP_USER, CORS_ORIGIN, RELEASE
from gonogo.demo.postgres import DATABASE, GATE_ROLE, HEAD_MIGRATION, RESTORE_ROLE, SLOT

PREFIX = "GONOGO_DEMO_"


# the restore-target-is-source fault: the drill's scratch DSN names the primary (by another
# host name and another database than the gate's DSN, which the old guard let through)
TARGET_IS_SOURCE = "restore-target-is-source"


def variables(c: Components, faults: Iterable[str]) -> dict[str, str]:
    faults = tuple(faults)
    p, s, layout = c.ports, c.secrets, c.layout
    scratch_dsn = c.pg.scratch_dsn()
    if TARGET_IS_SOURCE in faults:
        scratch_dsn = f"postgresql://app:{s.pg_password}@localhost:{p.pg}/postgres"
    values = {
        # run
        "RUN_DIR": str(layout.run_dir),
        "STATE_FILE": str(layout.state_file),
        "LOGS_DIR": str(layout.logs),
        "FAULTS": ",".join(sorted(faults)),
        "RELEASE": RELEASE,
        # web
        "HTTPS_PORT": str(p.https),
        "HTTP_PORT": str(p.http),
        "CONTROL_PORT": str(p.control),
        "APP_PORT": str(p.app),
        "BASE_URL": f"https://localhost:{p.https}",
        "HTTP_URL": f"http://localhost:{p.http}",
        "APP_URL": f"http://127.0.0.1:{p.app}",
        "METRICS_URL": f"http://127.0.0.1:{p.app}/metrics",
        "CA_BUNDLE": str(c.pki.ca_bundle),
        "CORS_ALLOWED_ORIGIN": CORS_ORIGIN,
        "NGINX_CONF": str(c.nginx.conf),
        "NGINX_ERROR_LOG": str(layout.nginx / "error.log"),
        "NGINX_ACCESS_LOG": str(layout.nginx / "access.log"),
        "APP_DIR": str(layout.app_dir),
        "APP_ENV_FILE": str(layout.env_file),
        "APP_LOG": str(layout.log("app")),
        "APP_USER": APP_USER,
        "APP_USER_PASSWORD": s.app_user_password,
        "APP_SECRET_KEY": s.app_secret_key,
        # postgres
        "PG_HOST": "127.0.0.1",
        "PG_PORT": str(p.pg),
        "PG_STANDBY_PORT": str(p.pg_standby),
        "PG_USER": "app",
        "PG_PASSWORD": s.pg_password,
        "PG_DATABASE": DATABASE,
        "PG_DSN": c.pg.app_dsn(),
        "PG_STANDBY_DSN": c.pg.app_dsn(port=p.pg_standby),
        "PG_GATE_USER": GATE_ROLE,
        "PG_GATE_PASSWORD": s.gate_password,
        "PG_GATE_DSN": c.pg.gate_dsn(),
        "PG_SCRATCH_PORT": str(p.pg_scratch),
        "PG_SCRATCH_USER": RESTORE_ROLE,
        "PG_SCRATCH_PASSWORD": s.restore_password,
        "PG_SCRATCH_DSN": scratch_dsn,
        "PG_SOCKET_DIR": str(layout.pg_socket_dir),
        "PG_DATA_DIR": str(c.pg.primary.data_dir),
        "PG_LOG": str(c.pg.primary.log),
        "PG_WAL_ARCHIVE": str(layout.wal_archive),
        "PG_REPLICATION_SLOT": SLOT,
        "PG_EXPECTED_MIGRATION": HEAD_MIGRATION,
        # redis
        "REDIS_PORT": str(p.redis),
        "REDIS_REPLICA_PORT": str(p.redis_replica),
        "REDIS_PASSWORD": s.redis_password,
        "REDIS_URL": c.redis.url("master"),
        "REDIS_REPLICA_URL": c.redis.url("replica"),
        # hosts (host.*) and the app's env files (config.*)
        "SSH_PORT": str(p.ssh),
        "SSH_USER": c.sshd.files().user,
        "SSH_CONFIG": str(c.sshd.files().ssh_config),
        "SSH_IDENTITY_FILE": str(c.sshd.files().identity_file),
        "WORKER_NAME": layout.worker_name,
        "SERVER_CERT": str(c.pki.cert_path("server")),
        "APP_STAGING_ENV_FILE": str(layout.staging_env_file),
        # backups
        "BACKUPS_DIR": str(layout.backups),
        "BACKUP_GLOB": "app-*.dump.gpg",
        "BACKUP_PASSPHRASE": s.backup_passphrase,
        # monitoring
        "PROMETHEUS_URL": c.monitoring.prometheus_url,
        "ALERTMANAGER_URL": c.monitoring.alertmanager_url,
        "ALERT_RULES_DIR": str(c.monitoring.rules_dir),
        "WEBHOOK_URL": c.monitoring.webhook_url,
        # rollback
        "PREVIOUS_RELEASE": str(releases.artefact(layout)),
        "ROLLBACK_COMMAND": str(releases.command(layout)),
        "PREDEPLOY_BACKUP": releases.predeploy_backup(layout),
        "SMTP_URL": f"smtp://localhost:{p.smtp}",
        # dns
        "DNS_RESOLVER": c.dns.resolver,
        "DNS_SITE_NAME": dns.WWW,
        "DNS_SITE_ADDRESS": dns.SITE_ADDRESS,
        "DNS_ALIAS": dns.API,
    }
    return {PREFIX + name: value for name, value in values.items()}
