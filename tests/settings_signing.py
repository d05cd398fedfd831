"""Settings for the servers tests/wire/test_signing_servers.py starts: the signed-link URLs,
MEDIA_ROOT given by the test through the environment."""

from __future__ import annotations

import os

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_signing"
MEDIA_ROOT = os.environ["DLSHORTCUTS_SIGNING_ROOT"]
