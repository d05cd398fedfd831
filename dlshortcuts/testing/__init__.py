"""Assertions and a temporary MEDIA_ROOT for a project's own download tests.

They read what a download response says (status, Content-Disposition,
Content-Type, the body, the web-server handover headers) whatever kind of
response it is: a plain ``HttpResponse``, a streaming or async-streaming
``DownloadResponse``, or an empty handover made by ``@optimized_download``.
Every failure says what was expected and what came.
"""

from __future__ import annotations

import enum
import functools
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Final, ParamSpec, TypeVar, cast
from urllib.parse import unquote

from asgiref.sync import iscoroutinefunction
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import override_settings

from dlshortcuts.offload.backends import (
    X_ACCEL_BUFFERING,
    X_ACCEL_CHARSET,
    X_ACCEL_EXPIRES,
    X_ACCEL_LIMIT_RATE,
    X_ACCEL_REDIRECT,
    X_LITESPEED_LOCATION,
    X_SENDFILE,
    BackendName,
    Expires,
    ProxyOptions,
)
from dlshortcuts.testing.reading import close_response, handover_header, parse_disposition, read_body

__all__ = ["NOT_GIVEN", "NotGiven", "assert_download", "assert_offloaded", "temporary_media_root"]

P = ParamSpec("P")
R = TypeVar("R")


