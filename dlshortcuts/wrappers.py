"""Wrapping a view, sync or async, once: the decorators and the middleware share it.

``optimized_download``, ``signature_required``, ``temporary_media_root`` and
``OptimizedDownloadMiddleware`` each run something around a view (an
offloader on the request, a signature check, a temporary ``MEDIA_ROOT``);
:func:`wrap_view` writes the sync and the async branch for all of them.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any, ParamSpec, TypeVar, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest

P = ParamSpec("P")
R = TypeVar("R")

#: What runs around each call of the view, given its positional arguments: a
#: context manager whose value, when not None, is answered instead of calling
#: the view (a 403 for a bad signature).
Around = Callable[[tuple[Any, ...]], AbstractContextManager[object]]


def wrap_view(view: Callable[P, R], around: Around) -> Callable[P, R]:
    """``view`` called inside ``around(args)``, keeping its name, signature and sync/async kind.

    :param view: a sync or async view (or any callable taking the request).
    :param around: see :data:`Around`.
    """
    if iscoroutinefunction(view):
        coroutine_view = cast("Callable[P, Awaitable[Any]]", view)

        @functools.wraps(view)
        async def async_view(*args: P.args, **kwargs: P.kwargs) -> Any:
            with around(args) as answer:
                if answer is not None:
                    return answer
                return await coroutine_view(*args, **kwargs)

        markcoroutinefunction(async_view)
        return cast("Callable[P, R]", async_view)

    @functools.wraps(view)
    def sync_view(*args: P.args, **kwargs: P.kwargs) -> R:
        with around(args) as answer:
            if answer is not None:
                return cast("R", answer)
            return view(*args, **kwargs)

    return sync_view


def request_of(args: tuple[Any, ...], decorator: str) -> HttpRequest:
    """The request among a view's positional arguments (a method view has ``self`` first).

    Django REST framework's Request wraps an HttpRequest and passes attribute
    reads through to it: it is accepted as the request.

    :param decorator: how the caller is spelt in the message, ``"optimized_download()"``.
    :raises TypeError: when neither of the first two arguments is a request.
    """
    for argument in args[:2]:
        if isinstance(argument, HttpRequest) or hasattr(argument, "META"):
            return cast("HttpRequest", argument)
    raise TypeError(f"{decorator} decorates views: their first argument (after self) must be the request.")
