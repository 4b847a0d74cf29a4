"""``[rollback]``: what a rollback needs and must still be there (``rollback.*``).

The plans keep a rollback script, the previous release and a database backup taken right before
the deploy (``backups/db_${DEPLOYMENT_ID}.sql``); each is checked where it is declared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator

from gonogo.schema.base import MustExist, Section

RELEASE = "{release}"


class RollbackConfig(Section):
    """Rollback readiness: the rollback command, the previous release and the pre-deploy backup."""

    command: str | None = Field(
        default=None,
        description="the rollback command, an absolute path that must exist and be executable "
        "by the connecting user on each host of roles (through [hosts]); unset: "
        "rollback.command is not applicable",
    )
    roles: list[str] = Field(
        default_factory=list,
        description="the [hosts.<role>] names whose targets must hold the command (empty: "
        "every role)",
    )

    previous_artefact: str | None = Field(
        default=None,
        description="the previous release, still available: a file path "
        "(/srv/releases/app-1.4.1.tar.gz) or an http(s):// URL answering a HEAD below 400 "
        "(an artefact store, or a registry manifest "
        "https://registry/v2/app/manifests/1.4.1); unset: rollback.artefact is not applicable",
    )
    backup_name: str | None = Field(
        default=None,
        min_length=1,
        description="text the pre-deploy backup's file name contains, {release} replaced by "
        "the release (e.g. db_{release}); read from the [backup] listing (the newest two); "
        "unset: rollback.backup is not applicable",
    )
    ca_bundle: Annotated[Path | None, MustExist("pem")] = Field(
        default=None, description="PEM CA bundle for an https:// artefact URL (default: system)"
    )
    timeout_s: float = Field(default=5.0, gt=0, le=120, description="limit of the HEAD request")

    @field_validator("command")
    @classmethod
    def _command(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("must be an absolute path, e.g. /opt/app/bin/rollback")
        return value

    @field_validator("previous_artefact")
    @classmethod
    def _artefact(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("/", "http://", "https://", "file://")):
            raise ValueError("must be an absolute path, file:///path or an http(s):// URL")
        return value

    def backup_marker(self, release: str | None) -> str | None:
        """``backup_name`` with ``{release}`` replaced (None: unset)."""
        if self.backup_name is None:
            return None
        return self.backup_name.replace(RELEASE, release or "")
