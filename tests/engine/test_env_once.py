"""The environment file is located and parsed once per run (gonogo.config.open_env): the plan it
names, the run context and every validation pass read the parsed file, never the file again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from project import make_project

from gonogo import files


def test_environment_file_is_parsed_once_per_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gate run reads its environment file exactly once (it was read three times before)."""
    root = make_project(pytester)
    env_file = (root / "environments" / "t.toml").resolve()
    reads: list[Path] = []
    real = files.read_toml

    def counting(path: Path, *args: Any, **kwargs: Any) -> dict[str, Any]:
        reads.append(Path(path).resolve())
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "read_toml", counting)
    result = pytester.runpytest("--env", "t")
    assert result.ret == 0, result.stdout.str()
    assert reads.count(env_file) == 1, reads
