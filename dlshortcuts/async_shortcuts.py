"""The async twins of the shortcuts, for ``async def`` views.

Each runs its shortcut's blocking work (storage, database and upstream
calls) in a worker thread and returns the same response; under ASGI the body
is an async iterator, so nothing is buffered. ``aserve_path`` is the
exception: its work before the body is a confined open, an ``fstat`` and a
``readlink``, a few microseconds on a local disk against about 150 us for
the hop to a worker thread and back, so it runs on the event loop.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.http.response import HttpResponseBase

from dlshortcuts.shortcuts import (
    serve_archive,
    serve_field,
    serve_generated,
    serve_path,
    serve_storage,
    serve_url,
)

__all__ = [
    "aserve_archive",
    "aserve_field",
    "aserve_generated",
    "aserve_path",
    "aserve_storage",
    "aserve_url",
    "respond_in_thread",
]

_P = ParamSpec("_P")
_R = TypeVar("_R", bound=HttpResponseBase)


async def respond_in_thread(
    shortcut: Callable[..., _R], /, *args: Any, thread_sensitive: bool = False, **kwargs: Any
) -> _R:
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


def _close_response(task: asyncio.Future[_R]) -> None:
    if not task.cancelled() and task.exception() is None:
        task.result().close()


def _twin(
    shortcut: Callable[_P, _R], doc: str, *, thread_sensitive: bool = False, on_loop: bool = False
) -> Callable[_P, Coroutine[Any, Any, _R]]:
    """The async twin of ``shortcut``: same signature, run by :func:`respond_in_thread`.

    With ``on_loop``, ``shortcut`` is called on the event loop instead: for
    work shorter than the hop to a thread.
    """

    async def twin(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if on_loop:
            return shortcut(*args, **kwargs)
        call = functools.partial(shortcut, *args, **kwargs)
        return await respond_in_thread(call, thread_sensitive=thread_sensitive)

    functools.update_wrapper(twin, shortcut)
    twin.__name__ = twin.__qualname__ = f"a{shortcut.__name__}"
    twin.__module__ = __name__
    twin.__doc__ = doc
    return twin


aserve_path = _twin(
    serve_path,
    "Async twin of :func:`~dlshortcuts.serve_path`; same arguments.\n\n"
    "It opens and checks the file on the event loop (metadata system calls: microseconds on a local "
    "disk, less than a hop to a worker thread; a sniff, when the name tells no type, reads a few KiB "
    "once per version of the file); the body is read in worker threads. Where opening a file can "
    "block (a network filesystem), run it in a thread: ``await respond_in_thread(serve_path, request, "
    "path, root=root)``.",
    on_loop=True,
)
aserve_storage = _twin(
    serve_storage,
    "Async twin of :func:`~dlshortcuts.serve_storage`, same arguments; storage calls run in a worker thread.",
)
aserve_field = _twin(
    serve_field,
    "Async twin of :func:`~dlshortcuts.serve_field`, same arguments; the query and storage calls run "
    "in Django's thread-sensitive executor, where the ORM may be used.",
    thread_sensitive=True,
)
aserve_generated = _twin(
    serve_generated,
    "Async twin of :func:`~dlshortcuts.serve_generated`, same arguments; a callable ``content`` runs "
    "in Django's thread-sensitive executor, so it may use the ORM.",
    thread_sensitive=True,
)
aserve_url = _twin(
    serve_url,
    "Async twin of :func:`~dlshortcuts.serve_url`, same arguments.\n\n"
    "The upstream request runs in a worker thread; under ASGI the body is an async iterator whose "
    "every blocking read runs in a worker thread, so the event loop never waits on the network and "
    "nothing is buffered.",
)
aserve_archive = _twin(
    serve_archive,
    "Async twin of :func:`~dlshortcuts.serve_archive`, same arguments; a callable ``members`` and "
    "the members' metadata run in Django's thread-sensitive executor, so they may use the ORM. Under "
    "ASGI the body is an async iterator: members are read in worker threads, async iterables on the "
    "event loop.",
    thread_sensitive=True,
)
