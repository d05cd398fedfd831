"""Settings for the serve_url real-server tests: the shared ones plus serve_url's views."""

from __future__ import annotations

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_remote"
