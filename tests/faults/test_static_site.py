"""A well-built static site (real nginx with Mozilla's and h5bp's recommended configs) is judged
fairly: exposure.debug passes with a note instead of "could not provoke an error page", and the
smoke checks of endpoints it does not declare are not applicable instead of failed blockers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from faults.static_site import SERVERS, StaticSites, static_sites

pytestmark = [
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


@pytest.fixture(scope="module")
def sites() -> Iterator[StaticSites]:
    with static_sites() as running:
        yield running


def _env(tmp_path: Path, sites: StaticSites, name: str, extra: str = "") -> Path:
    path = tmp_path / f"static-{name}.toml"
    path.write_text(
        f'description = "static site, nginx as {name} recommends"\n'
        'sensitive = false\nrelease = "1.0.0"\n\n[web]\n'
        f'base_url = "https://localhost:{sites.https_port(name)}"\n'
        f'ca_bundle = "{sites.ca_bundle}"\n{extra}'
    )
    return path


@pytest.mark.parametrize("name", SERVERS)
def test_static_site_is_judged_fairly(
    sites: StaticSites, run_gate_offstack, tmp_path: Path, name: str
) -> None:
    """Nothing on a static site can crash: nginx refuses the bad percent-encoding, the 9 kB path,
    the 32 kB header and the unknown method with its own clean pages, so exposure.debug passes
    with a note naming them (and saying a crash page was not seen), not an error; the site
    declares no health or version endpoint, so smoke.health and smoke.version are not
    applicable, never failed blockers. Together: GO."""
    env = _env(tmp_path, sites, name)
    run = run_gate_offstack("checks/test_exposure.py", "smoke/test_smoke.py", env_file=env)
    check = run.check("exposure.debug")
    assert check["outcome"] == "passed", check["message"]
    note = next(f for f in check["evidence"] if f["name"] == "note")
    for said in ("bad percent-encoding 400", "over-long path 414", "oversized header 400"):
        assert said in note["message"], note["message"]
    assert "what a crash shows was not seen" in note["message"]
    for check_id, key in (("smoke.health", "health_path"), ("smoke.version", "version_path")):
        smoke = run.check(check_id)
        assert smoke["outcome"] == "not-applicable", smoke
        assert f"declares no [web] {key}" in smoke["message"], smoke["message"]
    assert {c["id"]: c["outcome"] for c in run.document["checks"]} == {
        "exposure.debug": "passed",
        "exposure.sensitive-paths": "passed",
        "exposure.source-maps": "passed",
        "smoke.health": "not-applicable",
        "smoke.version": "not-applicable",
    }
    assert run.verdict == "GO", run.document["reasons"]


def test_declared_endpoints_are_checked(sites: StaticSites, run_gate_offstack, tmp_path) -> None:
    """Declared endpoints are checked: on the static site /health answers 404, so smoke.health
    fails, and smoke.version, which waits for readiness, is an error naming smoke.readiness
    (NO-GO)."""
    extra = 'health_path = "/health"\nversion_path = "/version"\n'
    run = run_gate_offstack("smoke/test_smoke.py", env_file=_env(tmp_path, sites, "mozilla", extra))
    health = run.check("smoke.health")
    assert health["outcome"] == "failed", health
    assert "status = 404 (required == 200)" in health["message"], health["message"]
    version = run.check("smoke.version")
    assert version["outcome"] == "error", version
    assert "smoke.readiness" in version["message"], version["message"]
    assert run.verdict == "NO-GO"
