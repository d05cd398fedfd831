"""The async twins of the shortcuts, for ``async def`` views.

Each runs its shortcut's blocking work (opening files, storage, database and
upstream calls) in a worker thread and returns the same response; under ASGI
the body is an async iterator, so nothing is buffered.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from dlshortcuts.shortcuts import serve_field, serve_generated, serve_path, serve_storage, serve_url

if TYPE_CHECKING:
    import requests
    from django.core.files.storage import Storage
    from django.db.models.fields.files import FieldFile
    from typing_extensions import Unpack

    from dlshortcuts.options import DownloadOptions

__all__ = [
    "aserve_field",
    "aserve_generated",
    "aserve_path",
    "aserve_storage",
    "aserve_url",
    "respond_in_thread",
]


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
    shortcut: Callable[..., HttpResponseBase], /, *args: Any, thread_sensitive: bool = False, **kwargs: Any
) -> HttpResponseBase:
    """Run a blocking shortcut in a worker thread, for an async twin.

    When the client leaves before the response is ready, Django's ASGI
    handler cancels the view; the thread still finishes and makes a
    response nobody will close. It is closed here instead (its file or
    connection released at once, not left to the garbage collector).

    :param shortcut: the sync shortcut; ``args`` and ``kwargs`` are its arguments.
    :param thread_sensitive: run in Django's one thread-sensitive executor,
        where the ORM may be used (database connections belong to a thread).
    """
    task = asyncio.ensure_future(sync_to_async(shortcut, thread_sensitive=thread_sensitive)(*args, **kwargs))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(_close_response)
        raise


def _close_response(task: asyncio.Future[HttpResponseBase]) -> None:
    if not task.cancelled() and task.exception() is None:
        task.result().close()


async def aserve_url(
    request: HttpRequest,
    url: str,
    *,
    session: requests.Session | None = None,
    timeout: float | tuple[float, float] | None = None,
    allowed_hosts: Sequence[str] | None = None,
    forward_headers: Iterable[str] | None = None,
    **options: Unpack[DownloadOptions],
) -> HttpResponseBase:
    """Async twin of :func:`serve_url` for ``async def`` views; same arguments.

    The upstream request runs in a worker thread; under ASGI the body is an
    async iterator whose every blocking read runs in a worker thread, so the
    event loop never waits on the network and nothing is buffered.
    """
    return await respond_in_thread(
        serve_url,
        request,
        url,
        session=session,
        timeout=timeout,
        allowed_hosts=allowed_hosts,
        forward_headers=forward_headers,
        **options,
    )


async def aserve_storage(
    request: HttpRequest,
    name: str,
    *,
    storage: Storage | str | None = None,
    redirect: bool = False,
    **options: Unpack[DownloadOptions],
) -> HttpResponseBase:
    """Async twin of :func:`serve_storage`; storage calls run in a worker thread."""
    return await respond_in_thread(
        serve_storage, request, name, storage=storage, redirect=redirect, **options
    )


async def aserve_field(
    request: HttpRequest, field_file: FieldFile | None = None, **kwargs: Any
) -> HttpResponseBase:
    """Async twin of :func:`serve_field`, same arguments; the query and storage
    calls run in Django's thread-sensitive executor, where the ORM may be used."""
    return await respond_in_thread(serve_field, request, field_file, thread_sensitive=True, **kwargs)


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
    return await respond_in_thread(
        serve_generated,
        request,
        content,
        filename=filename,
        size=size,
        thread_sensitive=True,
        **options_and_url_kwargs,
    )
