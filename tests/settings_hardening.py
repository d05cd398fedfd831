"""Settings for the servers the hardening tests start: the test settings, the
hardening URLs, and a root given by the test through the environment."""

from __future__ import annotations

import os

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_hardening"
HARDENING_ROOT = os.environ["DLSHORTCUTS_HARDENING_ROOT"]
