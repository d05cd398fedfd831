"""Fixtures shared by the test modules."""

from __future__ import annotations

pytest_plugins = ["tests.s3server"]
