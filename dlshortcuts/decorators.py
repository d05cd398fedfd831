"""``@optimized_download``: let the web server send the files a view serves."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from dlshortcuts.offload.offloader import CachedOffloader, OffloadArguments, check_arguments, offloading
from dlshortcuts.wrappers import request_of, wrap_view

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
    :raises TypeError: at decoration, for an unknown argument or an argument
        (a location, an option) of the wrong type.
    :raises ValueError: at decoration, for a bad backend, location or option value.
    """
    check_arguments(arguments)

    def decorator(function: Callable[P, R]) -> Callable[P, R]:
        offloader = CachedOffloader(arguments)

        def around(args: tuple[Any, ...]) -> AbstractContextManager[None]:
            return offloading(request_of(args, "optimized_download()"), offloader.get())

        return wrap_view(function, around)

    if view is None:
        return decorator
    return decorator(view)
