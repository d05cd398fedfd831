"""URLs for tests/test_testing.py: files under MEDIA_ROOT (the media_root fixture)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import serve_path


def files(request: HttpRequest, name: str) -> HttpResponseBase:
    return serve_path(request, name, root=settings.MEDIA_ROOT)


urlpatterns = [path("files/<path:name>", files)]