class NotGiven(enum.Enum):
    """The type of :data:`NOT_GIVEN`."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: The default of :func:`assert_offloaded`'s option arguments: not checked.
#: (None means the header must be absent.)
NOT_GIVEN: Final = NotGiven.NOT_GIVEN

# Which header each backend writes its handover in.
_HANDOVER_HEADERS: Final[dict[BackendName, str]] = {
    "nginx": X_ACCEL_REDIRECT,
    "caddy": X_ACCEL_REDIRECT,
    "litespeed": X_LITESPEED_LOCATION,
    "apache": X_SENDFILE,
    "lighttpd": X_SENDFILE,
}
# RFC 6266 §4.1 / RFC 8187 §3.2: filename*=UTF-8''percent-encoded, or filename="quoted" / token.


def _fail(what: str, expected: object, got: object) -> AssertionError:
    return AssertionError(f"{what}: expected {expected!r}, got {got!r}")


def assert_download(
    response: HttpResponseBase,
    *,
    content: bytes | str | None = None,
    filename: str | None = None,
    content_type: str | None = None,
    as_attachment: bool | None = None,
    status: int | None = None,
) -> None:
    """Check that ``response`` is the download you expect; None leaves an aspect unchecked.

    The body is read only when ``content`` is given, and the response is
    closed in every case, so no file stays open. For a response handed over to
    the web server, ``content`` is compared with the file the web server would
    send (``response.download``). An async-streaming response is drained in a
    private event loop: from an ``async def`` test, call it through
    ``sync_to_async``.

    :param response: what a view or the test client returned.
    :param content: the exact body (a str is encoded with the response's charset).
    :param filename: the name the browser saves the file under (``filename*``
        when present, else ``filename``).
    :param content_type: the Content-Type; without parameters (``"text/csv"``)
        only the media type is compared, with them the whole header.
    :param as_attachment: True for ``attachment``, False for ``inline``.
    :param status: the exact status; by default 200 or 206.
    :raises AssertionError: naming the first difference, expected and got.
    """
    try:
        if status is None:
            if response.status_code not in (200, 206):
                raise _fail("Status", "200 or 206", response.status_code)
        elif response.status_code != status:
            raise _fail("Status", status, response.status_code)
        kind, name = parse_disposition(response)
        if as_attachment is not None:
            expected_kind = "attachment" if as_attachment else "inline"
            if kind != expected_kind:
                raise _fail("Content-Disposition type", expected_kind, kind)
        if filename is not None and name != filename:
            raise _fail("Download file name", filename, name)
        if content_type is not None:
            got_type = response.headers.get("Content-Type")
            compared = got_type
            if got_type is not None and ";" not in content_type:
                compared = got_type.split(";", 1)[0].strip()
            if compared != content_type:
                raise _fail("Content-Type", content_type, got_type)
        if content is not None:
            expected = content.encode(response.charset) if isinstance(content, str) else content
            body = read_body(response)
            if body != expected:
                raise _fail(f"Body ({len(expected)} bytes expected, {len(body)} got)", expected, body)
    finally:
        close_response(response)


def _expected_header(option: str, value: Any) -> str | None:
    """How the decorator would write ``value`` for ``option`` (None: no header)."""
    return ProxyOptions(**{option: value}).headers().get(_OPTION_HEADERS[option])


_OPTION_HEADERS: Final = {
    "limit_rate": X_ACCEL_LIMIT_RATE,
    "buffering": X_ACCEL_BUFFERING,
    "expires": X_ACCEL_EXPIRES,
    "charset": X_ACCEL_CHARSET,
}


def _sendfile_paths(value: str) -> set[str]:
    """The paths an ``X-Sendfile`` value may stand for: Apache's raw bytes, lighttpd's encoding."""
    return {os.fsdecode(value.encode("latin-1", errors="replace")), unquote(value)}


def assert_offloaded(
    response: HttpResponseBase,
    *,
    backend: BackendName | None = None,
    location: str | None = None,
    path: str | os.PathLike[str] | None = None,
    limit_rate: int | bool | NotGiven | None = NOT_GIVEN,
    buffering: bool | NotGiven | None = NOT_GIVEN,
    expires: Expires | NotGiven | None = NOT_GIVEN,
    charset: str | NotGiven | None = NOT_GIVEN,
) -> None:
    """Check that ``response`` hands its file over to the web server, as expected.

    The response must be an empty 200 carrying a handover header. Each
    nginx option is compared by value, written the way ``@optimized_download``
    writes it: ``limit_rate=1024`` expects ``X-Accel-Limit-Rate: 1024``,
    ``expires=False`` expects ``X-Accel-Expires: off``, and None expects
    the header to be absent. Options left out are not checked.

    :param response: what a view or the test client returned (it is closed).
    :param backend: ``"nginx"``, ``"caddy"`` (``X-Accel-Redirect``),
        ``"litespeed"`` (``X-LiteSpeed-Location``), ``"apache"`` or
        ``"lighttpd"`` (``X-Sendfile``); None accepts any of them.
    :param location: the internal URI, not encoded
        (``"/_protected/naïve résumé.pdf"``), for the URI backends.
    :param path: the absolute path of the file handed over: the
        ``X-Sendfile`` value, or ``response.download.path`` for URI backends.
    :param limit_rate: bytes per second, False (``off``) or None (absent).
    :param buffering: True (``yes``), False (``no``) or None (absent).
    :param expires: seconds, a timedelta, a datetime, False (``off``) or None (absent).
    :param charset: the ``X-Accel-Charset`` value, or None (absent).
    :raises AssertionError: naming the first difference, expected and got.
    """
    try:
        if response.status_code != 200:
            raise _fail("Status of a handover", 200, response.status_code)
        handover = handover_header(response)
        if handover is None:
            raise AssertionError(
                "Expected a handover to the web server (X-Accel-Redirect, X-Sendfile or "
                f"X-LiteSpeed-Location), got none; the headers are {dict(response.headers)!r}"
            )
        header, value = handover
        if backend is not None and header != _HANDOVER_HEADERS[backend]:
            raise _fail(f"Handover header for {backend}", _HANDOVER_HEADERS[backend], header)
        if location is not None:
            if header == X_SENDFILE:
                raise AssertionError(f"X-Sendfile carries a path, not a location: check path=, got {value!r}")
            if unquote(value) != location:
                raise _fail(f"{header} (decoded)", location, unquote(value))
        if path is not None:
            _check_path(response, header, value, os.fspath(path))
        for option, expected in (
            ("limit_rate", limit_rate),
            ("buffering", buffering),
            ("expires", expires),
            ("charset", charset),
        ):
            if expected is not NOT_GIVEN:
                name = _OPTION_HEADERS[option]
                if response.headers.get(name) != _expected_header(option, expected):
                    raise _fail(name, _expected_header(option, expected), response.headers.get(name))
        body = (
            b"" if isinstance(response, StreamingHttpResponse) else bytes(getattr(response, "content", b""))
        )
        if body:
            raise _fail("Body of a handover", b"", body[:80])
    finally:
        close_response(response)


def _check_path(response: HttpResponseBase, header: str, value: str, path: str) -> None:
    if header == X_SENDFILE:
        if path not in _sendfile_paths(value):
            raise _fail("X-Sendfile path", path, unquote(value))
        return
    download = getattr(response, "download", None)
    got = None if download is None else download.path
    if got is None or os.path.realpath(got) != os.path.realpath(path):
        raise _fail("Path of the file handed over (response.download.path)", path, got)


@contextmanager
def _media_root() -> Iterator[str]:
    with (
        tempfile.TemporaryDirectory(prefix="dlshortcuts-media-") as directory,
        override_settings(MEDIA_ROOT=directory),
    ):
        yield directory


class temporary_media_root:  # lower case: used like override_settings
    """Point ``MEDIA_ROOT`` at a fresh temporary directory, removed afterwards.

    A context manager (``with temporary_media_root() as root:``, the target
    is the directory's absolute path) or a decorator for sync and async test
    functions (``@temporary_media_root()``, a fresh directory per call).
    Uploads saved through ``FileSystemStorage`` land there and vanish with it.
    """

    def __init__(self) -> None:
        self._entered: list[AbstractContextManager[str]] = []

    def __enter__(self) -> str:
        context = _media_root()
        directory = context.__enter__()
        self._entered.append(context)
        return directory

    def __exit__(self, *exc_info: Any) -> None:
        self._entered.pop().__exit__(*exc_info)

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        if isinstance(function, type):
            raise TypeError(
                f"temporary_media_root() decorates test functions, not the class {function.__name__!r}: "
                "decorate its methods, or use the media_root fixture."
            )
        if iscoroutinefunction(function):
            coroutine_function = cast("Callable[P, Awaitable[Any]]", function)

            @functools.wraps(function)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
                with _media_root():
                    return await coroutine_function(*args, **kwargs)

            return cast("Callable[P, R]", async_wrapper)

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with _media_root():
                return function(*args, **kwargs)

        return wrapper
