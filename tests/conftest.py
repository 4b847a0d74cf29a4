"""Fixtures shared by gonogo's own tests."""

from __future__ import annotations

pytest_plugins = ["pytester"]
