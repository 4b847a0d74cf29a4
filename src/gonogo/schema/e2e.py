"""``[e2e]``: pages and journeys of the site that a real browser (Chromium) checks.

Pages and journey steps are paths on ``[web] base_url``. Budgets default to the deployment
plans' numbers (FCP < 1.5 s, LCP < 2.5 s, CLS < 0.1, TTI < 3.5 s, page load < 2 s).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from gonogo.schema.base import MINUTE, Section, url_path

# a page's or journey's name is part of the test id: CI shows which one failed
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
ACTIONS = ("goto", "fill", "click", "expect_text", "expect_url", "expect_status")
Impact = Literal["minor", "moderate", "serious", "critical"]


def _name(value: str) -> str:
    if not NAME.fullmatch(value):
        raise ValueError("must be a short name such as 'home' (a-z, 0-9, '-', '_'; at most 40)")
    return value


class PageConfig(Section):
    """``[[e2e.pages]]``: one page of the site, loaded as a desktop and as a phone browser."""

    name: str = Field(description="short name shown in the check's id, e.g. home")
    path: str = Field(description="path on [web] base_url, e.g. /")
    a11y: bool = Field(
        default=False, description="also run axe-core's accessibility rules (e2e.a11y)"
    )

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        return _name(value)

    @field_validator("path")
    @classmethod
    def _check_path(cls, value: str) -> str:
        return url_path(value) or value


class StepConfig(Section):
    """One step of a declarative journey: exactly one action key.

    ``{ goto = "/" }``, ``{ fill = "#user", value = "${USER}" }``, ``{ click = "text=Sign in" }``,
    ``{ expect_text = "Signed in" }``, ``{ expect_url = "/account" }``,
    ``{ expect_status = 200, request = "/login" }`` (the latest response to that path).
    """

    goto: str | None = Field(default=None, description="open a path of the site")
    fill: str | None = Field(default=None, description="type `value` into this selector")
    value: str | None = Field(
        default=None, description="what `fill` types (may be a ${SECRET}: never shown)"
    )
    click: str | None = Field(default=None, description="click this selector")
    expect_text: str | None = Field(default=None, description="text the page must show")
    expect_url: str | None = Field(
        default=None, description="path (and query) the page must reach, e.g. /account"
    )
    expect_status: int | None = Field(
        default=None, ge=100, le=599, description="status of the latest response to `request`"
    )
    request: str | None = Field(
        default=None, description="path of the request `expect_status` looks at, e.g. /login"
    )

    @field_validator("goto", "expect_url", "request")
    @classmethod
    def _paths(cls, value: str | None) -> str | None:
        return url_path(value)

    @model_validator(mode="after")
    def _one_action(self) -> StepConfig:
        given = [a for a in ACTIONS if getattr(self, a) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a step has exactly one of {', '.join(ACTIONS)} (found: {', '.join(given) or 'none'})"
            )
        if (self.value is not None) != (self.fill is not None):
            raise ValueError("`value` goes with `fill`, and `fill` needs a `value`")
        if (self.request is not None) != (self.expect_status is not None):
            raise ValueError("`request` goes with `expect_status`, and `expect_status` needs it")
        return self

    @property
    def action(self) -> str:
        return next(a for a in ACTIONS if getattr(self, a) is not None)


class JourneyConfig(Section):
    """``[[e2e.journeys]]``: a named user journey as steps (each its own e2e.journey test)."""

    name: str = Field(description="short name shown in the check's id, e.g. login")
    steps: list[StepConfig] = Field(min_length=1, max_length=100)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        return _name(value)


class E2eConfig(Section):
    """The browser checks: pages, journeys, web-vital budgets and the browser to use."""

    chromium: Path = Field(
        default=Path("/usr/bin/chromium"),
        description="Chromium executable (Debian's chromium package); missing: every e2e "
        "check is an error saying so",
    )
    pages: list[PageConfig] | None = Field(
        default=None,
        max_length=50,
        description="[[e2e.pages]] tables (unset: the page checks are not applicable)",
    )
    journeys: list[JourneyConfig] | None = Field(
        default=None,
        max_length=50,
        description="[[e2e.journeys]] tables (unset: e2e.journey is not applicable)",
    )
    signup_path: str | None = Field(
        default=None,
        description="sign-up page of the Python journey e2e.signup (fields username and "
        "password, a submit button; unset: e2e.signup is not applicable)",
    )
    runs: int = Field(
        default=3, ge=1, le=20, description="loads per page for web vitals (the median is judged)"
    )
    timeout_s: float = Field(
        default=15.0, gt=0, le=MINUTE * 2, description="limit of each navigation and step"
    )
    fcp_ms: float = Field(default=1500.0, gt=0, le=60_000, description="First Contentful Paint")
    lcp_ms: float = Field(default=2500.0, gt=0, le=60_000, description="Largest Contentful Paint")
    cls: float = Field(default=0.1, ge=0, le=10, description="Cumulative Layout Shift")
    tti_ms: float = Field(
        default=3500.0,
        gt=0,
        le=60_000,
        description="Time to Interactive, estimated: the end of the last long task after "
        "DOMContentLoaded and FCP",
    )
    tbt_ms: float | None = Field(
        default=None,
        gt=0,
        le=60_000,
        description="Total Blocking Time budget (recorded always; judged only when set, e.g. "
        "300: Lighthouse's 'good' is 200 on a throttled phone)",
    )
    load_ms: float = Field(default=2000.0, gt=0, le=60_000, description="page load (load event)")
    a11y_impact: Impact = Field(
        default="serious",
        description="axe-core violations at this impact or worse fail e2e.a11y (the others "
        "are listed)",
    )

    @field_validator("signup_path")
    @classmethod
    def _signup_path(cls, value: str | None) -> str | None:
        return url_path(value)

    @model_validator(mode="after")
    def _unique_names(self) -> E2eConfig:
        for kind, items in (("pages", self.pages), ("journeys", self.journeys)):
            names = [item.name for item in items or []]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"{kind}: name {twice[0]!r} is used twice")
        return self
