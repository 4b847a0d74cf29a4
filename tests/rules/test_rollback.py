"""Table tests of the rollback readiness rules."""

from __future__ import annotations

import datetime as dt

import pytest

from gonogo.facts.backup import BackupListing, BackupObject
from gonogo.facts.rollback import ArtefactFacts, CommandFacts
from gonogo.rules import rollback as rules
from gonogo.schema.rollback import RollbackConfig

NOW = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)


def backup(name: str) -> BackupObject:
    return BackupObject(name, f"/b/{name}", 1000, NOW)


@pytest.mark.parametrize(
    ("newest", "previous", "ok"),
    [
        pytest.param("db_2.0.0.sql", "db_1.9.0.sql", True, id="newest-is-this-release"),
        pytest.param("nightly.sql", "db_2.0.0.sql", True, id="nightly-after-the-deploy"),
        pytest.param("db_1.9.0.sql", None, False, id="only-the-previous-release"),
        pytest.param(None, None, False, id="no-backup"),
    ],
)
def test_predeploy_backup(newest, previous, ok) -> None:
    """The newest or previous backup must carry the release's name."""
    listing = BackupListing(
        "/b/*.sql",
        sum(x is not None for x in (newest, previous)),
        backup(newest) if newest else None,
        backup(previous) if previous else None,
    )
    marker = RollbackConfig(backup_name="db_{release}").backup_marker("2.0.0")
    assert rules.evaluate_backup(listing, marker)[-1].ok is ok


@pytest.mark.parametrize(
    ("found", "detail"), [(True, "a regular file"), (False, "HTTP 404"), (False, "is empty")]
)
def test_artefact(found, detail) -> None:
    """The previous release must be found; the detail says what was seen."""
    finding = rules.evaluate_artefact(ArtefactFacts("/r/app.tgz", found, 10, detail))[0]
    assert finding.ok is found and detail in finding.message


@pytest.mark.parametrize(
    ("exists", "is_file", "executable", "ok"),
    [
        pytest.param(True, True, True, True, id="executable"),
        pytest.param(True, True, False, False, id="not-executable"),
        pytest.param(False, False, False, False, id="missing"),
        pytest.param(True, False, True, False, id="a-directory"),
    ],
)
def test_command(exists, is_file, executable, ok) -> None:
    """The rollback command must be a regular file the connecting user may execute."""
    facts = CommandFacts("app:local://", "/opt/rollback", exists, is_file, 0o755, "root", executable)
    assert rules.evaluate_command(facts)[0].ok is ok
