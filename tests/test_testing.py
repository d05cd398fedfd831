"""dlshortcuts.testing: assert_download, assert_offloaded, temporary_media_root, the readers."""

from __future__ import annotations

import asyncio
import datetime
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import AsyncRequestFactory, RequestFactory

from dlshortcuts import Download, DownloadResponse, optimized_download, serve_generated, serve_path
from dlshortcuts.testing import NOT_GIVEN, assert_download, assert_offloaded, temporary_media_root
from dlshortcuts.testing.reading import close_response, handover_header, parse_disposition, read_body

NAME = "naïve résumé.pdf"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def documents(root: Path) -> None:
    """A PDF and a text file to serve."""
    (root / NAME).write_bytes(PDF)
    (root / "notes.txt").write_bytes(b"some notes")


def offloaded(rf: RequestFactory, root: Path, name: str, **arguments: Any) -> HttpResponseBase:
    @optimized_download(locations=[{"root": str(root), "url": "/_protected/"}], **arguments)
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_path(request, name, root=root)

    return view(rf.get("/"))


# assert_download: passing cases, one per kind of response.


def test_file_response_passes_and_is_closed(rf: RequestFactory, root: Path) -> None:
    response = serve_path(rf.get("/"), NAME, root=root)
    assert isinstance(response, DownloadResponse)
    assert_download(
        response, content=PDF, filename=NAME, content_type="application/pdf", as_attachment=True, status=200
    )
    assert response.download.file is not None
    assert response.download.file.closed


def test_unread_body_is_closed_too(rf: RequestFactory, root: Path) -> None:
    response = serve_path(rf.get("/"), "notes.txt", root=root)
    assert isinstance(response, DownloadResponse)
    assert_download(response, filename="notes.txt")
    assert response.download.file is not None
    assert response.download.file.closed


def test_partial_response_passes(rf: RequestFactory, root: Path) -> None:
    response = serve_path(rf.get("/", HTTP_RANGE="bytes=0-3"), "notes.txt", root=root)
    assert_download(response, content=b"some", status=206)


def test_str_content_is_encoded_with_the_response_charset(rf: RequestFactory) -> None:
    response = serve_generated(rf.get("/"), "é,ü\n", filename="export.csv", charset="latin-1")
    assert_download(response, content="é,ü\n", content_type="text/csv; charset=latin-1")


def test_async_stream_is_drained(async_rf: AsyncRequestFactory) -> None:
    async def rows() -> AsyncIterator[bytes]:
        for index in range(3):
            yield f"{index}\n".encode()

    response = serve_generated(async_rf.get("/"), rows(), filename="rows.csv", as_attachment=False)
    assert response.is_async
    assert_download(response, content=b"0\n1\n2\n", filename="rows.csv", as_attachment=False)


def test_plain_http_response(rf: RequestFactory) -> None:
    response = HttpResponse(b"abc", content_type="text/plain")
    response.headers["Content-Disposition"] = 'inline; filename="a b.txt"'
    assert_download(
        response, content=b"abc", filename="a b.txt", as_attachment=False, content_type="text/plain"
    )


@pytest.mark.urls("tests.urls_testing")
def test_client_response(client: Any, media_root: Path) -> None:
    (media_root / "notes.txt").write_bytes(b"some notes")
    assert_download(client.get("/files/notes.txt"), content=b"some notes", filename="notes.txt")


@pytest.mark.urls("tests.urls_testing")
async def test_async_client_response(async_client: Any, media_root: Path) -> None:
    (media_root / "notes.txt").write_bytes(b"some notes")
    response = await async_client.get("/files/notes.txt")
    await sync_to_async(assert_download)(response, content=b"some notes")


def test_offloaded_content_is_read_from_the_file(rf: RequestFactory, root: Path) -> None:
    response = offloaded(rf, root, NAME, backend="nginx")
    assert_download(response, content=PDF, filename=NAME, content_type="application/pdf")


# assert_download: failures say what was expected and what came.


