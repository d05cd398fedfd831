"""``@optimized_download``: let the web server send the files a view serves."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast, overload

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest

from dlshortcuts.offload.offloader import OffloadArguments, Offloader, check_arguments, offloading

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["optimized_download"]

P = ParamSpec("P")
R = TypeVar("R")


@overload
def optimized_download(view: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def optimized_download(
    view: None = None, /, **arguments: Unpack[OffloadArguments]
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def optimized_download(
    view: Callable[P, R] | None = None, /, **arguments: Unpack[OffloadArguments]
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Hand the files a view serves over to the web server (nginx, Apache, ...).

    Use it bare (backend and locations from the ``DLSHORTCUTS`` setting) or
    with arguments, which override the setting::

        @optimized_download(backend="nginx", locations=[{"root": "/srv/private", "url": "/_protected/"}])
        def invoice(request, number):
            return serve_path(request, f"{number}.pdf", root="/srv/private")

    A download whose source lies in a location becomes an empty 200 with the
    backend's header; generated content and sources in no location are
    streamed by Django as usual. Works on sync and async views, in either
    order with ``login_required``, ``cache_control`` and friends.

    :param view: the view, when used bare.
    :param backend: ``"nginx"``, ``"apache"``, ``"lighttpd"``, ``"litespeed"``
        or ``"caddy"``.
    :param locations: location entries: ``{"root": DIR, "url": PREFIX}``,
        ``{"storage": ALIAS, "url": PREFIX}``, ``{"source_url": URL, "url": PREFIX}``.
    :param sniff: the ``sniff`` option for the shortcuts that leave it unset.
    :param limit_rate: nginx: bytes per second, or False for no limit.
    :param buffering: nginx: True or False.
    :param expires: nginx: seconds, a timedelta, a datetime, or False.
    :param charset: nginx: the charset nginx declares for the file.
    :raises ValueError: at decoration, for a bad backend, location or option.
    :raises TypeError: at decoration, for an unknown argument.
    """
    check_arguments(arguments)

    def decorator(function: Callable[P, R]) -> Callable[P, R]:
        if iscoroutinefunction(function):
            coroutine_function: Callable[P, Awaitable[Any]] = function

            @functools.wraps(function)
            async def async_view(*args: P.args, **kwargs: P.kwargs) -> Any:
                with offloading(_request(args), Offloader.configure(arguments)):
                    return await coroutine_function(*args, **kwargs)

            markcoroutinefunction(async_view)
            return cast("Callable[P, R]", async_view)

        @functools.wraps(function)
        def sync_view(*args: P.args, **kwargs: P.kwargs) -> R:
            with offloading(_request(args), Offloader.configure(arguments)):
                return function(*args, **kwargs)

        return sync_view

    if view is None:
        return decorator
    return decorator(view)


def _request(args: tuple[Any, ...]) -> HttpRequest:
    """The request among a view's positional arguments (a method view has ``self`` first).

    Django REST framework's Request wraps an HttpRequest and passes attribute
    reads through to it: the shortcuts called with it find the offloader too.
    """
    for argument in args[:2]:
        if isinstance(argument, HttpRequest) or hasattr(argument, "META"):
            return cast("HttpRequest", argument)
    raise TypeError(
        "optimized_download() decorates views: their first argument (after self) must be the request."
    )
