"""The demo's previous release (1.4.1) kept as a tarball for a rollback (``rollback.artefact``),
its rollback script (``rollback.command``) and the name of its pre-deploy backup
(``rollback.backup``)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from gonogo.demo.backups import dumps
from gonogo.demo.layout import Layout

PREVIOUS = "1.4.1"


def artefact(layout: Layout) -> Path:
    return layout.run_dir / "releases" / f"app-{PREVIOUS}.tar.gz"


def command(layout: Layout) -> Path:
    """The demo's rollback script (``rollback.command``)."""
    return layout.run_dir / "releases" / "rollback.sh"


def create(layout: Layout) -> None:
    """Write the previous release's tarball (a VERSION file and a start script) and the
    rollback script that would switch back to it."""
    script = command(layout)
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(
        f"#!/bin/sh\n# roll the demo back to {PREVIOUS}\necho rollback to {PREVIOUS}\n"
    )
    script.chmod(0o755)
    path = artefact(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, text in (("VERSION", f"{PREVIOUS}\n"), ("bin/start", "#!/bin/sh\nexec app\n")):
            data = text.encode()
            info = tarfile.TarInfo(f"app-{PREVIOUS}/{name}")
            info.size, info.mode = len(data), 0o755 if name.startswith("bin/") else 0o644
            tar.addfile(info, io.BytesIO(data))


def predeploy_backup(layout: Layout) -> str:
    """The stem of the newest dump (``app-20261206T080000Z``): the backup taken before this
    release went live; ``app-`` before the backups exist (a preview)."""
    if not layout.backups.is_dir():
        return "app-"
    found = dumps(layout.backups)
    return found[-1].stem if found else "app-"
