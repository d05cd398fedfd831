"""One view per competitor, each written the way its documentation shows.

Every view serves a file named in the URL from ``FILES_ROOT``,
so each competitor answers the same request for the same bytes.
"""

from __future__ import annotations

import functools
import os

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django_downloadview import PathDownloadView
from django_downloadview.nginx import x_accel_redirect

from dlshortcuts import aserve_path, optimized_download, serve_generated, serve_path

from . import DOWNLOADVIEW_PREFIX, FILES_ROOT, OFFLOAD_PREFIX
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


@optimized_download(backend="nginx", locations=[{"root": FILES_ROOT, "url": OFFLOAD_PREFIX}])
def offload(request: HttpRequest, path: str) -> HttpResponseBase:
    """serve_path handed over to nginx (X-Accel-Redirect)."""
    return serve_path(request, path, root=FILES_ROOT)


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
