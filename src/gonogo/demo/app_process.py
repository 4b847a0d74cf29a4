"""Deploying the demo app into the run directory and running it under uvicorn."""

from __future__ import annotations

import os
import signal
import sys
from importlib import resources

from gonogo.demo.app_support import appconfig_values, write_env_file
from gonogo.demo.layout import CORS_ORIGIN, RELEASE, Layout, Ports, Secrets
from gonogo.demo.procs import LOOPBACK, Processes, wait_until

COMPONENT = "app"


def deploy(layout: Layout, database_url: str, redis_url: str, secrets: Secrets) -> None:
    """Copy the static front end and write ``.env.production`` (mode 0600) into the app dir."""
    static = layout.app_dir / "static"
    static.mkdir(parents=True, exist_ok=True)
    source = resources.files("gonogo.demo").joinpath("static")
    for entry in source.iterdir():
        if entry.is_file():
            (static / entry.name).write_bytes(entry.read_bytes())
    write_env_file(
        layout.env_file,
        {
            "APP_ENV": "production",
            "APP_RELEASE": RELEASE,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.app_secret_key,
            "CORS_ALLOWED_ORIGINS": CORS_ORIGIN,
            "SESSION_COOKIE_SECURE": "true",
            **appconfig_values(secrets),
        },
    )
    write_env_file(
        layout.staging_env_file,
        {
            "APP_ENV": "staging",
            "JWT_SECRET": secrets.staging_jwt_secret,
            "STRIPE_SECRET_KEY": secrets.staging_payment_key,
        },
    )


def start(layout: Layout, ports: Ports, procs: Processes, timeout: float = 20.0) -> int:
    env = {
        **os.environ,
        "GONOGO_DEMO_APP_DIR": str(layout.app_dir),
        "GONOGO_DEMO_APP_FAULTS": str(layout.app_faults_file),
        "PYTHONUNBUFFERED": "1",
    }
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "gonogo.demo.app:create_app",
        "--factory",
        "--host",
        LOOPBACK,
        "--port",
        str(ports.app),
        # nginx is the only client: trust its X-Forwarded-* and hide uvicorn's Server header
        "--proxy-headers",
        "--forwarded-allow-ips",
        LOOPBACK,
        "--no-server-header",
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        "3",
        # longer than nginx's upstream keepalive (60 s): a connection closed under nginx's
        # feet turns the next POST into a 502
        "--timeout-keep-alive",
        "75",
    ]
    log = layout.log(COMPONENT)
    pid = procs.spawn(COMPONENT, argv, log, env=env, cwd=layout.app_dir)
    url = f"http://{LOOPBACK}:{ports.app}/version"
    import httpx  # here, not at import: a gate run attached to a running stack never starts one

    def answers() -> bool:
        try:
            return httpx.get(url, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    procs.wait_until(
        COMPONENT,
        "answering /version",
        answers,
        timeout=timeout,
        log=log,
        gone=lambda: procs.exited(pid),
        interval=0.1,
    )
    return pid


def wait_dependency(layout: Layout, ports: Ports, check: str, timeout: float = 15.0) -> None:
    """Wait until the app itself sees ``check`` (database, cache) ok after a restart."""
    url = f"http://{LOOPBACK}:{ports.app}/health"
    import httpx

    def healthy() -> bool:
        try:
            body = httpx.get(url, timeout=5.0).json()
        except (httpx.HTTPError, ValueError):
            return False
        return isinstance(body, dict) and body.get("checks", {}).get(check) == "ok"

    wait_until(
        COMPONENT,
        f"{check} ok again",
        healthy,
        timeout=timeout,
        log=layout.log(COMPONENT),
        interval=0.1,
    )


def stop(procs: Processes, pid: int) -> None:
    procs.stop(pid, signal.SIGTERM, timeout=8.0)
