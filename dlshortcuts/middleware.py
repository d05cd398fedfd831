"""``OptimizedDownloadMiddleware``: ``@optimized_download`` for every view of a project.

The same code path as the decorator, configured by the ``DLSHORTCUTS``
setting alone: the way django-downloadview's ``SmartDownloadMiddleware``
users migrate. A decorated view's own arguments win over it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware import gzip

from dlshortcuts.engine.response import DownloadResponse
from dlshortcuts.offload.offloader import CachedOffloader, offloading
from dlshortcuts.wrappers import wrap_view

__all__ = ["GZipMiddleware", "OptimizedDownloadMiddleware"]

GetResponse = Callable[[HttpRequest], HttpResponseBase]
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


class OptimizedDownloadMiddleware:
    """Hand every download whose source lies in a ``LOCATIONS`` entry over to the web server.

    Add ``"dlshortcuts.middleware.OptimizedDownloadMiddleware"`` to
    ``MIDDLEWARE``; it works under WSGI and ASGI without an extra thread hop.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse | AsyncGetResponse) -> None:
        self.get_response = get_response
        self.offloader = CachedOffloader({})
        # One function for both kinds: wrap_view keeps get_response's.
        self.respond = cast("Callable[[HttpRequest], Any]", wrap_view(get_response, self._around))
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _around(self, args: tuple[Any, ...]) -> AbstractContextManager[None]:
        request: HttpRequest = args[0]
        return offloading(request, self.offloader.get())

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        response: HttpResponseBase | Awaitable[HttpResponseBase] = self.respond(request)
        return response


class GZipMiddleware(gzip.GZipMiddleware):
    """Django's ``GZipMiddleware`` that leaves downloads alone (check ``dlshortcuts.W005``).

    Compressing a download on the fly sends a 206's identity Content-Range
    over a gzip body (RFC 9110 §14.4 counts bytes of the representation),
    weakens the ETag so If-Range never matches again (§13.1.5 needs a strong
    one), drops Content-Length and defeats zero-copy. In ``MIDDLEWARE``::

        MIDDLEWARE = ["dlshortcuts.middleware.GZipMiddleware", ...]

    replacing ``"django.middleware.gzip.GZipMiddleware"``; every other
    response is compressed as before.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        """Pass a :class:`~dlshortcuts.DownloadResponse` through as it is, compress the rest."""
        if isinstance(response, DownloadResponse):
            return response
        return super().process_response(request, response)