@pytest.mark.parametrize(
    ("expectations", "message"),
    [
        ({"status": 404}, "Status: expected 404, got 200"),
        ({"content": b"other"}, "Body (5 bytes expected, 10 got): expected b'other', got b'some notes'"),
        ({"filename": "other.txt"}, "Download file name: expected 'other.txt', got 'notes.txt'"),
        ({"as_attachment": False}, "Content-Disposition type: expected 'inline', got 'attachment'"),
        ({"content_type": "text/csv"}, "Content-Type: expected 'text/csv', got 'text/plain'"),
        (
            {"content_type": "text/plain; charset=utf-8"},
            "Content-Type: expected 'text/plain; charset=utf-8', got 'text/plain'",
        ),
    ],
)
def test_download_failure_messages(
    rf: RequestFactory, root: Path, expectations: dict[str, Any], message: str
) -> None:
    response = serve_path(rf.get("/"), "notes.txt", root=root)
    with pytest.raises(AssertionError) as raised:
        assert_download(response, **expectations)
    assert str(raised.value) == message
    assert isinstance(response, DownloadResponse)
    assert response.download.file is not None
    assert response.download.file.closed


def test_default_status_is_a_successful_download(rf: RequestFactory, root: Path) -> None:
    response = serve_path(rf.get("/", HTTP_IF_NONE_MATCH="*"), "notes.txt", root=root)
    with pytest.raises(AssertionError, match=r"^Status: expected '200 or 206', got 304$"):
        assert_download(response)


def test_non_ascii_name_without_filename_star(rf: RequestFactory) -> None:
    response = HttpResponse(b"")
    response.headers["Content-Disposition"] = 'attachment; filename="say \\"hi\\".txt"'
    assert_download(response, filename='say "hi".txt', as_attachment=True)
    response.headers["Content-Disposition"] = "attachment; filename=plain.txt"
    assert_download(response, filename="plain.txt")
    response.headers["Content-Disposition"] = "attachment"
    with pytest.raises(AssertionError, match=r"^Download file name: expected 'x', got None$"):
        assert_download(response, filename="x")
    del response.headers["Content-Disposition"]
    with pytest.raises(AssertionError, match=r"^Content-Disposition type: expected 'attachment', got None$"):
        assert_download(response, as_attachment=True)


def test_offloaded_content_without_a_known_file_fails(rf: RequestFactory) -> None:
    response = HttpResponse(b"")
    response.headers["X-Accel-Redirect"] = "/_protected/a.txt"
    with pytest.raises(AssertionError, match="does not say which file"):
        assert_download(response, content=b"a")


# assert_offloaded.


def test_offloaded_nginx_with_every_option(rf: RequestFactory, root: Path) -> None:
    moment = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    response = offloaded(
        rf, root, NAME, backend="nginx", limit_rate=1024, buffering=False, expires=moment, charset="utf-8"
    )
    assert_offloaded(
        response,
        backend="nginx",
        location=f"/_protected/{NAME}",
        path=root / NAME,
        limit_rate=1024,
        buffering=False,
        expires=moment,
        charset=None,  # not text: the decorator drops it
    )


@pytest.mark.parametrize(
    ("expectations", "message"),
    [
        ({"limit_rate": 2048}, "X-Accel-Limit-Rate: expected '2048', got '1024'"),
        ({"limit_rate": None}, "X-Accel-Limit-Rate: expected None, got '1024'"),
        ({"limit_rate": False}, "X-Accel-Limit-Rate: expected 'off', got '1024'"),
        ({"buffering": True}, "X-Accel-Buffering: expected 'yes', got None"),
        ({"expires": 60}, "X-Accel-Expires: expected '60', got 'off'"),
        ({"expires": datetime.timedelta(minutes=1)}, "X-Accel-Expires: expected '60', got 'off'"),
        ({"charset": "utf-8"}, "X-Accel-Charset: expected 'utf-8', got None"),
        ({"backend": "apache"}, "Handover header for apache: expected 'X-Sendfile', got 'X-Accel-Redirect'"),
        (
            {"location": "/_protected/b.txt"},
            "X-Accel-Redirect (decoded): expected '/_protected/b.txt', got '/_protected/notes.txt'",
        ),
    ],
)
def test_offloaded_failure_messages(
    rf: RequestFactory, root: Path, expectations: dict[str, Any], message: str
) -> None:
    response = offloaded(rf, root, "notes.txt", backend="nginx", limit_rate=1024, expires=False)
    with pytest.raises(AssertionError) as raised:
        assert_offloaded(response, **expectations)
    assert str(raised.value) == message


