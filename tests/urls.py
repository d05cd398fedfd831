"""URLs used by the client and real-server tests: the one-line urlpatterns of the docs."""

from __future__ import annotations

import functools
import os
from collections.abc import AsyncIterator, Iterator

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import (
    aserve_archive,
    aserve_generated,
    aserve_path,
    serve_archive,
    serve_generated,
    serve_path,
)

#: The environment variable naming the directory ``/files/`` serves.
FILES_ROOT_ENV = "DLSHORTCUTS_TEST_FILES_ROOT"


class FilesRoot(os.PathLike[str]):
    """The files root, read when a request comes (tests and servers set it per run)."""

    def __fspath__(self) -> str:
        return os.environ[FILES_ROOT_ENV]


def report(request: HttpRequest, year: int = 2024) -> Iterator[str]:
    """A CSV made row by row."""
    yield "year,month,total\r\n"
    for month in range(1, 13):
        yield f"{year},{month},{year * month}\r\n"


async def areport(request: HttpRequest, year: int) -> AsyncIterator[bytes]:
    """The same CSV from an async generator."""
    for row in report(request, year):
        yield row.encode()


def million_rows(request: HttpRequest) -> Iterator[str]:
    """A large CSV (about 30 MB) that must stream with flat memory."""
    return (f"{n},{n * 7 % 1000},row-{n:09d}\r\n" for n in range(1_000_000))


async def async_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """An async view using the async twin."""
    return await aserve_path(request, path, root=FilesRoot())


async def async_report(request: HttpRequest, year: int) -> HttpResponseBase:
    """An async view serving an async generator."""
    return await aserve_generated(request, areport(request, year), filename=f"report-{year}.csv")


def folder_members(request: HttpRequest, folder: str) -> list[tuple[str, str]]:
    """Every file in a folder of the files root (``<slug:folder>``: no ``/`` or ``.``), sorted."""
    base = os.path.join(os.fspath(FilesRoot()), folder)
    return [(name, os.path.join(base, name)) for name in sorted(os.listdir(base))]


async def async_folder(request: HttpRequest, folder: str) -> HttpResponseBase:
    """An async view serving the folder's archive with the async twin."""
    members = functools.partial(folder_members, folder=folder)  # listed in a worker thread
    return await aserve_archive(request, members, filename=f"{folder}.zip")


urlpatterns = [
    path("files/<path:path>", serve_path, {"root": FilesRoot()}),
    path("inline/<path:path>", serve_path, {"root": FilesRoot(), "as_attachment": False}),
    path("cv", serve_path, {"root": FilesRoot(), "path": "cv.pdf", "filename": "naïve résumé.pdf"}),
    path("async/files/<path:path>", async_file),
    path("report.csv", serve_generated, {"content": report, "filename": "report.csv"}),
    path("report/<int:year>.csv", serve_generated, {"content": report, "filename": "report.csv"}),
    path("async/report/<int:year>.csv", async_report),
    path("rows.csv", serve_generated, {"content": million_rows, "filename": "rows.csv"}),
    path("archives/<slug:folder>.zip", serve_archive, {"members": folder_members, "filename": "folder.zip"}),
    path("async/archives/<slug:folder>.zip", async_folder),
]
