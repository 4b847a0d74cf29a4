"""plans/<name>.toml: a malformed file is one error naming the file, the item and the key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gonogo.errors import ConfigError
from gonogo.plans import store

HEADER = """\
[plan]
name = "demo-plan"
title = "Demo"
source = "demo.md"
sha256 = "{sha}"
""".format(sha="0" * 64)

GOOD = """
[[items]]
id = "database/group"
section = ["Database"]
text = "**Database**"
kind = "checkbox"
line = 3
mapping = "group"
review = "confirmed"

[[items]]
id = "group/indexes-created"
section = ["Database", "Group"]
text = "Indexes created"
kind = "checkbox"
line = 4
parent = "database/group"
mapping = "checks"
review = "confirmed"
checks = ["pg.schema"]
"""

BAD = {
    "not-toml": ("[plan\n", r"demo-plan\.toml: not valid TOML"),
    "no-plan-table": ("[[items]]\nid = 'a/b'\n", r"demo-plan\.toml: plan: Field required"),
    "unknown-key": (HEADER + "owner = 'me'\n" + GOOD, r"plan\.owner: Extra inputs are not permitted"),
    "wrong-type": (HEADER + GOOD.replace("line = 4", 'line = "4"'), r"items\[1\] \(group/indexes-created\)\.line: Input should be a valid integer"),
    "bad-id": (HEADER + GOOD.replace('"group/indexes-created"', '"Indexes Created"', 1), r"items\[1\]( \(Indexes Created\))?\.id: String should match pattern"),
    "checks-without-ids": (HEADER + GOOD.replace('checks = ["pg.schema"]', ""), r'items\[1\] \(group/indexes-created\): mapping = "checks" needs checks'),
    "na-without-reason": (HEADER + GOOD.replace('mapping = "checks"', 'mapping = "not-applicable"').replace('checks = ["pg.schema"]', ""), r"needs a reason"),
    "unknown-mapping": (HEADER + GOOD.replace('mapping = "checks"', 'mapping = "automatic"'), r"items\[1\] \(group/indexes-created\)\.mapping: Input should be"),
    "duplicate-id": (HEADER + GOOD + "\n" + GOOD.split("\n\n")[1].replace('line = 4', 'line = 5'), r"items\[2\] \(group/indexes-created\): the id is used by an earlier item"),
    "parent-not-earlier": (HEADER + GOOD.replace('parent = "database/group"', 'parent = "x/y"'), r"items\[1\] \(group/indexes-created\)\.parent: 'x/y' is not an earlier item"),
    "group-without-children": (HEADER + GOOD.replace('parent = "database/group"\n', ""), r'items\[0\] \(database/group\)\.mapping: "group" is for an item with items under it'),
    "parent-that-is-not-a-group": (HEADER + GOOD.replace('mapping = "group"', 'mapping = "manual"'), r'items\[0\] \(database/group\)\.mapping: items are nested under it, so it is "group"'),
    "name-differs-from-file": (HEADER.replace('"demo-plan"', '"other"') + GOOD, r"plan\.name 'other' differs from the file name 'demo-plan'"),
    "checks-and-rejected-overlap": (HEADER + GOOD.replace('checks = ["pg.schema"]', 'checks = ["pg.schema"]\nrejected = ["pg.schema"]'), r"both in checks and in rejected"),
}


@pytest.mark.parametrize("text, message", BAD.values(), ids=BAD.keys())
def test_malformed_plan_is_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    """Each mistake is a ConfigError of one line that names the file and where in it."""
    path = tmp_path / "demo-plan.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        store.load(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_good_plan_loads_and_names_unknown_checks(tmp_path: Path) -> None:
    """A valid file loads; a check id the catalogue lacks is named with the item."""
    path = tmp_path / "demo-plan.toml"
    path.write_text(HEADER + GOOD)
    plan = store.load(path)
    assert [i.id for i in plan.children("database/group")] == ["group/indexes-created"]
    assert store.unknown_checks(plan, {"pg.schema"}) == []
    assert store.unknown_checks(plan, {"pg.connect"}) == [
        "demo-plan:group/indexes-created: unknown check id 'pg.schema'"
    ]
    assert store.covers({"demo-plan": plan}) == {"pg.schema": ("demo-plan:group/indexes-created",)}


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.mkdir(), r"cannot read a directory"),
        (lambda p: os.mkfifo(p), r"cannot read a FIFO"),
        (lambda p: p.write_bytes(b"\xff\xfe[plan]"), r"not UTF-8 text"),
        (lambda p: p.write_bytes(b"#" * (9 * 1024 * 1024)), r"larger than 8192 KiB"),
    ],
    ids=["directory", "fifo", "not-utf8", "huge"],
)
def test_unreadable_plan_file(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    """A plan file that is not a small regular UTF-8 file is refused, naming it, without hanging."""
    path = tmp_path / "demo-plan.toml"
    make(path)
    with pytest.raises(ConfigError, match=message):
        store.load(path)
