"""Settings for the servers the signal wire tests start (tests/wire/test_signals_wire.py).

``DLSHORTCUTS_SIGNALS_DIR`` holds ``files/`` (served by Django), ``files/protected/``
(the one nginx location); the receivers of tests.urls_signals write what
they were sent to ``DLSHORTCUTS_SIGNALS_LOG`` (one file per server);
``DLSHORTCUTS_SIGNALS_UPSTREAM`` is the upstream serve_url relays.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_signals"

SIGNALS_DIR = Path(os.environ["DLSHORTCUTS_SIGNALS_DIR"])
SIGNALS_FILES = SIGNALS_DIR / "files"
SIGNALS_PROTECTED = SIGNALS_FILES / "protected"
SIGNALS_LOG = Path(os.environ["DLSHORTCUTS_SIGNALS_LOG"])
SIGNALS_UPSTREAM = os.environ.get("DLSHORTCUTS_SIGNALS_UPSTREAM", "http://127.0.0.1:9")
