"""Table tests of the config lint rules: env files built in memory -> which findings fail, and
no finding ever carries a secret value."""

from __future__ import annotations

from typing import Any

import pytest

from gonogo.facts.appconfig import AppConfigFacts, EnvValue
from gonogo.probes.appconfig import parse
from gonogo.rules import appconfig as rules
from gonogo.schema.appconfig import AppConfigConfig

JWT = "Jw7-" + "q9Zx" * 15  # 64 characters
STRIPE = "sk_live_" + "S" * 30
GOOD = {
    "APP_ENV": "production",
    "NODE_ENV": "production",
    "DEBUG": "False",
    "LOG_LEVEL": "info",
    "DATABASE_URL": "postgresql://app:Pg-pass-word-123@db:5432/app",
    "JWT_SECRET": JWT,
    "STRIPE_SECRET_KEY": STRIPE,
    "SECRET_KEY": "k" * 40,
    "CORS_ALLOWED_ORIGINS": "https://app.example.com,https://admin.example.com",
}


def cfg(**changes: Any) -> AppConfigConfig:
    values: dict[str, Any] = {"env_file": "/srv/app/.env.production", "required_vars": ["DATABASE_URL", "JWT_SECRET"]}
    return AppConfigConfig(**(values | changes))


def facts(changes: dict[str, str | None] | None = None, staging: dict[str, str] | None = None) -> AppConfigFacts:
    values = dict(GOOD)
    for key, value in (changes or {}).items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    text = "\n".join(f"{k}={v}" for k, v in values.items()).encode()
    prod = parse("/srv/app/.env.production", text)
    stage = None
    if staging is not None:
        stage = parse("/srv/app/.env.staging", "\n".join(f"{k}={v}" for k, v in staging.items()).encode())
    return AppConfigFacts(prod, stage)


RULES = {
    "required": rules.evaluate_required,
    "placeholders": rules.evaluate_placeholders,
    "mode": rules.evaluate_production_mode,
    "log": rules.evaluate_log_level,
    "strength": rules.evaluate_secret_strength,
    "test_keys": rules.evaluate_test_keys,
    "cors": rules.evaluate_cors,
}

CASES = [
    ("required", {}, {}, set()),
    ("required", {"JWT_SECRET": None}, {}, {"set:JWT_SECRET"}),
    ("required", {"JWT_SECRET": ""}, {}, {"set:JWT_SECRET"}),
    ("required", {"JWT_SECRET": "   "}, {}, {"set:JWT_SECRET"}),
    ("placeholders", {}, {}, set()),
    ("placeholders", {"JWT_SECRET": "[generate-strong-secret-64-chars]"}, {}, {"placeholder:JWT_SECRET"}),
    ("placeholders", {"SMTP_PASSWORD": "changeme"}, {}, {"placeholder:SMTP_PASSWORD"}),
    ("placeholders", {"API_TOKEN": "your-api-token-here"}, {}, {"placeholder:API_TOKEN"}),
    ("placeholders", {"SENTRY_DSN": "https://xxxx@sentry.io/1"}, {}, {"placeholder:SENTRY_DSN"}),
    ("placeholders", {"AWS_SECRET": "<your secret>"}, {}, {"placeholder:AWS_SECRET"}),
    ("placeholders", {"FEATURE": "TODO"}, {}, {"placeholder:FEATURE"}),
    ("placeholders", {"NOTE": "exchange mechanism"}, {}, set()),
    ("placeholders", {"SMTP_PASSWORD": "Change_Me"}, {}, {"placeholder:SMTP_PASSWORD"}),
    ("mode", {}, {}, set()),
    ("mode", {"DEBUG": "True"}, {}, {"mode:DEBUG"}),
    ("mode", {"DEBUG": "1"}, {}, {"mode:DEBUG"}),
    ("mode", {"DEBUG": "false"}, {}, set()),
    ("mode", {"NODE_ENV": "development"}, {}, {"mode:NODE_ENV"}),
    ("mode", {"APP_ENV": "staging"}, {}, {"mode:APP_ENV"}),
    ("mode", {"APP_ENV": None, "NODE_ENV": None, "DEBUG": None}, {}, set()),
    ("log", {}, {}, set()),
    ("log", {"LOG_LEVEL": "DEBUG"}, {}, {"level:LOG_LEVEL"}),
    ("log", {"LOG_LEVEL": "trace"}, {}, {"level:LOG_LEVEL"}),
    ("log", {"LOG_LEVEL": "warning"}, {}, set()),
    ("strength", {}, {}, set()),
    ("strength", {"JWT_SECRET": "s" * 32}, {}, {"length:JWT_SECRET"}),
    ("strength", {"JWT_SECRET": "s" * 63}, {}, {"length:JWT_SECRET"}),
    ("strength", {"SECRET_KEY": "short"}, {}, {"length:SECRET_KEY"}),
    ("strength", {"SECRET_KEY": "short"}, {"min_secret_length": 5}, set()),
    ("strength", {"JWT_SECRET": "[generate-strong-secret-64-chars]"}, {}, set()),  # config.placeholders' finding
    ("strength", {"JWT_SECRET": "s" * 32}, {"min_long_length": 32}, set()),
    ("test_keys", {}, {}, set()),
    ("test_keys", {"STRIPE_SECRET_KEY": "sk_test_" + "T" * 30}, {}, {"test_key:STRIPE_SECRET_KEY"}),
    ("test_keys", {"STRIPE_PUBLISHABLE_KEY": "pk_test_" + "T" * 30}, {}, {"test_key:STRIPE_PUBLISHABLE_KEY"}),
    ("test_keys", {"NOTE": "risk_test_plan"}, {}, set()),
    ("cors", {}, {}, set()),
    ("cors", {"CORS_ALLOWED_ORIGINS": "*"}, {}, {"origins:CORS_ALLOWED_ORIGINS"}),
    ("cors", {"CORS_ALLOWED_ORIGINS": "https://app.example.com, *"}, {}, {"origins:CORS_ALLOWED_ORIGINS"}),
    ("cors", {"CORS_ALLOWED_ORIGINS": "https://*.example.com"}, {}, {"origins:CORS_ALLOWED_ORIGINS"}),
    ("cors", {"CORS_ALLOWED_ORIGINS": ""}, {}, {"origins:CORS_ALLOWED_ORIGINS"}),
    ("cors", {"CORS_ALLOWED_ORIGINS": None}, {}, set()),
]


