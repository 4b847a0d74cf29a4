"""The documentation stays true: generated pages match their sources, examples validate."""

from __future__ import annotations

import re
from pathlib import Path

from gonogo import catalogue, config
from gonogo.schema.reference import field_paths, render_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_check_catalogue_page_is_current() -> None:
    """docs/checks.md is exactly what `gonogo checks --markdown` prints (run `make docs`)."""
    expected = catalogue.render_markdown(catalogue.load(ROOT / "catalogue", plans=ROOT / "plans"))
    assert (ROOT / "docs" / "checks.md").read_text() == expected, (
        "docs/checks.md is stale: run `make docs`"
    )


def test_environment_reference_is_current() -> None:
    """docs/environment-file.md is exactly what `gonogo envs --reference` prints (run `make docs`)."""
    assert (ROOT / "docs" / "environment-file.md").read_text() == render_markdown(), (
        "stale: run `make docs`"
    )


def test_every_check_in_a_gate_test() -> None:
    """Every catalogue id is used by a gate test, and every gate test id is in the catalogue."""
    ids = set(catalogue.load(ROOT / "catalogue"))
    used: set[str] = set()
    for folder in ("checks", "smoke", "load", "e2e", "infra"):
        for path in (ROOT / folder).glob("test_*.py"):
            used |= set(re.findall(r"mark\.check\(\s*[\"']([a-z0-9.-]+)[\"']", path.read_text()))
    assert used - ids == set(), "gate tests use ids missing from the catalogue"
    assert ids - used == set(), "catalogue ids without a gate test"


def test_every_check_declares_phrases() -> None:
    """Each check declares the plan phrasings it verifies, so a plan import can suggest it."""
    for check_id, entry in catalogue.load(ROOT / "catalogue").items():
        assert entry.phrases, f"{check_id} declares no phrases"


def test_prod_example_documents_every_key() -> None:
    """environments/prod.example.toml mentions every key of the schema (commented or not)."""
    text = (ROOT / "environments" / "prod.example.toml").read_text()
    missing = []
    for path, _field, _sub in field_paths():
        key = path.rsplit(".", 1)[-1]
        if key in ("checks", "waivers", "demo", "faults"):
            continue
        if not re.search(
            rf"^\s*#?\s*{re.escape(key)}\s*=|^\s*#?\s*\[{re.escape(path)}\]", text, re.MULTILINE
        ):
            missing.append(path)
    assert not missing, f"prod.example.toml does not document: {missing}"


def test_prod_example_validates(tmp_path: Path) -> None:
    """The example loads with its secrets file present, and its secrets are recognised as secrets."""
    text = (ROOT / "environments" / "prod.example.toml").read_text()
    names = sorted(set(re.findall(r"\$\{([A-Z0-9_]+)\}", text)))
    (tmp_path / "prod.secrets.env").write_text(
        "".join(f"{n}=example-{n.lower()}-value\n" for n in names)
    )
    (tmp_path / "prod.toml").write_text(text)
    env = config.load(tmp_path / "prod.toml", environ={})
    assert env.sensitive
    assert "example-pg_password-value" in env.secrets
