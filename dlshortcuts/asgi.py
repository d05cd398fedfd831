"""Django's ASGI application, plus ``http.response.pathsend`` where the server offers it.

Under a server that lists ``http.response.pathsend`` in ``scope["extensions"]``
(Granian), a whole file on disk answering a GET leaves Python entirely: the
application sends its ``http.response.start``, then one
``{"type": "http.response.pathsend", "path": ...}`` message, and the server
opens the path and sends the bytes itself. Every other answer (HEAD, a
Range, 304, generated or remote content, any response that is not a
download) is sent exactly as Django's own handler sends it, and so is
everything under a server without the extension (uvicorn, Hypercorn,
Daphne). See :doc:`/asgi`.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import django
from django.core.handlers.asgi import ASGIHandler
from django.http.response import HttpResponseBase

from dlshortcuts.engine.bodies import empty_async
from dlshortcuts.engine.response import DownloadResponse

__all__ = ["PathsendASGIHandler", "get_asgi_application", "sendable_path"]

#: The extension's name in ``scope["extensions"]`` (asgiref's HTTP spec).
PATHSEND = "http.response.pathsend"

Send = Callable[[Mapping[str, Any]], Awaitable[None]]

# Whether the current request may be answered with pathsend: set per request
# in handle(); the tasks Django's handler creates copy this context.
_offered: contextvars.ContextVar[bool] = contextvars.ContextVar("dlshortcuts_pathsend", default=False)


class PathsendASGIHandler(ASGIHandler):
    """Django's ``ASGIHandler``, sending a whole file on disk with ``http.response.pathsend``.

    Only the sending of a response changes, and only for a response that
    qualifies (see :func:`sendable_path`): its headers are the ones Django
    would send, its body one pathsend message instead of body messages.
    """

    async def handle(
        self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Send
    ) -> HttpResponseBase | None:
        """Django's ``handle``, knowing whether this request may be answered with pathsend."""
        # asgiref: the extension is offered per connection, in the scope; a
        # pathsend answers only a GET (a HEAD has no body to send).
        offered = PATHSEND in (scope.get("extensions") or {}) and scope.get("method") == "GET"
        token = _offered.set(offered)
        try:
            return await super().handle(scope, receive, send)
        finally:
            _offered.reset(token)

    async def send_response(self, response: HttpResponseBase, send: Send) -> None:
        """Send ``response`` as Django does, its body as one pathsend message when it qualifies."""
        path = sendable_path(response) if _offered.get() else None
        if path is None:
            await super().send_response(response, send)
            return
        assert isinstance(response, DownloadResponse)  # sendable_path() said so
        # Django sends the start message (headers and cookies as it always
        # does), then, for an empty streaming body, one final body message:
        # that one becomes the pathsend. The file stays open until Django
        # closes the response, as for any other answer.
        response.streaming_content = empty_async()
        # The server sends the bytes: download_finished says so (offloaded,
        # no byte count), as for a handover to a web server (issue 14).
        response.offloaded = True

        async def send_path(message: Mapping[str, Any]) -> None:
            if message["type"] == "http.response.body":
                message = {"type": PATHSEND, "path": path}
            await send(message)

        await super().send_response(response, send_path)


def sendable_path(response: HttpResponseBase) -> str | None:
    """The path a server may send as ``response``'s whole body, or None to send the body as usual.

    A path qualifies only when all of these hold: the response is a 200
    :class:`~dlshortcuts.DownloadResponse` whose body is a regular file on
    disk, still open (a HEAD, a 304 and a handover to a web server have
    closed it), with the file's size as Content-Length and no
    Content-Encoding (a middleware that rewrote the body); the Download
    holds nothing but that file (nothing to delete or release after the
    send, which pathsend could not wait for); and the name still leads to
    the very file that was opened and described: same device, inode, size
    and modification time (``os.stat`` right before the answer). A file
    replaced or rewritten since is sent from the descriptor already open,
    as without pathsend.

    :param response: the view's response, about to be sent.
    """
    if not isinstance(response, DownloadResponse) or response.status_code != 200:
        return None
    download = response.download
    file = download.file
    if download.path is None or download.identity is None or file is None or file.closed:
        return None
    if any(held is not file for held in download.held):
        return None
    if response.get("Content-Length") != str(download.size) or response.has_header("Content-Encoding"):
        return None
    try:
        st = os.stat(download.path)
    except OSError:
        return None
    if (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) != download.identity:
        return None
    return download.path


def get_asgi_application() -> PathsendASGIHandler:
    """The ASGI application for a project's ``asgi.py``, as Django's ``get_asgi_application``.

    Under Granian, a whole file served by a shortcut leaves Python: the
    server reads it from disk itself. Elsewhere it is Django's handler.

    .. code-block:: python

        # mysite/asgi.py
        import os

        from dlshortcuts.asgi import get_asgi_application

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
        application = get_asgi_application()
    """
    django.setup(set_prefix=False)
    return PathsendASGIHandler()