def test_options_not_given_are_not_checked(rf: RequestFactory, root: Path) -> None:
    response = offloaded(rf, root, "notes.txt", backend="nginx", limit_rate=1024)
    assert_offloaded(response, limit_rate=NOT_GIVEN, buffering=NOT_GIVEN, expires=None)


@pytest.mark.parametrize("backend", ["apache", "lighttpd"])
def test_offloaded_sendfile_paths(rf: RequestFactory, root: Path, backend: Any) -> None:
    response = offloaded(rf, root, NAME, backend=backend)
    assert_offloaded(response, backend=backend, path=str(root / NAME))
    response = offloaded(rf, root, NAME, backend=backend)
    with pytest.raises(AssertionError, match=r"^X-Sendfile path: expected '/elsewhere', got "):
        assert_offloaded(response, path="/elsewhere")
    response = offloaded(rf, root, NAME, backend=backend)
    with pytest.raises(AssertionError, match=r"^X-Sendfile carries a path, not a location"):
        assert_offloaded(response, location="/_protected/x")


def test_offloaded_litespeed_location(rf: RequestFactory, root: Path) -> None:
    response = offloaded(rf, root, NAME, backend="litespeed")
    assert_offloaded(response, backend="litespeed", location=f"/_protected/{NAME}")


def test_offloaded_path_for_a_uri_backend_comes_from_the_download(rf: RequestFactory, root: Path) -> None:
    response = offloaded(rf, root, "notes.txt", backend="nginx")
    with pytest.raises(AssertionError) as raised:
        assert_offloaded(response, path=root / NAME)
    assert str(raised.value) == (
        f"Path of the file handed over (response.download.path): expected {str(root / NAME)!r}, "
        f"got {str(root / 'notes.txt')!r}"
    )


def test_not_offloaded(rf: RequestFactory, root: Path) -> None:
    response = serve_path(rf.get("/"), "notes.txt", root=root)
    with pytest.raises(
        AssertionError, match=r"^Expected a handover to the web server .* got none; the headers are "
    ):
        assert_offloaded(response)
    assert isinstance(response, DownloadResponse)
    assert response.download.file is not None
    assert response.download.file.closed


def test_offloaded_status_and_body() -> None:
    with pytest.raises(AssertionError, match=r"^Status of a handover: expected 200, got 404$"):
        assert_offloaded(HttpResponse(status=404))
    response = HttpResponse(b"the file")
    response.headers["X-Sendfile"] = "/srv/a"
    with pytest.raises(AssertionError, match=r"^Body of a handover: expected b'', got b'the file'$"):
        assert_offloaded(response)


# temporary_media_root.


def test_temporary_media_root_as_context_manager() -> None:
    before = settings.MEDIA_ROOT
    with temporary_media_root() as directory:
        assert directory == settings.MEDIA_ROOT
        name = default_storage.save("upload.txt", ContentFile(b"x"))
        assert (Path(directory) / name).read_bytes() == b"x"
    assert not os.path.exists(directory)
    assert before == settings.MEDIA_ROOT


def test_temporary_media_root_as_decorator() -> None:
    seen: list[str] = []

    @temporary_media_root()
    def check() -> None:
        seen.append(settings.MEDIA_ROOT)
        assert os.path.isdir(settings.MEDIA_ROOT)

    check()
    check()
    assert len(set(seen)) == 2
    assert not any(os.path.exists(directory) for directory in seen)


async def test_temporary_media_root_on_an_async_function() -> None:
    @temporary_media_root()
    async def check() -> str:
        await asyncio.sleep(0)
        assert os.path.isdir(settings.MEDIA_ROOT)
        return str(settings.MEDIA_ROOT)

    directory = await check()
    assert not os.path.exists(directory)
    assert directory != settings.MEDIA_ROOT


