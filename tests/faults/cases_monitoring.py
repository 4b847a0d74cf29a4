"""Fault cases of monitoring, the post-deploy gate and rollback readiness: monitoring.*,
postdeploy.*, rollback.* (see cases.py).

The error spike fails both post-deploy checks; the failed rollback criterion turns the verdict
into ROLL BACK (exit 5) rather than NO-GO.
"""

from __future__ import annotations

from faults.cases import case

MONITORING_FILES = ("checks/test_monitoring.py",)
POSTDEPLOY_FILES = ("checks/test_postdeploy.py",)

MONITORING = [
    case("alert-rule-missing", "monitoring.rules", *MONITORING_FILES),
    case("scrape-target-down", "monitoring.targets", *MONITORING_FILES),
    case("critical-alert-firing", "monitoring.alerts", *MONITORING_FILES),
    case("alertmanager-null-route", "monitoring.alertmanager", *MONITORING_FILES),
    case("error-spike", ("postdeploy.metrics", "postdeploy.rollback"), *POSTDEPLOY_FILES),
    case(
        "prometheus-down",
        ("monitoring.prometheus", "monitoring.targets", "postdeploy.rollback"),  # never ROLL BACK
        *MONITORING_FILES,
        *POSTDEPLOY_FILES,
        outcome="error",
    ),
    case("rule-file-invalid", "monitoring.rule-files", *MONITORING_FILES),
    case("telemetry-degraded", ("monitoring.logs", "monitoring.error-tracking"), *MONITORING_FILES),
    case("previous-release-missing", "rollback.artefact", "checks/test_rollback.py"),
    case("rollback-not-executable", "rollback.command", "checks/test_rollback.py"),
    case("no-backup", "rollback.backup", "checks/test_backup.py", "checks/test_rollback.py"),
]
