"""The previous release artefact: a file on the gate's machine or a HEAD of an http(s) URL."""

from __future__ import annotations

import stat
from pathlib import Path

from gonogo.facts.rollback import ArtefactFacts, CommandFacts
from gonogo.probes import hostconn, http
from gonogo.probes.hostconn import HostTarget
from gonogo.schema.rollback import RollbackConfig


def command(target: HostTarget, path: str) -> CommandFacts:
    """``stat`` of the rollback command on ``target`` and whether its user may run it."""
    with hostconn.connect(target) as conn:
        (facts,) = conn.stat([path])
        rc, _, _ = conn.run("test -x %s", path)
    return CommandFacts(
        host=target.id,
        path=path,
        exists=facts.exists,
        is_file=facts.is_file,
        mode=facts.mode,
        owner=facts.owner,
        executable=rc == 0,
    )


def artefact(cfg: RollbackConfig) -> ArtefactFacts:
    """Whether ``[rollback] previous_artefact`` is still there, and its size."""
    location = cfg.previous_artefact
    assert location is not None  # the gate test requires it
    if location.startswith(("http://", "https://")):
        return _url(cfg, location)
    path = Path(location.removeprefix("file://"))
    try:
        st = path.stat()
    except FileNotFoundError:
        return ArtefactFacts(location, False, None, "does not exist")
    except OSError as err:
        return ArtefactFacts(location, False, None, f"cannot be read: {err.strerror}")
    if not stat.S_ISREG(st.st_mode):
        return ArtefactFacts(location, False, None, "is not a regular file")
    if st.st_size == 0:
        return ArtefactFacts(location, False, 0, "is empty")
    return ArtefactFacts(location, True, st.st_size, "a regular file")


def _url(cfg: RollbackConfig, url: str) -> ArtefactFacts:
    with http.open_client(cfg.ca_bundle, cfg.timeout_s) as client:
        accept = (
            "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
            "application/vnd.docker.distribution.manifest.list.v2+json, "
            "application/vnd.docker.distribution.manifest.v2+json, */*"
        )
        response, _, _ = http.exchange(
            client, url, cfg.timeout_s, method="HEAD", headers={"Accept": accept}
        )
    length = response.headers.get("content-length")
    size = int(length) if length and length.isdigit() else None
    found = response.status_code < 400
    return ArtefactFacts(url, found, size, f"HTTP {response.status_code}")