def test_temporary_media_root_nested() -> None:
    media = temporary_media_root()
    with media as outer, media as inner:
        assert (inner, os.path.isdir(outer)) == (settings.MEDIA_ROOT, True)
    assert not os.path.exists(outer)
    assert not os.path.exists(inner)


def test_temporary_media_root_refuses_a_class() -> None:
    with pytest.raises(
        TypeError, match=r"^temporary_media_root\(\) decorates test functions, not the class 'Tests'"
    ):

        @temporary_media_root()
        class Tests:
            pass


def test_offloaded_storage_content_is_read_from_the_storage(media_root: Path) -> None:
    default_storage.save("stored.txt", ContentFile(b"stored"))
    response = DownloadResponse(Download("stored.txt", storage=default_storage, name="stored.txt"))
    response.headers["X-Accel-Redirect"] = "/_media/stored.txt"
    assert_download(response, content=b"stored")


def test_not_given_reads_as_its_name() -> None:
    assert repr(NOT_GIVEN) == "NOT_GIVEN"


def test_the_readers_are_public() -> None:
    import dlshortcuts.testing
    from dlshortcuts.testing import reading

    assert sorted(dlshortcuts.testing.__all__) == [
        "NOT_GIVEN",
        "NotGiven",
        "assert_download",
        "assert_offloaded",
        "close_response",
        "handover_header",
        "parse_disposition",
        "read_body",
        "temporary_media_root",
    ]
    assert dlshortcuts.testing.read_body is reading.read_body
    assert dlshortcuts.testing.handover_header is reading.handover_header
    assert reading.HANDOVER_HEADERS == ("X-Accel-Redirect", "X-Sendfile", "X-LiteSpeed-Location")


# dlshortcuts.testing.reading: reading a response back.


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, (None, None)),
        ("inline", ("inline", None)),
        ("Attachment; filename=plain.txt", ("attachment", "plain.txt")),
        ('attachment; filename="say \\"hi\\".txt"', ("attachment", 'say "hi".txt')),
        ("attachment; filename=\"naive.pdf\"; filename*=UTF-8''na%C3%AFve.pdf", ("attachment", "naïve.pdf")),
        (
            "inline; filename*=utf-8'en'r%C3%A9sum%C3%A9.pdf; filename=\"resume.pdf\"",
            ("inline", "résumé.pdf"),
        ),
        ("attachment; filename*=ISO-8859-1''caf%E9.txt", ("attachment", "café.txt")),
    ],
)
def test_parse_disposition(header: str | None, expected: tuple[str | None, str | None]) -> None:
    response = HttpResponse()
    if header is not None:
        response.headers["Content-Disposition"] = header
    assert parse_disposition(response) == expected


@pytest.mark.parametrize("header", ["X-Accel-Redirect", "X-Sendfile", "X-LiteSpeed-Location"])
def test_handover_header(header: str) -> None:
    response = HttpResponse()
    assert handover_header(response) is None
    response.headers[header] = "/a%20b"
    assert handover_header(response) == (header, "/a%20b")


class Chunks:
    """A closable body, as Django closes it with the response."""

    def __init__(self) -> None:
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        yield from (b"bo", b"dy")

    def close(self) -> None:
        self.closed += 1


def test_read_body_and_close() -> None:
    chunks = Chunks()
    response = StreamingHttpResponse(chunks)
    assert read_body(response) == b"body"
    assert chunks.closed == 0
    close_response(response)
    close_response(response)
    assert chunks.closed == 1
    assert read_body(HttpResponse(b"plain")) == b"plain"


def test_close_response_leaves_close_old_connections_as_it_found_it() -> None:
    # tests/conftest.py unhooks close_old_connections for every test.
    close_response(HttpResponse())
    assert not request_finished.disconnect(close_old_connections)
    request_finished.connect(close_old_connections)
    close_response(HttpResponse())
    assert request_finished.disconnect(close_old_connections)
