"""Settings for the test project behind the real reverse proxies (see tests/proxy_servers.py).

Driven by the environment, so gunicorn and ``manage.py dlshortcuts_proxy_config``
read the same configuration: ``DLSHORTCUTS_TEST_BACKEND`` names the backend,
``DLSHORTCUTS_TEST_FILES`` is a directory holding ``protected/`` (the one proxy
location) and ``elsewhere/`` (in no location: Django streams it itself),
``DLSHORTCUTS_TEST_CHARSET`` is the optional ``CHARSET``.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_offload"

FILES = Path(os.environ["DLSHORTCUTS_TEST_FILES"])
PROTECTED_ROOT = FILES / "protected"
ELSEWHERE_ROOT = FILES / "elsewhere"

BACKEND = os.environ["DLSHORTCUTS_TEST_BACKEND"]
# As the docs configure them: Apache and lighttpd take a path, so no url.
LOCATION = {"root": str(PROTECTED_ROOT)}
if BACKEND not in ("apache", "lighttpd"):
    LOCATION["url"] = "/_protected/"

DLSHORTCUTS = {
    "BACKEND": BACKEND,
    "LOCATIONS": [LOCATION],
    "CHARSET": os.environ.get("DLSHORTCUTS_TEST_CHARSET"),
}
