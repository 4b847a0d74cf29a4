"""The catalogue loader and the gate's shared-probe memo."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo import catalogue
from gonogo.errors import ConfigError, ProbeRefused, ProbeTimeout
from gonogo.gate import SharedProbes
from gonogo.model import Severity


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('["notdotted"]\ntitle = "x y z"\nseverity = "major"\n', "is not a dotted check id"),
        ('["a.b"]\ntitle = "x y z"\nseverity = "huge"\n', "a.b.severity"),
        ('["a.b"]\ntitle = "x y z"\nseverity = "major"\ncolor = "red"\n', "a.b.color"),
        ('["a.b"]\nseverity = "major"\n', "a.b.title"),
        ("[a.b\n", "not valid TOML"),
    ],
    ids=["undotted-id", "bad-severity", "unknown-key", "missing-title", "bad-toml"],
)
def test_catalogue_errors(tmp_path: Path, text: str, fragment: str) -> None:
    """A broken catalogue entry is a configuration error naming the file and the id."""
    (tmp_path / "x.toml").write_text(text)
    with pytest.raises(ConfigError, match=r"x\.toml") as err:
        catalogue.load(tmp_path)
    assert fragment in str(err.value)


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    """The same check id in two catalogue files is an error naming both."""
    entry = '["a.b"]\ntitle = "x y z"\nseverity = "major"\n'
    (tmp_path / "one.toml").write_text(entry)
    (tmp_path / "two.toml").write_text(entry)
    with pytest.raises(ConfigError, match=r"already defined in .*one.toml"):
        catalogue.load(tmp_path)


def test_catalogue_entry_fields(tmp_path: Path) -> None:
    """An entry's title, severity, phrases and intrusive flag are read as declared."""
    (tmp_path / "c.toml").write_text(
        '["x.y"]\ntitle = "Title here"\nseverity = "minor"\nphrases = ["plan  one"]\n'
        "intrusive = true\n"
    )
    entry = catalogue.load(tmp_path)["x.y"]
    spec = entry.spec
    assert (spec.title, spec.severity, entry.phrases, spec.covers, spec.intrusive) == (
        "Title here",
        Severity.MINOR,
        ("plan one",),
        (),
        True,
    )


def test_free_text_covers_are_refused(tmp_path: Path) -> None:
    """A catalogue entry with the old free-text covers says where plan items live now."""
    (tmp_path / "c.toml").write_text(
        '["x.y"]\ntitle = "Title here"\nseverity = "minor"\ncovers = ["001 §2.1"]\n'
    )
    with pytest.raises(ConfigError, match=r"x\.y\.covers: .*plans/\*\.toml.*phrases"):
        catalogue.load(tmp_path)


def test_unreachable_endpoint_fails_once() -> None:
    """After one connectivity failure, later probes of the same endpoint fail at once without running."""
    shared = SharedProbes()
    calls: list[str] = []

    def down() -> None:
        calls.append("probe")
        raise ProbeTimeout("db:5432: no answer within 3 s")

    with pytest.raises(ProbeTimeout):
        shared.get("pg-facts", down, "db:5432")
    with pytest.raises(ProbeTimeout, match=r"unreachable .*failed earlier"):
        shared.get("pg-other-facts", down, "db:5432")
    assert calls == ["probe"]


def test_results_are_memoised_per_key() -> None:
    """A probe shared by several checks runs once; a different key runs again."""
    shared = SharedProbes()
    calls: list[int] = []

    def probe() -> int:
        calls.append(1)
        return len(calls)

    assert shared.get("k", probe) == 1
    assert shared.get("k", probe) == 1
    assert shared.get("k2", probe) == 2


def test_refused_endpoint_does_not_poison_other_endpoints() -> None:
    """A refused endpoint only short-circuits probes of that endpoint."""
    shared = SharedProbes()

    def refused() -> None:
        raise ProbeRefused("cache:6379: connection refused")

    with pytest.raises(ProbeRefused):
        shared.get("a", refused, "cache:6379")
    assert shared.get("b", lambda: 5, "db:5432") == 5
