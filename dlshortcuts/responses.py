"""The response engine: the one place that turns a Download into HTTP.

Order of evaluation follows RFC 9110: representation headers first, then
preconditions (§13.2.2, through Django's ``get_conditional_response``), then
Range (§14.2, only for GET and HEAD, after preconditions), then the body.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, Protocol, cast

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from .bodies import (
    BLOCK_SIZE,
    FileBlocks,
    FileSlice,
    Piece,
    aiter_pieces,
    aiter_stream,
    iter_pieces,
    iter_stream,
)
from .disposition import content_disposition
from .download import Download
from .options import Options
from .ranges import ByteRange, RangeNotSatisfiable, if_range_matches, parse_range
from .sniff import guess_content_type, is_active_content_type, sniff_buffer, sniff_file

__all__ = ["OFFLOAD_ATTRIBUTE", "DownloadResponse", "Offload", "build_response"]

#: The request attribute where ``@optimized_download`` and its middleware leave
#: their :class:`Offload` for the shortcuts called under them.
OFFLOAD_ATTRIBUTE = "dlshortcuts_offload"

_DEFAULT_CONTENT_TYPE = "application/octet-stream"
_RANGE_METHODS = frozenset({"GET", "HEAD"})


class DownloadResponse(StreamingHttpResponse):
    """A streaming response that remembers what it serves.

    :ivar download: the :class:`~dlshortcuts.download.Download` behind the body.
    :ivar file_to_stream: under WSGI, the file slice the server may
        ``sendfile(2)``; None otherwise.
    """

    # Read by Django's WSGIHandler when it hands file_to_stream to wsgi.file_wrapper.
    block_size = BLOCK_SIZE
    file_to_stream: FileSlice | None = None

    def __init__(self, download: Download, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.download = download

    def close(self) -> None:
        # Django calls this when the server is done with the response, after
        # the last byte or after a client disconnect.
        try:
            if self.file_to_stream is not None:
                # The server may have sendfile(2)'d it without reading: check now.
                self.file_to_stream.ensure_complete()
        finally:
            try:
                self.download.close()
            finally:
                super().close()


class Offload(Protocol):
    """What hands downloads over to the web server (see :mod:`dlshortcuts.offload`)."""

    @property
    def sniff(self) -> bool | None:
        """The ``sniff`` option for shortcuts that leave theirs unset."""
        ...

    def headers(self, download: Download, content_type: str) -> Mapping[str, str] | None:
        """The headers handing ``download`` to the web server, or None to stream it here."""
        ...


def build_response(request: HttpRequest, download: Download, options: Options) -> HttpResponseBase:
    """Answer ``request`` with ``download``: 200, 206, 304, 412 or 416.

    Under ``@optimized_download`` (an :class:`Offload` on the request), a
    download the web server can reach is answered with an empty 200 carrying
    the handover headers instead.

    The download's file or stream is closed on every path: right away when
    no body is sent, otherwise by Django when the response is closed.
    """
    offload: Offload | None = getattr(request, OFFLOAD_ATTRIBUTE, None)
    if offload is not None and options.sniff is None:
        options = dataclasses.replace(options, sniff=offload.sniff)
    try:
        response = _build(request, download, options, offload)
    except BaseException:
        download.close()
        raise
    if not isinstance(response, DownloadResponse) or request.method == "HEAD":
        download.close()
    return response


def _build(
    request: HttpRequest, download: Download, options: Options, offload: Offload | None
) -> HttpResponseBase:
    response = DownloadResponse(download, streaming_content=())
    content_type = _content_type(download, options)
    as_attachment = options.as_attachment or (
        # A sniffed type is a guess about content the app may not control:
        # never let it make a browser run uploaded HTML or SVG inline.
        content_type != options.content_type
        and content_type != _named_type(download, options)
        and is_active_content_type(content_type)
    )
    filename = options.filename or download.filename
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = content_disposition(filename, as_attachment=as_attachment)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if options.max_age is None:
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response.headers["Cache-Control"] = f"private, max-age={options.max_age}"
    modified = _last_modified(download, options)
    if modified is not None:
        response.headers["Last-Modified"] = http_date(modified)
    etag = _etag(download, options)
    if etag is not None:
        response.headers["ETag"] = etag
    rangeable = options.ranges and download.file is not None and download.size is not None
    response.headers["Accept-Ranges"] = "bytes" if rangeable else "none"
    if download.size is not None:
        response.headers["Content-Length"] = str(download.size)
    for header, value in options.headers.items():
        response.headers[header] = value
    handover = None if offload is None else offload.headers(download, content_type)
    if handover is not None:
        return _hand_over(request, response, download, handover)

    # django-stubs type `response` as HttpResponse, but Django only copies its
    # headers onto a 304 and, given a response, always returns one.
    conditional = cast(
        "HttpResponseBase",
        get_conditional_response(
            request,
            etag=response.headers.get("ETag"),
            last_modified=modified,
            response=response,  # type: ignore[arg-type]
        ),
    )
    if conditional is not response:
        return conditional

    if rangeable and request.method in _RANGE_METHODS:
        assert download.size is not None
        try:
            ranges = _requested_ranges(request, response, download.size)
        except RangeNotSatisfiable:
            return _not_satisfiable(download.size)
        if ranges is not None:
            pieces = _make_partial(response, ranges, download.size, content_type)
            return _attach_body(request, response, download, pieces, options)
    whole: list[Piece] = [ByteRange(0, download.size)] if download.size else []
    return _attach_body(request, response, download, whole, options)


def _hand_over(
    request: HttpRequest, response: DownloadResponse, download: Download, handover: Mapping[str, str]
) -> DownloadResponse:
    """An empty 200: the web server sends the file and answers preconditions and Range itself.

    It evaluates them on the file it sends (RFC 9110 §13.2.1), so Django
    answers neither 304 nor 206; its Content-Length would describe a body it
    does not send, and whether ranges are accepted is the web server's to say
    (nginx would send both its own Accept-Ranges and Django's; a backend
    whose server stays silent adds it to ``handover``).
    """
    response.headers.pop("Content-Length", None)
    response.headers.pop("Accept-Ranges", None)
    for header, value in handover.items():
        response.headers[header] = value
    download.close()
    if isinstance(request, ASGIRequest):
        # Django's ASGI handler warns about (and lists) a sync iterator.
        response.streaming_content = _no_body()
    return response


async def _no_body() -> AsyncIterator[bytes]:
    nothing: tuple[bytes, ...] = ()
    for chunk in nothing:
        yield chunk


def _named_type(download: Download, options: Options) -> str | None:
    return download.content_type or guess_content_type(options.filename or download.filename)


def _content_type(download: Download, options: Options) -> str:
    """Explicit > declared by the source or told by the name > sniffed > octet-stream."""
    content_type = options.content_type
    if content_type is None:
        named = _named_type(download, options)
        if options.sniff or (options.sniff is None and named is None):
            content_type = _sniff(download) or named
        else:
            content_type = named
    content_type = content_type or _DEFAULT_CONTENT_TYPE
    if options.charset and content_type.startswith("text/") and "charset=" not in content_type:
        content_type = f"{content_type}; charset={options.charset}"
    return content_type


def _sniff(download: Download) -> str | None:
    if download.path is not None and download.size is not None and download.modified is not None:
        return sniff_file(download.path, download.size, int(download.modified * 1e9))
    if download.file is not None and download.file.seekable():
        position = download.file.tell()
        head = download.file.read(2048)
        download.file.seek(position)
        return sniff_buffer(head)
    return None


def _last_modified(download: Download, options: Options) -> int | None:
    value = options.last_modified if options.last_modified is not None else download.modified
    if isinstance(value, datetime.datetime):
        return int(value.timestamp())
    return None if value is None else int(value)


def _etag(download: Download, options: Options) -> str | None:
    if isinstance(options.etag, str):
        return quote_etag(options.etag)
    if not options.etag:
        return None
    if download.etag is not None:
        return download.etag
    if download.size is None or download.modified is None:
        return None
    # Size and modification time (microseconds), like nginx but finer: no
    # hashing of file contents on the hot path.
    return f'"{download.size:x}-{round(download.modified * 1e6):x}"'


def _requested_ranges(request: HttpRequest, response: DownloadResponse, size: int) -> list[ByteRange] | None:
    header = request.headers.get("Range")
    if header is None:
        return None
    if not if_range_matches(
        request.headers.get("If-Range"), response.headers.get("ETag"), response.headers.get("Last-Modified")
    ):
        return None
    return parse_range(header, size)


def _not_satisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response.headers["Content-Range"] = f"bytes */{size}"
    response.headers["Accept-Ranges"] = "bytes"
    return response


def _make_partial(
    response: DownloadResponse, ranges: list[ByteRange], size: int, content_type: str
) -> list[Piece]:
    """Turn ``response`` into a 206 and return the pieces of its body."""
    response.status_code = 206
    if len(ranges) == 1:
        response.headers["Content-Range"] = ranges[0].content_range(size)
        response.headers["Content-Length"] = str(ranges[0].length)
        return list(ranges)
    boundary = secrets.token_hex(16)
    pieces = list(_multipart_pieces(ranges, size, content_type, boundary))
    response.headers["Content-Type"] = f"multipart/byteranges; boundary={boundary}"
    response.headers["Content-Length"] = str(
        sum(len(p) if isinstance(p, bytes) else p.length for p in pieces)
    )
    return pieces


def _multipart_pieces(
    ranges: Iterable[ByteRange], size: int, content_type: str, boundary: str
) -> Iterable[Piece]:
    """RFC 9110 §14.6: each part has its own Content-Type and Content-Range."""
    for index, byte_range in enumerate(ranges):
        separator = "\r\n" if index else ""
        head = (
            f"{separator}--{boundary}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Range: {byte_range.content_range(size)}\r\n\r\n"
        )
        yield head.encode("ascii")
        yield byte_range
    yield f"\r\n--{boundary}--\r\n".encode("ascii")


def _attach_body(
    request: HttpRequest,
    response: DownloadResponse,
    download: Download,
    pieces: list[Piece],
    options: Options,
) -> DownloadResponse:
    if request.method == "HEAD":
        return response
    is_async = isinstance(request, ASGIRequest)
    file = download.file
    if file is not None and download.size is not None:
        if is_async:
            response.streaming_content = aiter_pieces(file, pieces)
        elif len(pieces) == 1 and isinstance(pieces[0], ByteRange):
            # The zero-copy path: WSGIHandler passes this to wsgi.file_wrapper.
            response.file_to_stream = FileSlice(file, pieces[0])
            response.streaming_content = response.file_to_stream
        else:
            response.streaming_content = iter_pieces(file, pieces)
        return response
    stream = download.stream if file is None else FileBlocks(file)
    if stream is not None:
        charset = options.charset or "utf-8"
        response.streaming_content = (aiter_stream if is_async else iter_stream)(stream, charset)
    return response
