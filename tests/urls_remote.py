"""Views that proxy the test upstream named by the environment, sync and async."""

from __future__ import annotations

import os

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import aserve_url, serve_url

#: The environment variable holding the upstream's base URL.
UPSTREAM_VARIABLE = "DLSHORTCUTS_TEST_UPSTREAM"


def _target(request: HttpRequest, name: str) -> str:
    query = request.META.get("QUERY_STRING")
    return f"{os.environ[UPSTREAM_VARIABLE]}/{name}" + (f"?{query}" if query else "")


def proxied(request: HttpRequest, name: str) -> HttpResponseBase:
    return serve_url(request, _target(request, name), timeout=(2, 5))


async def aproxied(request: HttpRequest, name: str) -> HttpResponseBase:
    return await aserve_url(request, _target(request, name), timeout=(2, 5))


urlpatterns = [
    path("proxy/<path:name>", proxied),
    path("aproxy/<path:name>", aproxied),
]
