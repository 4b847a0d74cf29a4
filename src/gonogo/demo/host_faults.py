"""Apply and revert the host and app-config faults (``host.*``, ``config.*``).

Host faults change the machine as the host checks see it (a secrets file's mode, the run's
worker process); app-config faults rewrite one line of the app's ``.env.production``, keeping
the original value in the run state to put it back. The app reads its own keys at start only,
and these faults touch keys it does not serve from, so it keeps running unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from gonogo.demo import worker
from gonogo.demo.app_support import read_env_file
from gonogo.demo.components import Components, RunState
from gonogo.errors import DemoError

Effect = Callable[[Components, RunState], None]


def _chmod(mode: int) -> Effect:
    def effect(c: Components, state: RunState) -> None:
        c.layout.env_file.chmod(mode)

    return effect


def _stop_worker(c: Components, state: RunState) -> None:
    c.procs.stop(state.pids.get(worker.COMPONENT, 0))
    state.pids[worker.COMPONENT] = 0


def _start_worker(c: Components, state: RunState) -> None:
    state.pids[worker.COMPONENT] = worker.start(
        c.layout.worker_name, c.layout.log(worker.COMPONENT), c.procs
    )


def _set_env(key: str, value: Callable[[Components], str | None]) -> tuple[Effect, Effect]:
    """Replace ``key``'s value in ``.env.production`` (or add it); revert restores the line."""
    stash = f"env:{key}"

    def apply(c: Components, state: RunState) -> None:
        state.data[stash] = read_env_file(c.layout.env_file).get(key)
        _write(c, key, value(c))

    def revert(c: Components, state: RunState) -> None:
        _write(c, key, state.data.pop(stash, None))

    return apply, revert


def _write(c: Components, key: str, value: str | None) -> None:
    path = c.layout.env_file
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise DemoError(f"demo: cannot read {path}: {err}") from err
    kept = [line for line in lines if line.partition("=")[0].strip() != key]
    if value is not None:
        kept.append(f"{key}={value}")
    mode = path.stat().st_mode & 0o777
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    path.chmod(mode)


EFFECTS: dict[str, tuple[Effect, Effect]] = {
    "secrets-world-readable": (_chmod(0o644), _chmod(0o600)),
    "process-stopped": (_stop_worker, _start_worker),
    "required-missing": _set_env("JWT_SECRET", lambda c: None),
    "placeholder-secret": _set_env("JWT_SECRET", lambda c: "[generate-strong-secret-64-chars]"),
    "debug-true": _set_env("DEBUG", lambda c: "True"),
    "log-level-debug": _set_env("LOG_LEVEL", lambda c: "debug"),
    # the first half of the run's own JWT secret: 32 characters where 64 are required
    "short-jwt-secret": _set_env("JWT_SECRET", lambda c: c.secrets.jwt_secret[:32]),
    "test-key": _set_env("STRIPE_SECRET_KEY", lambda c: "sk_test_" + c.secrets.payment_key[8:]),
    "cors-wildcard-config": _set_env("CORS_ALLOWED_ORIGINS", lambda c: "*"),
}
