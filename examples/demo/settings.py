"""Settings of the demo project (``make demo``): SQLite and local files, nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import django_stubs_ext

# Lets admin.ModelAdmin[Document] and friends be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the demo writes lives under one directory (git-ignored); the
# test suite points DEMO_VAR_DIR at a temporary one.
VAR_DIR = Path(os.environ.get("DEMO_VAR_DIR", BASE_DIR / "var"))
# Uploads (the Document model). Not served as static files: downloads go
# through views, which decide who may have them.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Files no URL maps to directly; only the download views reach them.
PRIVATE_ROOT = VAR_DIR / "private"
# The "private" storage's files. Named storages: serve_storage takes the
# alias ("private"), so the view never names a directory.
STORAGE_ROOT = VAR_DIR / "storage"
# Made here, not by demo_setup: migrate, the first command run, runs the
# system checks, and a urlpattern whose root does not exist is
# dlshortcuts.E034 (SQLite creates its file, not the directory).
for directory in (PRIVATE_ROOT / "files", PRIVATE_ROOT / "images", MEDIA_ROOT, STORAGE_ROOT):
    directory.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": STORAGE_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Every directory a download reads, as offload locations: nginx/settings.py
# hands them to nginx, and the "In production" page prints the nginx
# configuration generated from them (manage.py dlshortcuts_proxy_config).
DEMO_OFFLOAD_LOCATIONS = [
    {"root": str(PRIVATE_ROOT), "url": "/_protected/"},
    {"root": str(MEDIA_ROOT), "url": "/_media/"},
    {"storage": "private", "url": "/_storage/"},
]

SECRET_KEY = "demo-only-not-secret"  # a local demo, never deployed
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dlshortcuts",
    "demo",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "demo.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "static/"
LOGIN_REDIRECT_URL = "home"

DLSHORTCUTS = {
    # serve_url fetches only from the demo itself (the "remote" download);
    # any other host is refused before a connection is made.
    "URL_ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
    # The upstream is this same process: a short wait says so quickly when
    # the server has no free thread to answer it.
    "URL_TIMEOUT": (2.0, 10.0),
}

# The account `manage.py demo_setup` creates; the home page shows it.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # shown on the home page on purpose
