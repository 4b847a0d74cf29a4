"""Loading an environment file: TOML → ``${VAR}`` interpolation → pydantic validation.

Every error is a :class:`~gonogo.errors.ConfigError` with one line that names the file, the
key path and what is allowed. Values that came from secrets are collected so that the
:class:`~gonogo.redact.Redactor` can mask them everywhere.

A value is treated as secret when it came from the ``secrets_file``, from a process variable
whose name looks secret (``*PASSWORD*``, ``*PW``, ``*SECRET*``, ``*TOKEN*``, ``*KEY*``, ...),
when it sits under a secret-looking key (``password``, ``token``, ``passphrase``, ...), or when
it is the password part of a URL such as a DSN.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Container, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import TypeAdapter, ValidationError

from gonogo.errors import ConfigError
from gonogo.redact import Redactor
from gonogo.schema import EnvironmentConfig, Waiver

# $$ (a literal $), ${NAME}, ${NAME:-default}; any other "${" is a malformed placeholder
_VAR = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}|(?P<bad>\$\{)"
)
_SECRET_NAME = re.compile(
    r"(?i)(pass|pwd?(?![a-z])|secret|token|key|credential|auth|private|cookie|session)"
)
_SECRET_KEY = re.compile(r"(?i)(password|passphrase|secret|token|api_?key|private_key|credentials)")


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
            raise ConfigError(f"--env-file {env_file}: no such file")
        return path
    if not env:
        raise ConfigError(_missing_env_message(directory))
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", env):
        raise ConfigError(
            f"--env {env!r}: use a name such as 'prod' (a file environments/prod.toml)"
        )
    path = directory / f"{env}.toml"
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
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a dotenv file: ``KEY=value``, optional ``export``, quotes, ``#`` comments."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ConfigError(f"secrets_file {path}: cannot read ({err.strerror})") from err
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
    ) -> None:
        self.path = path
        self.variables = variables
        self.secret_vars = secret_vars
        self.secrets: set[str] = set()
        self.lenient = lenient
        self.unset: list[str] = []

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
            if name in self.variables:
                result = self.variables[name]
            elif default is not None:
                result = default
            elif self.lenient:
                self.unset.append(name)
                result = f"unset-{name}"
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
        password = _url_password(result)
        if password:
            self.secrets.add(password)
        return result

    def _malformed(self, value: str, start: int, keypath: str, secret: bool) -> str:
        shown = "" if secret else f" {value[start : start + 40]!r}"
        return (
            f"{self.path}: {keypath}: malformed placeholder{shown} at character {start + 1}: "
            "write ${VAR} or ${VAR:-default} (no nesting), $$ for a literal $"
        )


def _url_password(value: str) -> str | None:
    if "://" not in value or "@" not in value:
        return None
    try:
        password = urlsplit(value).password
    except ValueError:
        return None
    return unquote(password) if password else None


def load(
    path: Path,
    *,
    environ: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
    lenient: bool = False,
) -> Environment:
    """Read, interpolate and validate one environment file (and its ``.waivers.toml``).

    ``extra`` variables (e.g. the demo stack's ports) take precedence over the process
    environment, which takes precedence over the secrets file. Error messages mask the secret
    values found so far: a secret interpolated into a longer value never shows.

    ``lenient`` (``gonogo validate``) checks the file itself where the secrets are not at hand:
    a missing secrets file and unset variables become :attr:`Environment.warnings`, and the
    variables are validated as ``unset-NAME``.
    """
    raw = read_toml(path)
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
    interpolator = _Interpolator(path, variables, secret_vars, lenient=lenient)
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
        env = _validate(path, data, secrets)
    except ConfigError as err:
        raise ConfigError(Redactor(secrets).values(str(err))) from None
    return replace(env, warnings=tuple(warnings))


def _validate(path: Path, data: dict[str, Any], secrets: set[str]) -> Environment:
    try:
        config = EnvironmentConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(format_validation_error(path, err, secrets)) from None
    sources = [path] * len(config.waivers)
    waivers_path = path.with_name(f"{path.stem}.waivers.toml")
    if waivers_path.is_file():
        more = _file_waivers(waivers_path, secrets)
        config = config.model_copy(update={"waivers": [*config.waivers, *more]})
        sources += [waivers_path] * len(more)
    return Environment(
        name=config.name or path.stem.removesuffix(".example"),
        path=path,
        config=config,
        secrets=frozenset(s for s in secrets if s),
        waiver_sources=tuple(sources),
    )


def _file_waivers(path: Path, secrets: set[str]) -> list[Waiver]:
    """``<name>.waivers.toml``: only ``[[waivers]]`` tables; errors name this file."""
    raw = read_toml(path)
    unknown = set(raw) - {"waivers"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {sorted(unknown)[0]!r}; a waivers file holds only [[waivers]] tables"
        )
    try:
        return TypeAdapter(list[Waiver]).validate_python(raw.get("waivers", []))
    except ValidationError as err:
        raise ConfigError(format_validation_error(path, err, secrets, ("waivers",))) from None


def validate_check_ids(env: Environment, known: Container[str]) -> Environment:
    """Every waiver and ``[checks."id"]`` names a check of the catalogue (errors name the file)."""
    sources = env.waiver_sources or (env.path,) * len(env.config.waivers)
    for waiver, source in zip(env.config.waivers, sources, strict=True):
        if waiver.check not in known:
            raise ConfigError(
                f"{source}: waiver for unknown check id {waiver.check!r}; `gonogo checks` lists the known ids"
            )
    for check_id in env.config.checks:
        if check_id not in known:
            raise ConfigError(
                f"{env.path}: checks.{check_id}: unknown check id; `gonogo checks` lists the known ids"
            )
    return env


def format_validation_error(
    path: Path, err: ValidationError, secrets: set[str], root: tuple[str, ...] = ()
) -> str:
    """``<file>: <key path>: <what is wrong> (got <value>)``, one line per problem.

    Several problems are all listed (nothing to fix is hidden behind a count), under a first
    line that counts them. ``root`` is the key path of what was validated (``("waivers",)``
    for a waivers file). A value is shown only when it is not secret and its key does not
    look secret, and then with secret-shaped parts masked.
    """
    lines = [_problem(problem, root, secrets) for problem in err.errors(include_url=False)]
    if len(lines) == 1:
        return f"{path}: {lines[0]}"
    return f"{path}: {len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)


def _problem(problem: Any, root: tuple[str, ...], secrets: set[str]) -> str:
    loc = (*root, *problem["loc"])
    keypath = ".".join(str(p) for p in loc) or "(top level)"
    kind = problem["type"]
    if kind == "extra_forbidden":
        return f"{keypath}: unknown key; allowed here: {', '.join(_allowed_keys(loc[:-1]))}"
    if kind == "missing":
        return f"{keypath}: required key is missing"
    message = problem["msg"].removeprefix("Value error, ")
    shown = problem.get("input")
    secret_key = any(_SECRET_KEY.search(str(part)) for part in loc)
    if isinstance(shown, (str, int, float, bool)) and not secret_key and str(shown) not in secrets:
        message += f" (got {Redactor(secrets).text(repr(shown))})"
    return f"{keypath}: {message}"


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    from pydantic import BaseModel

    model: Any = EnvironmentConfig
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            # a dict of sections, e.g. checks."tls.cert-expiry"
            continue
        model = _section_type(field.annotation, BaseModel)
    if model is None or not hasattr(model, "model_fields"):
        return []
    return sorted(model.model_fields)


def _section_type(annotation: Any, base: type) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, base):
        return annotation
    for arg in typing.get_args(annotation):
        found = _section_type(arg, base)
        if found is not None:
            return found
    return None
