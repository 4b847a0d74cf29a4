"""Schema-wide rules: every number is bounded, every must-exist path is marked, every URL
needs a host (so a new key cannot quietly skip them)."""

from __future__ import annotations

import typing
from pathlib import Path

import annotated_types as at
import pytest
from pydantic import ValidationError

from gonogo.schema import CheckOverride, EnvironmentConfig, WebConfig
from gonogo.schema.base import MustExist, url_host_problem
from gonogo.schema.reference import field_paths

# Path keys that need not exist when the run starts, and why
NEED_NOT_EXIST = {
    "secrets_file": "read by the loader itself, which names it when it cannot",
    "backup.directory": "the backups under test: an absent directory is the checks' finding",
    "backup.work_dir": "created (0700) when missing",
    "monitoring.promtool": "a command name looked up on PATH; not found is the check's error",
    "app_config.env_file": "may live on a host ([app_config] host); a missing file is an error",
    "app_config.staging_file": "as env_file",
    "load.baseline_file": "written by `gonogo load accept`; absent: no baseline accepted yet",
    "e2e.chromium": "a missing browser is every browser check's error (config), never a skip",
}


def _fields() -> list[tuple[str, typing.Any]]:
    rows = [(path, field) for path, field, sub in field_paths() if sub is None]
    rows += [(f"checks.*.{name}", f) for name, f in CheckOverride.model_fields.items()]
    return rows


def _is(annotation: typing.Any, kind: type) -> bool:
    if annotation is kind:
        return True
    return typing.get_origin(annotation) is not list and any(
        _is(arg, kind) for arg in typing.get_args(annotation)
    )


def test_every_number_has_both_bounds() -> None:
    """Each int/float key has a lower and an upper bound (1e20 would overflow a timer)."""
    unbounded = []
    for path, field in _fields():
        if not (_is(field.annotation, int) or _is(field.annotation, float)):
            continue
        low = any(isinstance(m, (at.Gt, at.Ge)) for m in field.metadata)
        high = any(isinstance(m, (at.Lt, at.Le)) for m in field.metadata)
        if not high or (
            not low and path != "headers.hsts_min_max_age"
        ):  # its validator: >= 6 months
            unbounded.append(path)
    assert not unbounded, f"give these keys sensible bounds: {unbounded}"


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")], ids=str)
def test_no_key_takes_inf_or_nan(value: float) -> None:
    """Every table refuses non-finite numbers (the models share Section's configuration)."""
    with pytest.raises(ValidationError, match="finite number"):
        WebConfig.model_validate({"base_url": "https://x", "timeout_s": value})
    with pytest.raises(ValidationError, match="finite number"):
        CheckOverride.model_validate({"timeout_s": value})
    assert EnvironmentConfig.model_config.get("allow_inf_nan") is False


def test_every_path_key_says_whether_it_must_exist() -> None:
    """A Path key is either checked before the run (MustExist) or listed here with the reason."""
    undecided = [
        path
        for path, field in _fields()
        if _is(field.annotation, Path)
        and not any(isinstance(m, MustExist) for m in field.metadata)
        and path not in NEED_NOT_EXIST
    ]
    assert not undecided, f"mark with MustExist or list in NEED_NOT_EXIST: {undecided}"


URLS = [
    ("https://", "has no host"),
    ("https://:443", "has no host"),
    ("https://user@", "has no host"),
    ("https://[]:8443/", "has no host"),
    ("redis://:secret@", "has no host"),
    ("redis://:6379/0", "has no host"),
    ("postgresql:///app", "has no host"),
    ("postgresql://h1,:5433/app", "has no host"),
    ("https://app.example.com", None),
    ("https://[::1]:8443/x", None),
    ("redis://:pw@cache:6379/0", None),
    ("unix:///run/redis.sock", None),
    ("postgresql://u:pa/ss#x@db:5432/app", None),
    ("postgresql://h1,h2:5433/app", None),
    ("postgresql:///app?host=/run/postgresql", None),
    ("postgresql:///postgres?service=drill", None),
    ("postgresql://u@/app?hostaddr=10.0.0.5", None),
    ("not a url", None),
]


@pytest.mark.parametrize(("url", "problem"), URLS, ids=[u[0] for u in URLS])
def test_url_host(url: str, problem: str | None) -> None:
    """A URL key without a host is refused; sockets and libpq's ?host= are hosts too."""
    found = url_host_problem(url)
    assert (found is None) if problem is None else (found is not None and problem in found)


# every *url / *dsn key, a value without a host, and the other keys its table requires
NO_HOST = {
    "web.base_url": ("https://", {}),
    "web.http_url": ("http://:80", {"base_url": "https://x"}),
    "postgres.dsn": ("postgresql://u:p@/app", {}),
    "postgres.monitor_dsn": ("postgresql://:5432/app", {"dsn": "postgresql://h/app"}),
    "redis.url": ("rediss://:pw@:6380", {}),
    "backup.scratch_dsn": ("postgresql://", {"directory": "/tmp"}),
    "monitoring.prometheus_url": ("http://", {}),
    "monitoring.alertmanager_url": ("http://:9093", {"prometheus_url": "http://p"}),
    "monitoring.log_url": ("https://", {"prometheus_url": "http://p"}),
    "monitoring.error_tracking_url": ("https://", {"prometheus_url": "http://p"}),
    "smoke.smtp.url": ("smtp://:587", {"sender": "a@example.com", "recipient": "b@example.com"}),
}


def test_every_url_key_needs_a_host() -> None:
    """The host rule applies to every *url / *dsn key of every table (one validator)."""
    keys = {path for path, _field in _fields() if path.endswith(("url", "dsn"))}
    assert keys == set(NO_HOST), "add the new URL key to NO_HOST"
    tables = {path: sub for path, _field, sub in field_paths() if sub is not None}
    for path, (value, others) in NO_HOST.items():
        table, _, key = path.rpartition(".")
        with pytest.raises(ValidationError, match="has no host"):
            tables[table].model_validate({key: value, **others})
