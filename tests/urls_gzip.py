"""serve_path behind a GZip middleware (tests/settings_gzip.py)."""

from __future__ import annotations

from django.conf import settings
from django.urls import path

from dlshortcuts import serve_path

urlpatterns = [path("files/<path:path>", serve_path, {"root": settings.MEDIA_ROOT})]
