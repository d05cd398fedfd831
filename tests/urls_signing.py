"""URLs for tests/test_signing.py: signed links to files under MEDIA_ROOT, sync and async."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import aserve_path, serve_path, serve_storage
from dlshortcuts.signing import signature_required


@signature_required
def files(request: HttpRequest, name: str) -> HttpResponseBase:
    return serve_path(request, name, root=settings.MEDIA_ROOT)


@signature_required
async def async_files(request: HttpRequest, name: str) -> HttpResponseBase:
    return await aserve_path(request, name, root=settings.MEDIA_ROOT)


urlpatterns = [
    path("files/<path:name>", files, name="signed-file"),
    path("async/<path:name>", async_files, name="async-signed-file"),
    path("media/<path:name>", files, name="signed-media"),
    path("private/<path:name>", signature_required(serve_storage), {"storage": "private"}),
]