@pytest.mark.parametrize(("rule", "changes", "config", "expected"), CASES,
                         ids=[f"{c[0]}-{i}-{'-'.join(sorted(c[3])) or 'ok'}" for i, c in enumerate(CASES)])
def test_config_rules(rule: str, changes: dict[str, Any], config: dict[str, Any], expected: set[str]) -> None:
    """Each config rule fails exactly the findings its row names, and no finding quotes a secret."""
    found = RULES[rule](facts(changes), cfg(**config))
    assert {f.name for f in found if not f.ok} == expected
    secrets = [v for k, v in {**GOOD, **changes}.items() if v and len(v) >= 8 and ("SECRET" in k or "PASSWORD" in k or "TOKEN" in k)]
    text = repr([(f.message, f.measured, f.threshold) for f in found])
    assert not [s for s in secrets if s in text], text


def test_secret_equal_to_staging_fails() -> None:
    """A secret that is the same in the staging file fails; a different one passes; evidence
    says "the SAME as" without the value."""
    same = rules.evaluate_secret_strength(facts(staging={"JWT_SECRET": JWT, "STRIPE_SECRET_KEY": "sk_live_" + "x" * 30}), cfg())
    assert {f.name for f in same if not f.ok} == {"staging:JWT_SECRET"}
    assert JWT not in repr([f.message for f in same])


def test_values_never_show_in_repr() -> None:
    """An env value's repr (what -l and tracebacks print) gives its length, never its text."""
    parsed = parse("x", f"JWT_SECRET={JWT}\n".encode())
    assert JWT not in repr(parsed) and "64 characters" in repr(parsed)
    assert repr(EnvValue("hunter2hunter2")) == "EnvValue(<14 characters>)"


def test_dotenv_parsing() -> None:
    """export, quotes, trailing comments, repeated keys and malformed lines read as dotenv does."""
    parsed = parse("x", b'# c\nexport A=1\nB="two words"\nC=three # note\nA=4\nnot a line\nD=\n')
    assert {k: v.text for k, v in parsed.values.items()} == {"A": "4", "B": "two words", "C": "three", "D": ""}
    assert parsed.repeated == ("A",) and parsed.malformed == (6,)
