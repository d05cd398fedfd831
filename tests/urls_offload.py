"""The test project's views behind the real reverse proxies (settings: tests.settings_offload)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import aserve_path, optimized_download, serve_path
from tests.settings_offload import ELSEWHERE_ROOT, PROTECTED_ROOT


def ping(request: HttpRequest) -> HttpResponse:
    """A plain Django view: the proxy passes it through untouched."""
    return HttpResponse(b"pong", content_type="text/plain")


@optimized_download
def protected(request: HttpRequest, name: str) -> HttpResponseBase:
    """A file inside the one proxy location: the web server sends it."""
    return serve_path(request, name, root=PROTECTED_ROOT)


@optimized_download
async def aprotected(request: HttpRequest, name: str) -> HttpResponseBase:
    """The async twin of :func:`protected`."""
    return await aserve_path(request, name, root=PROTECTED_ROOT)


@optimized_download
def elsewhere(request: HttpRequest, name: str) -> HttpResponseBase:
    """A file in no proxy location: Django streams it (the fallback)."""
    return serve_path(request, name, root=ELSEWHERE_ROOT)


@optimized_download(sniff=True)
def sniffed(request: HttpRequest, name: str) -> HttpResponseBase:
    """A file whose extension may lie: the type comes from its first bytes."""
    return serve_path(request, name, root=PROTECTED_ROOT)


@optimized_download(limit_rate=1_000_000, buffering=False, expires=60)
def tuned(request: HttpRequest, name: str) -> HttpResponseBase:
    """nginx's per-response controls, sent as X-Accel-* headers."""
    return serve_path(request, name, root=PROTECTED_ROOT)


urlpatterns = [
    path("ping", ping),
    path("protected/<path:name>", protected),
    path("aprotected/<path:name>", aprotected),
    path("elsewhere/<path:name>", elsewhere),
    path("sniffed/<path:name>", sniffed),
    path("tuned/<path:name>", tuned),
]
