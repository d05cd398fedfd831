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
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from .conf import conf
from .files import open_file, resolve_under_root
from .generated import call_content, resolve_content
from .options import Options
from .remote import UpstreamError, default_session, resolve_url
from .remote_policy import forwarded_names, hosts_list, max_redirects_count, timeout_pair
from .responses import build_response

if TYPE_CHECKING:
    import requests
    from typing_extensions import Unpack

    from .options import DownloadOptions

__all__ = ["aserve_generated", "aserve_path", "aserve_url", "serve_generated", "serve_path", "serve_url"]


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
    # The name asked for, not the one a symlink resolves to ("latest.tar.gz").
    return build_response(request, open_file(target, os.path.basename(os.fspath(path))), checked)


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
    if options.charset is None:
        # Generated text is declared UTF-8 (str is encoded so) unless told otherwise.
        options = dataclasses.replace(options, charset="utf-8")
    content = call_content(request, content, options_and_url_kwargs)
    download = resolve_content(content, filename=filename, size=size, charset=options.charset or "utf-8")
    return build_response(request, download, options)


def serve_url(
    request: HttpRequest,
    url: str,
    *,
    session: requests.Session | None = None,
    timeout: float | tuple[float, float] | None = None,
    allowed_hosts: Sequence[str] | None = None,
    forward_headers: Iterable[str] | None = None,
    **options: Unpack[DownloadOptions],
) -> HttpResponseBase:
    """Stream a remote file through requests, relaying the upstream's answer.

    The client's Range, If-Range, If-None-Match, If-Modified-Since and
    Accept-Encoding go upstream; its 200, 206, 304 or 416 comes back with
    its Content-Type, Content-Length, Content-Range, Accept-Ranges, ETag,
    Last-Modified and Content-Encoding, the body as raw bytes (never
    decoded) in 64 KiB blocks. HEAD is sent upstream as HEAD.

    .. warning:: A URL built from client input can make the server fetch
       internal addresses (server-side request forgery): set
       ``allowed_hosts`` or the ``URL_ALLOWED_HOSTS`` setting.

    :param request: the current request.
    :param url: an absolute http or https URL.
    :param session: the requests session to use (default: one pooled
        session per process, see :func:`dlshortcuts.remote.default_session`).
    :param timeout: seconds to connect and to wait for each read, one
        number or a ``(connect, read)`` pair (default: the ``URL_TIMEOUT``
        setting).
    :param allowed_hosts: the hosts ``url`` and every redirect may name, in
        Django's ``ALLOWED_HOSTS`` syntax (default: the ``URL_ALLOWED_HOSTS``
        setting; None there allows any host). A refused ``url`` answers 404
        without any request being made; a refused redirect answers 502.
    :param forward_headers: more request fields to send upstream, such as
        ``["Authorization"]``; dropped when a redirect leaves the origin.
    :param options: the common options; the download name defaults to the
        upstream's Content-Disposition name, else the URL's last segment.
    :returns: the relayed download; an empty 504 when the upstream times
        out before answering, an empty 502 for any other upstream failure.
    :raises Http404: when ``url`` is refused (no request is made) or the
        upstream answers 404 or 410.
    :raises TypeError: for a non-string ``url`` or a malformed argument.
    :raises ValueError: for a ``forward_headers`` name that may not be
        forwarded.
    """
    if not isinstance(url, str):
        raise TypeError(f"serve_url() url must be a str such as 'https://example.com/a.pdf', not {url!r}")
    checked = Options.from_kwargs("serve_url", dict(options))
    try:
        download = resolve_url(
            request,
            url,
            session=default_session() if session is None else session,
            timeout=timeout_pair(conf.URL_TIMEOUT if timeout is None else timeout),
            allowed_hosts=hosts_list(conf.URL_ALLOWED_HOSTS if allowed_hosts is None else allowed_hosts),
            max_redirects=max_redirects_count(conf.URL_MAX_REDIRECTS),
            forward_headers=forwarded_names(forward_headers),
            ranges=checked.ranges,
        )
    except UpstreamError as error:
        return HttpResponse(status=error.status)
    return build_response(request, download, checked)


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
