"""The demo's settings behind nginx: every download from disk is handed over to nginx.

The project's views are unchanged: ``OptimizedDownloadMiddleware`` applies
``@optimized_download`` to all of them, with the locations below. Generated
downloads (``orders.csv``) are still streamed by Django.
"""

from __future__ import annotations

from demo.settings import *  # noqa: F403
from demo.settings import DEMO_OFFLOAD_LOCATIONS, MEDIA_ROOT, MIDDLEWARE, PRIVATE_ROOT, STORAGE_ROOT, VAR_DIR
from demo.settings import DLSHORTCUTS as DEMO_DLSHORTCUTS

DEBUG = False
# gunicorn serves no static files: nginx does, from here (collectstatic).
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"

MIDDLEWARE = [*MIDDLEWARE, "dlshortcuts.middleware.OptimizedDownloadMiddleware"]
# The system checks (run by migrate, before demo_setup writes any file)
# want every location's directory to exist.
for directory in (PRIVATE_ROOT, MEDIA_ROOT, STORAGE_ROOT):
    directory.mkdir(parents=True, exist_ok=True)
DLSHORTCUTS = {
    **DEMO_DLSHORTCUTS,  # serve_url's allowed hosts
    "BACKEND": "nginx",
    "LOCATIONS": DEMO_OFFLOAD_LOCATIONS,
}
