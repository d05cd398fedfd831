"""One view per competitor, each written the way its documentation shows.

Every view serves a file named in the URL from ``FILES_ROOT``,
so each competitor answers the same request for the same bytes.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django_downloadview import PathDownloadView
from django_downloadview.nginx import x_accel_redirect

from dlshortcuts import DownloadResponse, aserve_path, serve_generated, serve_path

from . import DOWNLOADVIEW_PREFIX, FILES_ROOT, OFFLOAD_PREFIX, optimized_download
from .rows import csv_rows

__all__ = [
    "RootedPathDownloadView",
    "async_ceiling",
    "async_serve_path",
    "ceiling",
    "django_file_response",
    "django_streaming_csv",
    "dlshortcuts_csv",
    "downloadview",
    "downloadview_x_accel",
    "offload",
]


def django_file_response(request: HttpRequest, path: str) -> FileResponse:  # noqa: ARG001
    """Django alone: FileResponse over an open file, as its docs show."""
    # Django closes the file when the response is closed.
    return FileResponse(open(os.path.join(FILES_ROOT, path), "rb"), as_attachment=True)


@functools.cache
def _in_memory(path: str) -> bytes:
    with open(os.path.join(FILES_ROOT, path), "rb") as file:
        return file.read()


def ceiling(request: HttpRequest, path: str) -> HttpResponse:  # noqa: ARG001
    """Django's ceiling: the file's bytes from memory (read once), no file opened per request."""
    return HttpResponse(_in_memory(path), content_type="application/octet-stream")


async def async_ceiling(request: HttpRequest, path: str) -> HttpResponse:  # noqa: ARG001
    """The async ceiling: an async view returning the bytes from memory."""
    return HttpResponse(_in_memory(path), content_type="application/octet-stream")


async def async_serve_path(request: HttpRequest, path: str) -> HttpResponseBase:
    """aserve_path in an async view, as docs/asgi.rst shows."""
    return await aserve_path(request, path, root=FILES_ROOT)


class RootedPathDownloadView(PathDownloadView):  # type: ignore[misc]  # django-downloadview is untyped
    """django-downloadview's PathDownloadView, with the path taken relative to the root."""

    def get_path(self) -> str:
        return os.path.join(FILES_ROOT, self.kwargs["path"])


downloadview = RootedPathDownloadView.as_view()
downloadview_x_accel = x_accel_redirect(
    downloadview, source_dir=FILES_ROOT, destination_url=DOWNLOADVIEW_PREFIX
)


def _x_accel_stand_in(request: HttpRequest, path: str) -> HttpResponseBase:
    """What ``@optimized_download`` does, by hand, until it is merged.

    serve_path resolves and checks the file and builds the headers; the body
    is then dropped for an ``X-Accel-Redirect`` to nginx's internal location,
    which answers Range requests itself (hence ``ranges=False`` here).
    """
    response = serve_path(request, path, root=FILES_ROOT, ranges=False)
    if isinstance(response, DownloadResponse) and response.status_code == 200:
        response.download.close()
        response.file_to_stream = None  # else the WSGI handler would sendfile the closed file
        response.streaming_content = ()
        for header in ("Content-Length", "Accept-Ranges"):
            del response.headers[header]
        relative = os.path.relpath(response.download.path or "", os.path.realpath(FILES_ROOT))
        response.headers["X-Accel-Redirect"] = OFFLOAD_PREFIX + quote(relative)
    return response


def _offload_view() -> Callable[..., HttpResponseBase]:
    """``@optimized_download`` around serve_path when it exists, else the stand-in."""
    decorator = optimized_download()
    if decorator is None:
        return _x_accel_stand_in

    def offloaded(request: HttpRequest, path: str) -> HttpResponseBase:
        return serve_path(request, path, root=FILES_ROOT)

    decorate = decorator(backend="nginx", locations=[{"root": FILES_ROOT, "url": OFFLOAD_PREFIX}])
    view: Callable[..., HttpResponseBase] = decorate(offloaded)
    return view


offload = _offload_view()


def dlshortcuts_csv(request: HttpRequest, rows: int) -> HttpResponseBase:
    """serve_generated over the row generator."""
    return serve_generated(request, csv_rows(rows), filename="rows.csv")


def django_streaming_csv(request: HttpRequest, rows: int) -> StreamingHttpResponse:  # noqa: ARG001
    """Django's documented recipe: StreamingHttpResponse over the row generator."""
    return StreamingHttpResponse(
        csv_rows(rows),
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="rows.csv"'},
    )
