"""Settings for tests/wire/test_gzip_wire.py: a GZip middleware, named by the environment."""

from __future__ import annotations

import os

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_gzip"
MIDDLEWARE = [os.environ["DLSHORTCUTS_GZIP_MIDDLEWARE"]]
MEDIA_ROOT = os.environ["DLSHORTCUTS_GZIP_ROOT"]
