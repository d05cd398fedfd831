"""Views for the @optimized_download and middleware client tests (tests/test_middleware.py)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import aserve_path, serve_generated, serve_path
from dlshortcuts.decorators import optimized_download


def _root() -> str:
    # Set per test by tests/test_middleware.py (a tmp directory).
    root: str = str(settings.OFFLOAD_TEST_ROOT)  # type: ignore[misc]
    return root


def plain(request: HttpRequest, name: str) -> HttpResponseBase:
    """No decorator: only the middleware offloads."""
    return serve_path(request, name, root=_root())


async def plain_async(request: HttpRequest, name: str) -> HttpResponseBase:
    """The async twin of :func:`plain`."""
    return await aserve_path(request, name, root=_root())


@optimized_download(backend="apache")
def decorated(request: HttpRequest, name: str) -> HttpResponseBase:
    """The decorator's arguments win over the middleware's settings."""
    return serve_path(request, name, root=_root())


def generated(request: HttpRequest) -> HttpResponseBase:
    """Never offloaded."""
    return serve_generated(request, "a,b\n", filename="report.csv")


urlpatterns = [
    path("plain/<path:name>", plain),
    path("async/<path:name>", plain_async),
    path("decorated/<path:name>", decorated),
    path("generated.csv", generated),
]
