"""``OptimizedDownloadMiddleware``: ``@optimized_download`` for every view of a project.

The same code path as the decorator, configured by the ``DLSHORTCUTS``
setting alone: the way django-downloadview's ``SmartDownloadMiddleware``
users migrate. A decorated view's own arguments win over it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from dlshortcuts.offload.offloader import Offloader, offloading

__all__ = ["OptimizedDownloadMiddleware"]

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
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        with offloading(request, Offloader.configure({})):
            return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        with offloading(request, Offloader.configure({})):
            return await cast("AsyncGetResponse", self.get_response)(request)
