"""Config lint: the application's env file (and the staging one), read once per run, judged by
config.* rules; values are never shown, only described ("set, 64 characters")."""

from __future__ import annotations

import pytest

from gonogo.recipes import appconfig
from gonogo.rules import appconfig as rules

pytestmark = [pytest.mark.predeploy, pytest.mark.config]


@pytest.mark.check("config.required")
def test_required(gate):
    gate.judge(rules.evaluate_required(appconfig.facts(gate), gate.config.app_config))


@pytest.mark.check("config.placeholders")
def test_placeholders(gate):
    gate.judge(rules.evaluate_placeholders(appconfig.facts(gate), gate.config.app_config))


@pytest.mark.check("config.production-mode")
def test_production_mode(gate):
    gate.judge(rules.evaluate_production_mode(appconfig.facts(gate), gate.config.app_config))


@pytest.mark.check("config.log-level")
def test_log_level(gate):
    gate.judge(rules.evaluate_log_level(appconfig.facts(gate), gate.config.app_config))


@pytest.mark.check("config.secret-strength")
def test_secret_strength(gate):
    gate.judge(rules.evaluate_secret_strength(appconfig.facts(gate), gate.config.app_config))


@pytest.mark.check("config.test-keys")
def test_test_keys(gate):
    gate.judge(rules.evaluate_test_keys(appconfig.facts(gate), gate.config.app_config))


@pytest.mark.check("config.cors")
def test_cors(gate):
    gate.judge(rules.evaluate_cors(appconfig.facts(gate), gate.config.app_config))
