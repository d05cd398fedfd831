"""Settings for the benchmark servers: no middleware, no database, no debug."""

from __future__ import annotations

SECRET_KEY = "benchmarks-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "benchmarks.project.urls"
INSTALLED_APPS = ["dlshortcuts"]
DATABASES: dict[str, dict[str, str]] = {}
# Each competitor runs as users run it: plain Django, nothing in front.
MIDDLEWARE: list[str] = []
# A competitor that fails must say why in the server's log, not answer 500 silently.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
