"""The Django layer of the engine: the one place that turns a Download into a response.

It builds the :class:`DownloadResponse` and its representation headers, asks
the offloader once, lets :func:`~dlshortcuts.engine.decide.decide` (pure)
choose the status and the byte pieces, and picks the body: the file slice
for ``wsgi.file_wrapper`` under WSGI, an async iterator under ASGI.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import DisallowedRedirect
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.encoding import iri_to_uri

from dlshortcuts.download import Download, SourceUnavailable
from dlshortcuts.engine.bodies import FileSlice, aiter_pieces, is_asgi, wsgi_body
from dlshortcuts.engine.decide import FIELDS, Decision, Representation, decide, relay
from dlshortcuts.engine.headers import represent, representation_of, set_headers
from dlshortcuts.engine.response import DownloadResponse
from dlshortcuts.engine.streams import FileBlocks, aiter_stream, iter_stream
from dlshortcuts.http.environ import meta_key
from dlshortcuts.offload.offloader import Offloader, offloader_of
from dlshortcuts.options import Options

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
# Answers made afresh, without the representation headers of a 200.
_FRESH_STATUSES = frozenset({304, 412, 416})
# The fields decide() reads, with their keys in request.META.
_FIELD_KEYS = tuple((name, meta_key(name)) for name in FIELDS)


def respond(request: HttpRequest, download: Download, options: Options) -> DownloadResponse:
    """Answer ``request`` with ``download``: 200, 206, 304, 412 or 416.

    Under ``@optimized_download``, a download the web server can reach is
    answered with an empty 200 carrying the handover headers; a lazy
    Download (a remote file) is resolved only when it is not handed over; a
    source that cannot deliver gets its empty 502 or 504.

    :param request: the current request; its method, conditional and Range
        headers shape the answer.
    :param download: what to serve; the response releases everything it
        holds on every path: right away when no body is sent, otherwise when
        the server closes the response (or when an async body ends or is
        abandoned).
    :param options: the validated common options.
    """
    offload = offloader_of(request)
    if offload is not None:
        options = options.sniffing(offload.sniff)
    try:
        response, has_body = _build(request, download, options, offload)
        response.begin(has_body, delete_when_done=options.delete_when_done)
    except BaseException:
        download.close()
        raise
    return response


def empty(request: HttpRequest, download: Download, status: int = 200) -> DownloadResponse:
    """An empty DownloadResponse (under ASGI an async empty body, or Django warns).

    302, 412, 416, 502 and 504 say ``Content-Length: 0`` (as CommonMiddleware
    writes on Django's own); a 304 has no content by definition (RFC 9110
    §15.4.5), and a 200 here is a HEAD or a handover.
    """
    response = DownloadResponse(download, status=status, request=request)
    if status not in (200, 304):
        set_headers(response, (("Content-Length", "0"),))
    return response


def redirect(request: HttpRequest, download: Download, url: str) -> DownloadResponse:
    """302 to ``url``, refused as Django's HttpResponseRedirect refuses it.

    :raises DisallowedRedirect: for a scheme other than http, https or ftp.
    """
    scheme = urlsplit(url).scheme
    if scheme and scheme not in HttpResponseRedirect.allowed_schemes:
        raise DisallowedRedirect(f"Unsafe redirect to URL with protocol '{scheme}'")
    response = empty(request, download, 302)
    response.headers["Location"] = iri_to_uri(url)
    # A signed URL expires: a cached redirect would soon point at a 403.
    response.headers["Cache-Control"] = "private, no-store"
    download.close()
    return response


def _build(
    request: HttpRequest, download: Download, options: Options, offload: Offloader | None
) -> tuple[DownloadResponse, bool]:
    response = None
    if offload is not None:
        response, content_type, _ = _represent(request, download, options)
        handover = offload.headers(download, content_type)
        if handover is not None:
            return _hand_over(response, handover), False
    try:
        if download.resolve():
            response = None
    except SourceUnavailable as error:
        return empty(request, download, error.status), False
    if response is None:
        response, _, representation = _represent(request, download, options)
    else:
        representation = representation_of(response, download, options)
    method = request.method or "GET"
    if download.status is not None:
        decision = relay(download.status, download.size)
    else:
        decision = decide(method, request_fields(request), representation)
    if decision.status in _FRESH_STATUSES:
        return _fresh(request, response, decision), False
    response.status_code = decision.status
    set_headers(response, decision.headers.items())
    if method == "HEAD":
        return response, False
    _attach_body(request, response, decision, options)
    return response, True


def request_fields(request: HttpRequest) -> dict[str, str]:
    """The request's fields that :func:`~dlshortcuts.engine.decide.decide` reads, by name.

    Six lookups in ``request.META``; Django's ``request.headers`` would copy
    every field of the request first.
    """
    meta = request.META
    return {name: value for name, key in _FIELD_KEYS if isinstance(value := meta.get(key), str)}


def _represent(
    request: HttpRequest, download: Download, options: Options
) -> tuple[DownloadResponse, str, Representation]:
    """A 200 carrying the representation headers, its content type and its metadata."""
    response = empty(request, download)
    content_type, representation = represent(response, download, options)
    return response, content_type, representation


def _hand_over(response: DownloadResponse, handover: Mapping[str, str]) -> DownloadResponse:
    """An empty 200: the web server sends the file and answers preconditions and Range itself.

    It evaluates them on the file it sends (RFC 9110 §13.2.1), so Django
    answers neither 304 nor 206; its Content-Length would describe a body it
    does not send, and whether ranges are accepted is the web server's to say
    (nginx would send both its own Accept-Ranges and Django's; a backend
    whose server stays silent adds it to ``handover``).
    """
    response.offloaded = True
    response.headers.pop("Content-Length", None)
    response.headers.pop("Accept-Ranges", None)
    set_headers(response, handover.items())
    return response


def _fresh(request: HttpRequest, response: DownloadResponse, decision: Decision) -> DownloadResponse:
    """A 304, 412 or 416 with the headers of Django's own such answers."""
    fresh = empty(request, response.download, decision.status)
    if decision.status == 304:
        # RFC 9110 §15.4.5: the validators and caching headers, no body headers
        # (no Content-Type, as HttpResponseNotModified).
        del fresh.headers["Content-Type"]
        for header in _NOT_MODIFIED_HEADERS:
            if header in response:
                fresh.headers[header] = response.headers[header]
    set_headers(fresh, decision.headers.items())
    return fresh


def _attach_body(
    request: HttpRequest, response: DownloadResponse, decision: Decision, options: Options
) -> None:
    download = response.download
    pieces = decision.pieces
    is_async = is_asgi(request)
    file = download.open()
    if file is not None and download.size is not None:
        body = aiter_pieces(file, pieces) if is_async else wsgi_body(file, pieces)
        if isinstance(body, FileSlice):
            # The zero-copy path: WSGIHandler passes this to wsgi.file_wrapper.
            response.file_to_stream = body
        response.streaming_content = body
        return
    stream = download.stream if file is None else FileBlocks(file)
    if stream is not None:
        charset = options.charset or "utf-8"
        response.streaming_content = (
            aiter_stream(stream, charset) if is_async else iter_stream(stream, charset)
        )
