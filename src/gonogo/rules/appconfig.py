"""Config lint rules: the application's env file (facts from :mod:`gonogo.probes.appconfig`)
against ``[app_config]``. Findings describe values ("set, 64 characters"), never quote a secret.

Check ids served (one function each):

- ``config.required``         every ``required_vars`` key is set and not empty
- ``config.placeholders``     no value is a placeholder (``xxxx``, ``changeme``, ``your-...-here``,
                              ``[generate-...]``, ``<...>``, ``TODO``)
- ``config.production-mode``  ``DEBUG``/``NODE_ENV``/``APP_ENV``... have production values
- ``config.log-level``        the log level is not debug or trace
- ``config.secret-strength``  secrets at least ``min_secret_length`` characters (``long_vars``:
                              ``min_long_length``, plans: JWT 64) and not the staging file's
- ``config.test-keys``        no payment test keys (``sk_test_``, ``pk_test_``, ``rk_test_``)
- ``config.cors``             CORS origins are listed, never ``*``
"""

from __future__ import annotations

import re

from gonogo.facts.appconfig import AppConfigFacts, EnvFileFacts
from gonogo.model import Comparison, Finding, compare, expect, info
from gonogo.schema.appconfig import AppConfigConfig, is_sensitive

GE = Comparison.GE

PLACEHOLDERS = (
    ("xxxx", re.compile(r"(?i)x{4,}")),
    ("change-me", re.compile(r"(?i)(?<![a-z])change[-_ .]?me(?![a-z])")),
    ("your-...-here", re.compile(r"(?i)your[-_ .].*[-_ .]here")),
    ("[generate-...]", re.compile(r"(?i)^\[\s*generate")),
    ("<...>", re.compile(r"^<[^<>]+>$")),
    ("replace-me", re.compile(r"(?i)(?<![a-z])replace[-_ .]?(me|this)(?![a-z])")),
    ("TODO", re.compile(r"^(?i:todo|tbd|fixme|placeholder|secret|password|none|null)$")),
)
TEST_KEYS = re.compile(r"\b(sk|pk|rk)_test_")
NOISY_LEVELS = {"debug", "trace", "verbose", "silly", "all", "finest", "10"}


def _source(facts: AppConfigFacts) -> Finding:
    return info("file", f"read {facts.production.source}", facts.production.source)


def placeholder(text: str) -> str | None:
    """The name of the placeholder pattern ``text`` matches, or None."""
    for name, pattern in PLACEHOLDERS:
        if pattern.search(text.strip()):
            return name
    return None


def _shown(key: str, file: EnvFileFacts, cfg: AppConfigConfig) -> str:
    """How a value may appear in evidence: quoted when not secret, else only its length."""
    value = file.values[key].text
    if is_sensitive(key, cfg):
        return f"a secret of {len(value)} characters"
    return repr(value)


def evaluate_required(facts: AppConfigFacts, cfg: AppConfigConfig) -> list[Finding]:
    found = [_source(facts)]
    values = facts.production.values
    for key in cfg.required_vars:
        value = values.get(key)
        state = "not set" if value is None else ("empty" if not value.text.strip() else None)
        why = f"{key} is {state}" if state else f"{key} is set, {len(value or '')} characters"
        found.append(expect(f"set:{key}", state is None, why, state or "set", "set"))
    if facts.production.malformed:
        lines = ", ".join(map(str, facts.production.malformed))
        found.append(info("malformed", f"lines that are not KEY=value (ignored): {lines}"))
    if facts.production.repeated:
        found.append(
            info(
                "repeated",
                f"set more than once (the last wins): {', '.join(facts.production.repeated)}",
            )
        )
    return found


def evaluate_placeholders(facts: AppConfigFacts, cfg: AppConfigConfig) -> list[Finding]:
    found = [_source(facts)]
    bad = 0
    for key, value in facts.production.values.items():
        name = placeholder(value.text)
        if name is not None:
            bad += 1
            why = f"{key} holds a placeholder ({name}), {len(value)} characters"
            found.append(expect(f"placeholder:{key}", False, why, name, "a real value"))
    if not bad:
        found.append(info("placeholders", f"none among {len(facts.production.values)} values"))
    return found


