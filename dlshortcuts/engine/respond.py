"""The response engine: the one place that turns a Download into HTTP.

Order of evaluation follows RFC 9110: representation headers first, then
preconditions (§13.2.2, see :mod:`dlshortcuts.http.conditions`), then
Range (§14.2, only for GET and HEAD, after preconditions), then the body.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import itertools
from collections.abc import AsyncIterator, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date, quote_etag

from dlshortcuts.download import Download
from dlshortcuts.engine.bodies import (
    BLOCK_SIZE,
    FileBlocks,
    FileSlice,
    Piece,
    aiter_pieces,
    aiter_stream,
    empty_async,
    has_fileno,
    is_asgi,
    iter_pieces,
    iter_stream,
)
from dlshortcuts.engine.content_type import choose_content_type, is_active_content_type, with_charset
from dlshortcuts.http.conditions import NOT_MODIFIED, PRECONDITION_FAILED, evaluate_preconditions
from dlshortcuts.http.disposition import content_disposition
from dlshortcuts.http.multipart import multipart_byteranges
from dlshortcuts.http.ranges import ByteRange, RangeNotSatisfiable, if_range_matches, parse_range
from dlshortcuts.offload.offloader import Offloader, offloader_of
from dlshortcuts.options import Options

__all__ = ["DownloadResponse", "build_response"]

_RANGE_METHODS = frozenset({"GET", "HEAD"})
# RFC 9110 §15.4.5: what a 304 keeps of the 200 it stands for (Django's list).
_NOT_MODIFIED_HEADERS = (
    "Cache-Control",
    "Content-Location",
    "Date",
    "ETag",
    "Expires",
    "Last-Modified",
    "Vary",
)


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

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # Django's ASGI handler reads the body through aclosing(aiter(response))
        # but, when the client disconnects, cancels the request task and never
        # calls close(): release the file as soon as this iterator is closed.
        try:
            async for part in super().__aiter__():
                yield part
        finally:
            self.download.close()

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


def build_response(request: HttpRequest, download: Download, options: Options) -> HttpResponseBase:
    """Answer ``request`` with ``download``: 200, 206, 304, 412 or 416.

    Under ``@optimized_download`` (an :class:`~dlshortcuts.offload.offloader.Offloader`
    on the request), a download the web server can reach is answered with an empty 200 carrying
    the handover headers instead.

    :param request: the current request; its method, conditional and Range
        headers shape the answer.
    :param download: what to serve; the response takes ownership of its file
        or stream and closes it on every path: right away when no body is
        sent, otherwise when the server closes the response (or when an
        async body ends or is abandoned).
    :param options: the validated common options.
    """
    offload = offloader_of(request)
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
    request: HttpRequest, download: Download, options: Options, offload: Offloader | None
) -> HttpResponseBase:
    is_async = is_asgi(request)
    # Under ASGI even an empty body must be an async iterator, or Django
    # warns and drains it through a thread (HEAD, empty files).
    response = DownloadResponse(download, streaming_content=empty_async() if is_async else ())
    content_type, sniffed = choose_content_type(download, options)
    # A sniffed type is a guess about content the app may not control:
    # never let it make a browser run uploaded HTML or SVG inline.
    as_attachment = options.as_attachment or (sniffed and is_active_content_type(content_type))
    content_type = with_charset(content_type, options.charset)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = content_disposition(
        options.filename or download.filename, as_attachment=as_attachment
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Downloads are usually private: browsers revalidate, shared caches never store.
    max_age = "no-cache" if options.max_age is None else f"max-age={options.max_age}"
    response.headers["Cache-Control"] = f"private, {max_age}"
    modified = _last_modified(download, options)
    if modified is not None:
        response.headers["Last-Modified"] = http_date(modified)
    etag = _etag(download, options)
    if etag is not None:
        response.headers["ETag"] = etag
    seekable = download.file is not None or download.opener is not None
    rangeable = options.ranges and seekable and download.size is not None
    response.headers["Accept-Ranges"] = "bytes" if rangeable else "none"
    if download.size is not None:
        response.headers["Content-Length"] = str(download.size)
    for header, value in itertools.chain(download.headers.items(), options.headers.items()):
        response.headers[header] = value
    handover = None if offload is None else offload.headers(download, content_type)
    if handover is not None:
        return _hand_over(request, response, download, handover)
    if download.status is not None:
        return _relay(request, response, download, options)

    outcome = evaluate_preconditions(
        request.method or "GET", request.headers, etag=response.get("ETag"), last_modified=modified
    )
    if outcome == NOT_MODIFIED:
        return _not_modified(response)
    if outcome == PRECONDITION_FAILED:
        return HttpResponse(status=PRECONDITION_FAILED)

    whole: list[Piece] = [ByteRange(0, download.size)] if download.size else []
    if rangeable and request.method in _RANGE_METHODS:
        assert download.size is not None  # rangeable says so
        try:
            ranges = _requested_ranges(request, download.size, etag=response.get("ETag"), modified=modified)
        except RangeNotSatisfiable:
            return _not_satisfiable(download.size)
        if ranges is not None:
            return _attach_body(request, response, _make_partial(response, ranges, download.size), options)
    return _attach_body(request, response, whole, options)


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
    if is_asgi(request):
        # Django's ASGI handler warns about (and lists) a sync iterator.
        response.streaming_content = empty_async()
    return response


def _last_modified(download: Download, options: Options) -> int | None:
    value = options.last_modified if options.last_modified is not None else download.modified
    if isinstance(value, datetime.datetime):
        # As Django's @last_modified: aware datetimes converted, naive ones taken as UTC.
        return calendar.timegm(value.utctimetuple())
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


def _requested_ranges(
    request: HttpRequest, size: int, *, etag: str | None, modified: int | None
) -> list[ByteRange] | None:
    # META, not request.headers: the first use of request.headers copies
    # every header of the request into a new mapping, on every request.
    header = request.META.get("HTTP_RANGE")
    if header is None or not if_range_matches(request.META.get("HTTP_IF_RANGE"), etag, modified):
        return None
    return parse_range(header, size)


def _relay(
    request: HttpRequest, response: DownloadResponse, download: Download, options: Options
) -> HttpResponseBase:
    """Send the answer the source already gave, without evaluating the request again.

    An upstream server that was sent the request's Range and conditional
    headers evaluated them against its own representation (RFC 9110 §13.2.1,
    §14.2): a second evaluation here could only contradict it.
    """
    if download.status == 304:
        return _not_modified(response)
    if download.status == 416:
        return _not_satisfiable(download.size)
    assert download.status is not None
    response.status_code = download.status
    return _attach_body(request, response, [], options)


def _not_modified(response: DownloadResponse) -> HttpResponseNotModified:
    """RFC 9110 §15.4.5: a 304 carries the validators and caching headers, no body headers."""
    not_modified = HttpResponseNotModified()
    for header in _NOT_MODIFIED_HEADERS:
        if header in response:
            not_modified.headers[header] = response.headers[header]
    return not_modified


def _not_satisfiable(size: int | None) -> HttpResponse:
    # RFC 9110 §15.5.17: the current length, so the client can retry (when known).
    response = HttpResponse(status=416)
    if size is not None:
        response.headers["Content-Range"] = f"bytes */{size}"
    response.headers["Accept-Ranges"] = "bytes"
    return response


def _make_partial(response: DownloadResponse, ranges: list[ByteRange], size: int) -> list[Piece]:
    """Turn ``response`` into a 206 and return the pieces of its body."""
    response.status_code = 206
    if len(ranges) == 1:
        response.headers["Content-Range"] = ranges[0].content_range(size)
        response.headers["Content-Length"] = str(ranges[0].length)
        return list(ranges)
    content_type, pieces, length = multipart_byteranges(ranges, size, response.headers["Content-Type"])
    response.headers["Content-Type"] = content_type
    response.headers["Content-Length"] = str(length)
    return pieces


def _attach_body(
    request: HttpRequest, response: DownloadResponse, pieces: list[Piece], options: Options
) -> DownloadResponse:
    if request.method == "HEAD":
        return response
    download = response.download
    is_async = is_asgi(request)
    file = download.open()
    if file is not None and download.size is not None:
        if is_async:
            response.streaming_content = aiter_pieces(file, pieces)
        elif len(pieces) == 1 and isinstance(pieces[0], ByteRange) and has_fileno(file):
            # The zero-copy path: WSGIHandler passes this to wsgi.file_wrapper.
            response.file_to_stream = FileSlice(file, pieces[0])
            response.streaming_content = response.file_to_stream
        else:
            response.streaming_content = iter_pieces(file, pieces)
        return response
    stream = download.stream if file is None else FileBlocks(file)
    if stream is not None:
        charset = options.charset or "utf-8"
        if is_async:
            response.streaming_content = aiter_stream(stream, charset)
        else:
            response.streaming_content = iter_stream(stream, charset)
    return response
