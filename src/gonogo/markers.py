"""The gate's markers, in one place: stages (when a check runs), topics (what it is about) and
the markers that configure a gate test.

A family that needs a new stage or topic adds one line here: pytest registers it (``--strict-
markers`` accepts it), the reports list it on each check, and a stage gets its row in the stage
table of the terminal, summary.md, report.html and its junit suite. Plain data: the engine and the
report both read it.
"""

from __future__ import annotations

# stage marker -> description; the order is the order of the reports' stage tables
STAGES: dict[str, str] = {
    "predeploy": "stage: before the release (the CI gate)",
    "smoke": "stage: right after the deploy",
    "postdeploy": "stage: after the deploy has settled",
    "load": "stage: load baselines (intrusive)",
    "e2e": "stage: browser end-to-end journeys",
}

# topic marker -> description (``-m security``, ``-m "data and not intrusive"``)
TOPICS: dict[str, str] = {
    "security": "topic: web and TLS security",
    "data": "topic: databases and caches (pg.*, redis.*)",
    "backup": "topic: backups, restore drills",
    "infra": "topic: hosts and services",
    "config": "topic: the application's configuration files (config.*)",
    "monitoring": "topic: metrics and alerting",
    "rollback_criteria": "topic: post-deploy rollback criteria (a failure makes the verdict ROLL BACK)",
    "intrusive": "changes or loads the target: refused on sensitive environments without --allow-intrusive",
}

# markers that configure a gate test rather than classify it (not listed in the reports)
CONFIGURING: dict[str, str] = {
    "check(id)": "gonogo check id of this gate test (see `gonogo checks`)",
    "each(key)": "one instance per entry of a list in the environment file (gonogo.engine.instances)",
}

STAGE_NAMES = tuple(STAGES)
# what the reports list as a check's markers: stages and topics, not pytest's own machinery
REPORTED = frozenset((*STAGES, *TOPICS))


def registrations() -> list[str]:
    """``name: description`` lines for pytest's ``markers`` ini value."""
    every = {**CONFIGURING, **STAGES, **TOPICS}
    return [f"{name}: {doc}" for name, doc in every.items()]
