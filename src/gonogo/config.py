"""Loading an environment file: TOML → ``${VAR}`` interpolation → pydantic validation.

Every error is a :class:`~gonogo.errors.ConfigError` with one line that names the file, the
key path and what is allowed. Values that came from secrets are collected so that the
:class:`~gonogo.redact.Redactor` can mask them everywhere.

A value is treated as secret when it came from the ``secrets_file``, from a process variable
whose name looks secret (``*PASSWORD*``, ``*PW``, ``*SECRET*``, ``*TOKEN*``, ``*KEY*``, ...),
when it sits under a secret-looking key (``password``, ``token``, ``passphrase``, ...), or when
it is the password of a URL such as a DSN (and the base64 of its ``user:password``), or the
``password=`` of a libpq keyword DSN.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Container, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pydantic import TypeAdapter, ValidationError

from gonogo import files
from gonogo.errors import ConfigError
from gonogo.problems import SECRET_KEY as _SECRET_KEY
from gonogo.problems import format_problems, problem_lines
from gonogo.redact import Redactor
from gonogo.schema import CHECK_ID, ENV_NAME, EnvironmentConfig, Waiver
from gonogo.schema.base import userinfo
from gonogo.secret_forms import base64_forms

# $$ (a literal $), ${NAME}, ${NAME:-default}; any other "${" is a malformed placeholder
_VAR = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}|(?P<bad>\$\{)"
)
_SECRET_NAME = re.compile(
    r"(?i)(pass|pwd?(?![a-z])|secret|token|key|credential|auth|private|cookie|session)"
)
# password=... of a libpq keyword DSN: 'quoted \' value' or up to the next space
_KEYWORD_PASSWORD = re.compile(r"(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")
# how an environment variable is usually named: a name of another shape inside a URL's
# user:password is more likely a piece of the password than a variable
_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


@dataclass(frozen=True, slots=True)
class Environment:
    """A loaded, validated environment.

    Attributes:
        name: environment name (``demo``, ``prod``...), used for the reports directory.
        path: the file it was loaded from.
        config: the validated settings.
        secrets: every value that came from a secret (to be redacted).
        waiver_sources: the file each of ``config.waivers`` came from (the environment file
            or ``<name>.waivers.toml``), in the same order.
        warnings: what a lenient load (``gonogo validate``) let pass: a missing secrets file,
            variables that are not set here (validated with placeholders).
    """

    name: str
    path: Path
    config: EnvironmentConfig
    secrets: frozenset[str]
    waiver_sources: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def sensitive(self) -> bool:
        return self.config.sensitive


@dataclass(frozen=True, slots=True)
class EnvFile:
    """An environment file, located and parsed once per process (the run's context, the plan
    it names and every validation pass read this, never the file again).

    Attributes:
        path: the file (``--env NAME`` -> ``environments/NAME.toml``, or ``--env-file PATH``).
        raw: its TOML, parsed and not yet interpolated or validated.
    """

    path: Path
    raw: Mapping[str, Any]


def open_env(env: str | None, env_file: str | None, directory: Path) -> EnvFile:
    """Find and parse the file of ``--env NAME`` or ``--env-file PATH``."""
    path = resolve_path(env, env_file, directory)
    return EnvFile(path, read_toml(path))


def list_environments(directory: Path) -> list[str]:
    """Names of the environment files in ``directory`` (waiver and example files excluded)."""
    if not directory.is_dir():
        return []
    return sorted(
        p.stem
        for p in directory.glob("*.toml")
        if not p.name.endswith((".waivers.toml", ".example.toml"))
    )


def resolve_path(env: str | None, env_file: str | None, directory: Path) -> Path:
    """Find the file for ``--env NAME`` or ``--env-file PATH``."""
    if env_file:
        path = Path(env_file)
        if not path.is_file():
            what = "not a regular file" if path.exists() else "no such file"
            raise ConfigError(f"--env-file {env_file}: {what}")
        return path
    if not env:
        raise ConfigError(_missing_env_message(directory))
    if not ENV_NAME.fullmatch(env):
        raise ConfigError(
            f"--env {env!r}: use a name such as 'prod' (a file environments/prod.toml)"
        )
    path = directory / f"{env}.toml"
    if path.exists() and not path.is_file():
        raise ConfigError(f"--env {env}: {path} is not a regular file")
    if not path.is_file():
        known = ", ".join(list_environments(directory)) or "none"
        raise ConfigError(
            f"--env {env}: no file {path}; environments found: {known} (or use --env-file PATH)"
        )
    return path


def _missing_env_message(directory: Path) -> str:
    known = ", ".join(list_environments(directory)) or f"none in {directory}"
    return (
        f"no environment given: add --env NAME (environments found: {known}) "
        "or --env-file PATH; try --env demo for the embedded demo"
    )


def read_toml(path: Path) -> dict[str, Any]:
    """An environment or waivers file (a regular file, bounded, UTF-8, shallow: see files)."""
    return files.read_toml(path)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a dotenv file: ``KEY=value``, optional ``export``, quotes, ``#`` comments."""
    values: dict[str, str] = {}
    lines = files.read_text(path, what="secrets_file").splitlines()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ConfigError(f"secrets_file {path}:{number}: expected KEY=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        values[key] = value
    return values


class _Interpolator:
    def __init__(
        self,
        path: Path,
        variables: Mapping[str, str],
        secret_vars: set[str],
        *,
        lenient: bool = False,
        placeholders: Collection[str] = (),
    ) -> None:
        self.path = path
        self.variables = variables
        self.secret_vars = secret_vars
        self.secrets: set[str] = set()
        self.lenient = lenient
        self.unset: list[str] = []
        self.placeholders = placeholders
        # key paths whose value holds a stand-in (an unset variable, a preview value)
        self.stand_ins: set[str] = set()

    def walk(self, value: Any, keypath: str) -> Any:
        if isinstance(value, dict):
            return {k: self.walk(v, f"{keypath}.{k}" if keypath else k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.walk(v, f"{keypath}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, str):
            return self.string(value, keypath)
        return value

    def string(self, value: str, keypath: str) -> str:
        secret_key = bool(_SECRET_KEY.search(keypath.rsplit(".", 1)[-1]))

        def substitute(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            default = match.group("default")
            if match.group("bad") is not None or (default is not None and "${" in default):
                raise ConfigError(self._malformed(value, match.start(), keypath, secret_key))
            name = match.group("name")
            if name in self.placeholders:
                self.stand_ins.add(keypath)
            if name in self.variables:
                result = self.variables[name]
            elif default is not None:
                result = default
            elif self.lenient:
                self.unset.append(name)
                self.stand_ins.add(keypath)
                result = f"unset-{name}"
            elif _in_userinfo(value, match.start()) and not _VARIABLE_NAME.fullmatch(name):
                raise ConfigError(
                    f"{self.path}: {keypath}: a ${{...}} in the user name or password is not a "
                    "variable that is set; write a literal $ as $$"
                )
            else:
                raise ConfigError(
                    f"{self.path}: {keypath}: ${{{name}}} is not set; export {name}, add it to "
                    f"the secrets_file, or write ${{{name}:-default}}"
                )
            if name in self.secret_vars or _SECRET_NAME.search(name) or secret_key:
                self.secrets.add(result)
            return result

        result = _VAR.sub(substitute, value)
        if secret_key:
            self.secrets.add(result)
        self.secrets.update(credentials(result))
        return result

    def _malformed(self, value: str, start: int, keypath: str, secret: bool) -> str:
        hidden = secret or _in_userinfo(value, start)
        shown = "" if hidden else f" {value[start : start + 40]!r}"
        where = " in the user name or password" if _in_userinfo(value, start) else ""
        return (
            f"{self.path}: {keypath}: malformed placeholder{shown}{where} at character "
            f"{start + 1}: write ${{VAR}} or ${{VAR:-default}} (no nesting), $$ for a literal $"
        )


def _in_userinfo(value: str, position: int) -> bool:
    info = userinfo(value)
    start = value.find("://") + 3
    return info is not None and start <= position < start + len(info)


def credentials(value: str) -> list[str]:
    """The secrets inside a connection string: a URL's password (as written and percent-decoded)
    and the base64 of its ``user:password`` (an ``Authorization: Basic`` header built from the
    URL), the ``password=`` of a libpq keyword DSN."""
    found = []
    info = userinfo(value)
    if info is not None and ":" in info:
        user, _, password = info.partition(":")
        found += [password, unquote(password)]
        # the user name stays readable in messages; Basic authentication shows the pair encoded
        found += base64_forms(info) | base64_forms(f"{unquote(user)}:{unquote(password)}")
    for match in _KEYWORD_PASSWORD.finditer(value):
        password = match.group(1)
        if password.startswith("'"):
            password = re.sub(r"\\(.)", r"\1", password[1:-1])
        found.append(password)
    return [f for f in found if f]


def load(
    path: Path,
    *,
    environ: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
    lenient: bool = False,
    placeholders: Collection[str] = (),
    known_checks: Container[str] | None = None,
    raw: Mapping[str, Any] | None = None,
) -> Environment:
    """Read, interpolate and validate one environment file (and its ``.waivers.toml``).

    ``raw``: the file as already parsed (:func:`open_env`), so that it is read once.

    ``extra`` variables (e.g. the demo stack's ports) take precedence over the process
    environment, which takes precedence over the secrets file. Error messages mask the secret
    values found so far: a secret interpolated into a longer value never shows.

    Every problem of a file is reported at once: schema errors, unknown check ids (when
    ``known_checks`` is given: waivers and ``[checks."id"]``) and paths that must exist but do
    not (``ca_bundle``...; relative paths are relative to the file).

    ``lenient`` (``gonogo validate``) checks the file itself where the secrets are not at hand:
    a missing secrets file and unset variables become :attr:`Environment.warnings`, and the
    variables are validated as ``unset-NAME``. ``placeholders`` names variables of ``extra``
    that are stand-ins (the demo stack's preview): a path built from one is not checked.
    """
    raw = read_toml(path) if raw is None else raw
    environ = os.environ if environ is None else environ
    variables: dict[str, str] = {}
    secret_vars: set[str] = set()
    warnings: list[str] = []
    secrets_file = raw.get("secrets_file")
    if secrets_file is not None:
        if not isinstance(secrets_file, str):
            raise ConfigError(f"{path}: secrets_file: must be a string path")
        secrets_path = (path.parent / secrets_file).resolve()
        if lenient and not secrets_path.exists():
            warnings.append(f"secrets_file {secrets_path} does not exist here")
        else:
            dotenv = read_dotenv(secrets_path)
            variables.update(dotenv)
            secret_vars.update(dotenv)
    variables.update(environ)
    variables.update(extra or {})
    interpolator = _Interpolator(
        path, variables, secret_vars, lenient=lenient, placeholders=placeholders
    )
    try:
        data = interpolator.walk(raw, "")
    except ConfigError as err:
        raise ConfigError(Redactor(interpolator.secrets).values(str(err))) from None
    if interpolator.unset:
        names = ", ".join(dict.fromkeys(interpolator.unset))
        warnings.append(f"not set here, validated with placeholders: {names}")
    secrets = set(interpolator.secrets)
    secrets.update(v for k, v in variables.items() if k in secret_vars)
    try:
        env = _validate(path, data, secrets, known_checks, interpolator.stand_ins)
    except ConfigError as err:
        raise ConfigError(Redactor(secrets).values(str(err))) from None
    return replace(env, warnings=tuple(warnings))


def _validate(
    path: Path,
    data: dict[str, Any],
    secrets: set[str],
    known: Container[str] | None,
    stand_ins: Collection[str],
) -> Environment:
    """Validate the file and its waivers file; every problem of each is listed at once."""
    problems: dict[Path, list[str]] = {path: []}
    config: EnvironmentConfig | None = None
    try:
        config = EnvironmentConfig.model_validate(data, context={"base": path.parent})
    except ValidationError as err:
        problems[path] += problem_lines(err, secrets)
    problems[path] += _unknown_ids(data, known)
    stem = path.stem.removesuffix(".example")
    if "name" not in data and not ENV_NAME.fullmatch(stem):
        problems[path].append(
            f"name: the file name gives the environment name {stem!r}, which cannot name a "
            "reports directory: rename the file or set name (letters, digits, '.', '_', '-')"
        )
    if config is not None:
        problems[path] += files.missing_paths(config, stand_ins)
    waivers: list[Waiver] = []
    waivers_path = path.with_name(f"{path.stem}.waivers.toml")
    reports = []
    if os.path.lexists(waivers_path):  # a FIFO or a dangling link is an error, not "no waivers"
        try:
            waivers, problems[waivers_path] = _file_waivers(waivers_path, secrets, known)
        except ConfigError as err:  # unreadable: its one line after the other file's problems
            reports.append(str(err))
    reports[:0] = [format_problems(p, lines) for p, lines in problems.items() if lines]
    if reports:
        raise ConfigError("\n".join(reports))
    assert config is not None  # no problem means it validated
    sources = [path] * len(config.waivers) + [waivers_path] * len(waivers)
    if waivers:
        config = config.model_copy(update={"waivers": [*config.waivers, *waivers]})
    return Environment(
        name=config.name or stem,
        path=path,
        config=config,
        secrets=frozenset(s for s in secrets if s),
        waiver_sources=tuple(sources),
    )


def _file_waivers(
    path: Path, secrets: set[str], known: Container[str] | None
) -> tuple[list[Waiver], list[str]]:
    """``<name>.waivers.toml``: only ``[[waivers]]`` tables; (waivers, problems of this file)."""
    raw = read_toml(path)
    problems = [
        f"{key}: unknown key; a waivers file holds only [[waivers]] tables"
        for key in sorted(set(raw) - {"waivers"})
    ]
    problems += _unknown_ids({"waivers": raw.get("waivers")}, known)
    try:
        waivers = TypeAdapter(list[Waiver]).validate_python(raw.get("waivers", []))
    except ValidationError as err:
        return [], [*problem_lines(err, secrets, ("waivers",)), *problems]
    return waivers, problems


def _unknown_ids(data: Mapping[str, Any], known: Container[str] | None) -> list[str]:
    """A problem for each well-formed check id of the raw data that the catalogue lacks
    (a malformed one is the schema's to report)."""
    if known is None:
        return []
    problems = []
    waivers = data.get("waivers")
    for index, waiver in enumerate(waivers if isinstance(waivers, list) else []):
        check = waiver.get("check") if isinstance(waiver, dict) else None
        if isinstance(check, str) and CHECK_ID.match(check) and check not in known:
            problems.append(
                f"waivers.{index}.check: waiver for unknown check id {check!r}; "
                "`gonogo checks` lists the known ids"
            )
    checks = data.get("checks")
    for check_id in checks if isinstance(checks, dict) else {}:
        if CHECK_ID.match(check_id) and check_id not in known:
            problems.append(
                f"checks.{check_id}: unknown check id; `gonogo checks` lists the known ids"
            )
    return problems
