"""The download assertions: :func:`assert_download` and :func:`assert_offloaded`.

They read what a download response says (status, Content-Disposition,
Content-Type, the body, the web-server handover headers) whatever kind of
response it is: a plain ``HttpResponse``, a streaming or async-streaming
``DownloadResponse``, or an empty handover made by ``@optimized_download``.
Every failure says what was expected and what came.
"""

from __future__ import annotations

import enum
import os
from typing import Any, Final, Literal
from urllib.parse import unquote

from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase

from dlshortcuts.offload.backends import BACKENDS, BackendName, get_backend
from dlshortcuts.offload.backends.nginx import (
    X_ACCEL_BUFFERING,
    X_ACCEL_CHARSET,
    X_ACCEL_EXPIRES,
    X_ACCEL_LIMIT_RATE,
    Expires,
    ProxyOptions,
)
from dlshortcuts.testing.reading import (
    HANDOVER_HEADERS,
    close_response,
    handover_header,
    parse_disposition,
    read_body,
)


class NotGiven(enum.Enum):
    """The type of :data:`NOT_GIVEN`."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: The default of :func:`assert_offloaded`'s option arguments: not checked.
#: (None means the header must be absent.)
NOT_GIVEN: Final = NotGiven.NOT_GIVEN


# "X-Accel-Redirect, X-Sendfile or X-LiteSpeed-Location", for the message.
_HEADER_LIST = ", ".join(HANDOVER_HEADERS[:-1]) + " or " + HANDOVER_HEADERS[-1]


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


def _decoded(header: str, value: str, carries: Literal["uri", "path"]) -> set[str]:
    """What ``value`` may stand for, read back by every web server sending ``header`` with ``carries``.

    Apache and lighttpd share ``X-Sendfile``: its value is read both ways.
    """
    return {
        backend.decode(value)
        for backend in BACKENDS.values()
        if backend.header == header and backend.carries == carries
    }


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
    :param backend: the web server expected, whose handover header must be
        the response's (nginx and Caddy send ``X-Accel-Redirect``, LiteSpeed
        ``X-LiteSpeed-Location``, Apache and lighttpd ``X-Sendfile``); None
        accepts any of them.
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
                f"Expected a handover to the web server ({_HEADER_LIST}), got none; "
                f"the headers are {dict(response.headers)!r}"
            )
        header, value = handover
        if backend is not None and header != get_backend(backend).header:
            raise _fail(f"Handover header for {backend}", get_backend(backend).header, header)
        if location is not None:
            uris = _decoded(header, value, "uri")
            if not uris:
                raise AssertionError(f"{header} carries a path, not a location: check path=, got {value!r}")
            if location not in uris:
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
    paths = _decoded(header, value, "path")
    if paths:
        if path not in paths:
            raise _fail(f"{header} path", path, unquote(value))
        return
    download = getattr(response, "download", None)
    got = None if download is None else download.path
    if got is None or os.path.realpath(got) != os.path.realpath(path):
        raise _fail("Path of the file handed over (response.download.path)", path, got)
