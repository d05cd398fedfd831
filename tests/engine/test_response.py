"""DownloadResponse: its body for the request's handler, releasing, and reporting once."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.util import FileWrapper

import django
import pytest
from django.test import AsyncRequestFactory, RequestFactory

from dlshortcuts import serve_path
from dlshortcuts.download import Download
from dlshortcuts.engine.bodies import INLINE_BODY_SIZE
from dlshortcuts.engine.response import DownloadResponse, listened, report_finished
from dlshortcuts.signals import download_finished, download_started


class Closable:
    closed = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def reports() -> Iterator[list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        sent.append({key: kwargs[key] for key in ("status", "bytes_sent", "complete", "offloaded")})

    download_finished.connect(receiver)
    try:
        yield sent
    finally:
        download_finished.disconnect(receiver)


def test_the_empty_body_suits_the_requests_handler(rf: RequestFactory, async_rf: AsyncRequestFactory) -> None:
    assert not DownloadResponse(Download(filename="a"), request=rf.get("/")).is_async
    assert DownloadResponse(Download(filename="a"), request=async_rf.get("/")).is_async
    assert not DownloadResponse(Download(filename="a")).is_async


def test_begin_without_a_body_releases_at_once(rf: RequestFactory) -> None:
    resource = Closable()
    download = Download(filename="a")
    download.hold(resource)
    response = DownloadResponse(download, request=rf.head("/"))
    response.begin(False)
    assert resource.closed


def test_a_body_wrapped_and_set_back_is_counted_once(
    rf: RequestFactory, reports: list[dict[str, Any]]
) -> None:
    response = DownloadResponse(Download(filename="a"), iter([b"abc", b"de"]), request=rf.get("/"))
    response.begin(True)

    def wrapper(parts: Iterator[bytes]) -> Iterator[bytes]:  # as GZipMiddleware or the test client
        yield from parts

    response.streaming_content = wrapper(response.streaming_content)
    assert b"".join(response) == b"abcde"
    response.close()
    assert reports == [{"status": 200, "bytes_sent": 5, "complete": True, "offloaded": False}]


def test_report_finished_reports_once(rf: RequestFactory, reports: list[dict[str, Any]]) -> None:
    response = DownloadResponse(Download(filename="a"), request=rf.get("/"))
    response.begin(True)
    report_finished(response, bytes_sent=None, complete=None, offloaded=True)
    report_finished(response, bytes_sent=1, complete=True, offloaded=False)
    response.close()
    assert reports == [{"status": 200, "bytes_sent": None, "complete": None, "offloaded": True}]


async def test_asgi_body_closed_early_releases_and_reports(
    async_rf: AsyncRequestFactory, reports: list[dict[str, Any]]
) -> None:
    async def parts() -> Any:
        yield b"x" * 10
        yield b"y" * 10

    resource = Closable()
    download = Download(filename="a")
    download.hold(resource)
    response = DownloadResponse(download, parts(), request=async_rf.get("/"))
    response.begin(True)
    content = aiter(response)
    assert await anext(content) == b"x" * 10
    await content.aclose()  # type: ignore[attr-defined]
    assert resource.closed
    assert reports == [{"status": 200, "bytes_sent": 0, "complete": False, "offloaded": False}]


def test_listened_sees_only_live_receivers() -> None:
    assert not listened(download_started)

    def receiver(sender: object, **kwargs: Any) -> None:
        """Connected weakly: gone with its last reference."""

    download_started.connect(receiver)
    assert listened(download_started)
    del receiver
    assert not listened(download_started)


def test_closed_under_a_wsgi_file_wrapper_the_response_is_freed_without_the_garbage_collector(
    rf: RequestFactory, tmp_path: Path
) -> None:
    (tmp_path / "f.bin").write_bytes(b"x" * (INLINE_BODY_SIZE + 1))  # too large to be read at once
    response = serve_path(rf.get("/"), "f.bin", root=tmp_path)
    file_slice = response.file_to_stream
    file = response.download.file
    assert file_slice is not None
    assert file is not None
    # What Django's WSGIHandler does when the server offers wsgi.file_wrapper.
    file_slice.close = response.close  # type: ignore[method-assign]
    wrapper = FileWrapper(file_slice)  # type: ignore[arg-type]  # it takes any file-like object
    freed = weakref.ref(response)
    collecting = gc.isenabled()
    gc.disable()
    try:
        wrapper.close()  # the server's close(), once the body is sent
        assert "close" not in vars(file_slice)  # the slice no longer holds the response
        del response, wrapper
        if django.VERSION >= (5, 0):
            # Under Django 4.2 (Python 3.10) the frames of its request_finished
            # dispatch outlive the close and still name the response.
            assert freed() is None  # no reference cycle left for the collector
    finally:
        if collecting:
            gc.enable()
    assert file.closed
    file_slice.close()  # a second close of the slice does nothing
    assert file.closed
