"""What a gate run can be asked on the command line and in the ini file (``--env``,
``--allow-intrusive``, ``gonogo_catalogue``...). The markers are in :mod:`gonogo.markers`."""

from __future__ import annotations

import pytest


def add(parser: pytest.Parser) -> None:
    """The ``gonogo`` option group and the ini keys (called from ``pytest_addoption``)."""
    group = parser.getgroup("gonogo", "gonogo release gate")
    group.addoption(
        "--env",
        metavar="NAME",
        help="environment to check: loads environments/NAME.toml (try: --env demo); not needed "
        "for --help, --markers, --fixtures, --collect-only",
    )
    group.addoption(
        "--env-file",
        metavar="PATH",
        help="environment file to load instead of --env NAME (any path; catalogue/ and reports/ "
        "stay beside the suite's ini file)",
    )
    group.addoption(
        "--release",
        metavar="VERSION",
        help="expected deployed version (default: release in the env file; an empty value is "
        "an error)",
    )
    group.addoption(
        "--plan",
        metavar="NAME",
        help="judge the run against the deployment plan plans/NAME.toml and its attestations "
        "(default: plan in the env file; docs/plans.md)",
    )
    group.addoption(
        "--allow-intrusive",
        action="store_true",
        help="run intrusive checks (load, restore drills, rate-limit probes) on a sensitive environment",
    )
    group.addoption(
        "--conditional-fails",
        action="store_true",
        help="exit 1 on a CONDITIONAL verdict (default: exit 0)",
    )
    group.addoption(
        "--demo-fault",
        action="append",
        default=[],
        metavar="FAULT",
        help="inject a fault into the embedded demo stack (repeatable; `gonogo demo faults` lists them)",
    )
    group.addoption(
        "--gonogo-reports",
        metavar="DIR",
        help="where run reports go (default: reports/ beside the ini file)",
    )
    group.addoption(
        "--gonogo-catalogue", action="store_true", help="print the check catalogue and exit"
    )
    parser.addini(
        "gonogo_catalogue",
        "check catalogue file or directory (relative to the ini file's directory)",
        default="catalogue",
    )
    parser.addini(
        "gonogo_env_dir",
        "directory of environment files (relative to the ini file's directory)",
        default="environments",
    )
    parser.addini(
        "gonogo_gate_paths",
        "paths that hold gate checks (an --env is required to run them)",
        type="args",
        default=["checks", "smoke", "load", "e2e", "infra"],
    )
