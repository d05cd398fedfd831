"""The shortcuts: one function per kind of source, each usable as a view.

Each resolves its source into a :class:`~dlshortcuts.download.Download` and
hands it to the one response engine. Each also works as a view in
``urlpatterns``, its options given as the third argument of ``path()``.
The ``a``-prefixed twins are for async views: they do their blocking work
(opening files, database and storage calls) in a worker thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .files import open_file, resolve_under_root
from .generated import resolve_content
from .options import Options
from .responses import build_response

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .options import DownloadOptions

__all__ = ["aserve_generated", "aserve_path", "serve_generated", "serve_path"]


def serve_path(
    request: HttpRequest,
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    **options: Unpack[DownloadOptions],
) -> HttpResponseBase:
    """Serve a file on disk.

    .. warning:: Without ``root`` the path is trusted: never pass a path that
       comes from the client without ``root``.

    :param request: the current request (its method, Range and conditional
        headers shape the answer).
    :param path: with ``root``, a path relative to it, typically from the URL;
        it must resolve (symlinks included) inside ``root`` or the answer is
        404. Without ``root``, the caller's own path.
    :param root: the directory client-supplied paths are confined to.
    :param options: the common options (``filename``, ``as_attachment``,
        ``content_type``, ``charset``, ``last_modified``, ``etag``,
        ``max_age``, ``ranges``, ``sniff``, ``headers``).
    :raises Http404: when the file is missing, not a regular file, or
        outside ``root``.
    """
    checked = Options.from_kwargs("serve_path", dict(options))
    target = path if root is None else resolve_under_root(root, path)
    return build_response(request, open_file(target), checked)


def serve_generated(
    request: HttpRequest,
    content: Any,
    *,
    filename: str,
    size: int | None = None,
    **options_and_url_kwargs: Any,
) -> HttpResponseBase:
    """Serve content the application makes: in memory or on the fly.

    :param request: the current request.
    :param content: bytes or str (sent with Content-Length and an ETag from
        the bytes; ranges honoured), a file-like object (ranges honoured when
        it is seekable), an iterable or async iterable of bytes/str
        (streamed block by block, memory stays flat), or a callable returning
        one of those, called lazily as ``content(request, **url_kwargs)``.
    :param filename: the download name (it also gives the content type).
    :param size: the length of a streamed body, when known in advance (sent
        as Content-Length).
    :param options_and_url_kwargs: the common options; any other keyword
        (URL kwargs when used in ``urlpatterns``) is passed to a callable
        ``content``.
    """
    options = Options.take(options_and_url_kwargs)
    if options.charset is None and isinstance(content, str):
        options = dataclasses.replace(options, charset="utf-8")
    download = resolve_content(
        request,
        content,
        filename=filename,
        size=size,
        charset=options.charset or "utf-8",
        url_kwargs=options_and_url_kwargs,
    )
    return build_response(request, download, options)


async def aserve_path(
    request: HttpRequest,
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    **options: Unpack[DownloadOptions],
) -> HttpResponseBase:
    """Async twin of :func:`serve_path` for ``async def`` views; same arguments."""
    return await respond_in_thread(serve_path, request, path, root=root, **options)


async def respond_in_thread(
    shortcut: Callable[..., HttpResponseBase], *args: Any, **kwargs: Any
) -> HttpResponseBase:
    """Run a blocking shortcut in a worker thread, for an async twin.

    When the client leaves before the response is ready, Django's ASGI
    handler cancels the view; the thread still finishes and makes a
    response nobody will close. It is closed here instead (its file or
    connection released at once, not left to the garbage collector).

    :param shortcut: the sync shortcut; ``args`` and ``kwargs`` are its arguments.
    """
    task = asyncio.ensure_future(sync_to_async(shortcut, thread_sensitive=False)(*args, **kwargs))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(_close_response)
        raise


def _close_response(task: asyncio.Future[HttpResponseBase]) -> None:
    if not task.cancelled() and task.exception() is None:
        task.result().close()


async def aserve_generated(
    request: HttpRequest,
    content: Any,
    *,
    filename: str,
    size: int | None = None,
    **options_and_url_kwargs: Any,
) -> HttpResponseBase:
    """Async twin of :func:`serve_generated`; a callable ``content`` runs in
    Django's thread-sensitive executor, so it may use the ORM."""
    return await sync_to_async(serve_generated)(
        request, content, filename=filename, size=size, **options_and_url_kwargs
    )