def evaluate_production_mode(facts: AppConfigFacts, cfg: AppConfigConfig) -> list[Finding]:
    found = [_source(facts)]
    values = facts.production.values
    checked = 0
    for key, allowed in cfg.production_values.items():
        if key not in values:
            continue
        checked += 1
        ok = values[key].text.strip().lower() in {a.lower() for a in allowed}
        why = f"{key} is {_shown(key, facts.production, cfg)} (production: {', '.join(allowed)})"
        found.append(
            expect(
                f"mode:{key}",
                ok,
                why,
                values[key].text if not is_sensitive(key, cfg) else None,
                allowed,
            )
        )
    if not checked:
        found.append(info("mode", f"none of {', '.join(cfg.production_values)} is set"))
    return found


def evaluate_log_level(facts: AppConfigFacts, cfg: AppConfigConfig) -> list[Finding]:
    found = [_source(facts)]
    values = facts.production.values
    levels = [key for key in cfg.log_level_vars if key in values]
    for key in levels:
        level = values[key].text.strip().lower()
        ok = level not in NOISY_LEVELS
        found.append(
            expect(
                f"level:{key}",
                ok,
                f"{key} = {level!r} (never debug or trace in production)",
                level,
                "info or above",
            )
        )
    if not levels:
        found.append(
            info("level", f"no log level set ({', '.join(cfg.log_level_vars)}): the app's default")
        )
    return found


def evaluate_secret_strength(facts: AppConfigFacts, cfg: AppConfigConfig) -> list[Finding]:
    found = [_source(facts)]
    staging = facts.staging.values if facts.staging is not None else {}
    for key, value in facts.production.values.items():
        if not is_sensitive(key, cfg) or not value.text or placeholder(value.text):
            continue  # unset and placeholders are config.required's and config.placeholders'
        need = cfg.min_long_length if key in cfg.long_vars else cfg.min_secret_length
        found.append(
            compare(f"length:{key}", len(value), GE, need, unit="characters", what=f"{key} length")
        )
        if key in staging:
            same = staging[key].text == value.text
            why = f"{key} {'is the SAME as' if same else 'differs from'} the staging file's value"
            found.append(
                expect(f"staging:{key}", not same, why, "same" if same else "differs", "differs")
            )
    if facts.staging is not None:
        found.append(info("staging", f"compared with {facts.staging.source}"))
    return found


def evaluate_test_keys(facts: AppConfigFacts, cfg: AppConfigConfig) -> list[Finding]:
    found = [_source(facts)]
    bad = [key for key, value in facts.production.values.items() if TEST_KEYS.search(value.text)]
    for key in bad:
        prefix = TEST_KEYS.search(facts.production.values[key].text)
        kind = prefix.group(0) if prefix else "test"
        found.append(
            expect(
                f"test_key:{key}",
                False,
                f"{key} holds a test-mode key ({kind}...)",
                kind,
                "a live key",
            )
        )
    if not bad:
        found.append(info("test_keys", "no sk_test_/pk_test_/rk_test_ key"))
    return found


def evaluate_cors(facts: AppConfigFacts, cfg: AppConfigConfig) -> list[Finding]:
    found = [_source(facts)]
    values = facts.production.values
    keys = [key for key in cfg.cors_vars if key in values]
    for key in keys:
        origins = [o for o in re.split(r"[,\s]+", values[key].text.strip()) if o]
        wild = [o for o in origins if o == "*" or "*" in o.partition("://")[2]]
        why = f"{key} lists {len(origins)} origin(s)" + (
            f", wildcard {', '.join(wild)}" if wild else ", none a wildcard"
        )
        found.append(
            expect(
                f"origins:{key}",
                bool(origins) and not wild,
                why,
                origins if not is_sensitive(key, cfg) else len(origins),
                "explicit origins",
            )
        )
    if not keys:
        found.append(info("cors", f"no CORS origins set ({', '.join(cfg.cors_vars)})"))
    return found
