"""The test project's views behind the real reverse proxies (settings: tests.settings_offload)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import serve_path
from tests.settings_offload import PROTECTED_ROOT


def ping(request: HttpRequest) -> HttpResponse:
    """A plain Django view: the proxy passes it through untouched."""
    return HttpResponse(b"pong", content_type="text/plain")


def protected(request: HttpRequest, name: str) -> HttpResponseBase:
    """A file inside the proxy location."""
    return serve_path(request, name, root=PROTECTED_ROOT)


urlpatterns = [
    path("ping", ping),
    path("protected/<path:name>", protected),
]
