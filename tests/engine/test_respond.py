"""The response engine, case by case: status, exact headers and exact bytes, under WSGI and ASGI."""

from __future__ import annotations

import dataclasses
import inspect
import io
import os
import re
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.http import BadHeaderError
from django.test import AsyncRequestFactory, RequestFactory

from dlshortcuts import Download, DownloadResponse
from dlshortcuts.engine.bodies import INLINE_BODY_SIZE, FileSlice, TruncatedFileError
from dlshortcuts.engine.headers import set_headers
from dlshortcuts.engine.respond import request_fields, respond
from dlshortcuts.http.ranges import MAX_RANGES
from dlshortcuts.options import Options
from tests.engine.serving import CONTENT, ETAG, LAST_MODIFIED, download_of, get, serve
from tests.reading import consume, read
from tests.samples import RecordingFile

if TYPE_CHECKING:
    from tests.conftest import Factory

EARLIER = "Tue, 14 Nov 2023 22:13:19 GMT"
HEADERS = {
    "Content-Type": "application/pdf",
    "Content-Disposition": 'attachment; filename="doc.pdf"',
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-cache",
    "Last-Modified": LAST_MODIFIED,
    "ETag": ETAG,
    "Accept-Ranges": "bytes",
    "Content-Length": "1000",
}


# GET, HEAD, POST


def test_get_serves_the_whole_file(factory: Factory, doc: Path) -> None:
    download = download_of(doc)
    response = serve(factory.get("/"), download)
    assert response.status_code == 200
    assert dict(response.headers) == HEADERS
    assert isinstance(response, DownloadResponse)
    assert response.download is download
    assert consume(response) == CONTENT
    assert download.file is not None
    assert download.file.closed


def test_head_sends_every_header_and_never_reads_the_file(factory: Factory, doc: Path) -> None:
    file = RecordingFile(doc)
    response = serve(factory.head("/"), download_of(doc, file))
    assert response.status_code == 200
    assert dict(response.headers) == HEADERS
    assert file.closed  # closed before the response is even returned
    assert consume(response) == b""
    assert file.reads == 0


def test_head_with_range_describes_the_partial_response(factory: Factory, doc: Path) -> None:
    file = RecordingFile(doc)
    response = serve(factory.head("/", headers={"Range": "bytes=10-19"}), download_of(doc, file))
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 10-19/1000"
    assert response["Content-Length"] == "10"
    assert consume(response) == b""
    assert file.reads == 0


@pytest.mark.parametrize("headers", [{}, {"Range": "bytes=0-9"}, {"If-Modified-Since": LAST_MODIFIED}])
def test_post_downloads_the_whole_file(factory: Factory, doc: Path, headers: dict[str, str]) -> None:
    # Range and 304 apply to GET and HEAD only (RFC 9110 §14.2, §13.1.3).
    response = get(factory, doc, "post", request_headers=headers)
    assert response.status_code == 200
    assert dict(response.headers) == HEADERS
    assert consume(response) == CONTENT


# Preconditions (RFC 9110 §13.2.2)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"If-Match": ETAG}, 200),
        ({"If-Match": "*"}, 200),
        ({"If-Match": '"other"'}, 412),
        ({"If-Match": f"W/{ETAG}"}, 412),
        ({"If-Unmodified-Since": LAST_MODIFIED}, 200),
        ({"If-Unmodified-Since": EARLIER}, 412),
        ({"If-Unmodified-Since": "garbage"}, 200),
        ({"If-Match": ETAG, "If-Unmodified-Since": EARLIER}, 200),
        ({"If-None-Match": ETAG}, 304),
        ({"If-None-Match": f"W/{ETAG}"}, 304),
        ({"If-None-Match": f'"a", {ETAG}, "b"'}, 304),
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-Modified-Since": LAST_MODIFIED}, 304),
        ({"If-Modified-Since": EARLIER}, 200),
        ({"If-Modified-Since": "Tue, 14 Nov 2023 99:13:20 GMT"}, 200),
        ({"If-None-Match": '"other"', "If-Modified-Since": LAST_MODIFIED}, 200),
        ({"If-None-Match": ETAG, "If-Modified-Since": EARLIER}, 304),
        # preconditions come before Range: a matching If-None-Match is a 304, not a 206
        ({"If-None-Match": ETAG, "Range": "bytes=0-9"}, 304),
        ({"If-Match": '"other"', "Range": "bytes=0-9"}, 412),
        ({"If-Modified-Since": LAST_MODIFIED, "Range": "bytes=5000-"}, 304),
    ],
)
def test_preconditions(factory: Factory, doc: Path, headers: dict[str, str], status: int) -> None:
    file = RecordingFile(doc)
    response = serve(factory.get("/", headers=headers), download_of(doc, file))
    assert response.status_code == status
    body = consume(response)
    assert file.closed
    if status == 200:
        assert body == CONTENT
    else:
        assert body == b""
        assert file.reads == 0
        # 304 and 412 answers carry the download too (issue 11).
        assert isinstance(response, DownloadResponse)
        assert response.download.file is file


def test_not_modified_keeps_only_validators_and_caching_headers(rf: RequestFactory, doc: Path) -> None:
    extra = {"Expires": "Wed, 15 Nov 2023 00:00:00 GMT", "Vary": "Cookie", "X-Robots-Tag": "none"}
    response = get(rf, doc, request_headers={"If-None-Match": ETAG}, headers=extra, max_age=60)
    assert response.status_code == 304
    assert dict(response.headers) == {
        "Cache-Control": "private, max-age=60",
        "ETag": ETAG,
        "Expires": "Wed, 15 Nov 2023 00:00:00 GMT",
        "Last-Modified": LAST_MODIFIED,
        "Vary": "Cookie",
    }
    assert consume(response) == b""


def test_precondition_failed_describes_no_body(rf: RequestFactory, doc: Path) -> None:
    response = get(rf, doc, request_headers={"If-Match": '"other"'})
    assert response.status_code == 412
    assert "Content-Disposition" not in response
    assert "ETag" not in response
    assert consume(response) == b""


def test_if_none_match_on_post_fails_the_precondition(rf: RequestFactory, doc: Path) -> None:
    response = get(rf, doc, "post", request_headers={"If-None-Match": ETAG})
    assert response.status_code == 412
    consume(response)


# Range


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-0", 0, 1),
        ("bytes=0-99", 0, 100),
        ("bytes=990-", 990, 1000),
        ("bytes=-10", 990, 1000),
        ("bytes=900-99999", 900, 1000),
        ("bytes=0-" + "9" * 100, 0, 1000),  # huge numbers are safe
        ("bytes=-" + "9" * 100, 0, 1000),
        ("bytes=-5000", 0, 1000),  # suffix longer than the file: the whole file as a 206
        ("bytes=0-3,2-5", 0, 6),  # overlapping ranges coalesce into one part
    ],
)
def test_single_range(factory: Factory, doc: Path, header: str, start: int, stop: int) -> None:
    response = get(factory, doc, request_headers={"Range": header})
    assert response.status_code == 206
    assert dict(response.headers) == {
        **HEADERS,
        "Content-Length": str(stop - start),
        "Content-Range": f"bytes {start}-{stop - 1}/1000",
    }
    assert consume(response) == CONTENT[start:stop]


def test_multiple_ranges_are_multipart_byteranges(factory: Factory, doc: Path) -> None:
    response = get(factory, doc, request_headers={"Range": "bytes=-5,0-1,10-12"})
    assert response.status_code == 206
    match = re.fullmatch(r"multipart/byteranges; boundary=([0-9a-f]{32})", response["Content-Type"])
    assert match is not None
    boundary = match.group(1).encode()
    body = consume(response)
    parts = [(0, 2), (10, 13), (995, 1000)]
    expected = b"".join(
        b"%s--%s\r\nContent-Type: application/pdf\r\nContent-Range: bytes %d-%d/1000\r\n\r\n%s"
        % (b"\r\n" if index else b"", boundary, start, stop - 1, CONTENT[start:stop])
        for index, (start, stop) in enumerate(parts)
    )
    assert body == expected + b"\r\n--" + boundary + b"--\r\n"
    assert response["Content-Length"] == str(len(body))
    assert "Content-Range" not in response


def test_multipart_parts_carry_the_charset(rf: RequestFactory, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world")
    response = serve(rf.get("/", headers={"Range": "bytes=0-0,6-6"}), download_of(path), charset="utf-8")
    body = consume(response)
    assert body.count(b"\r\nContent-Type: text/plain; charset=utf-8\r\n") == 2


@pytest.mark.parametrize(
    "header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=1000-,2000-", "bytes=" + "9" * 100 + "-"]
)
def test_unsatisfiable_range(factory: Factory, doc: Path, header: str) -> None:
    file = RecordingFile(doc)
    response = serve(factory.get("/", headers={"Range": header}), download_of(doc, file))
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1000"
    assert consume(response) == b""
    assert file.closed
    assert file.reads == 0


@pytest.mark.parametrize(
    "header",
    [
        "items=0-9",
        "bytes=abc",
        "bytes=9-0",
        "bytes=0-999,0-999",
        "bytes=" + ",".join(f"{n}-{n}" for n in range(MAX_RANGES + 1)),
    ],
)
def test_ignored_range_serves_the_whole_file(factory: Factory, doc: Path, header: str) -> None:
    response = get(factory, doc, request_headers={"Range": header})
    assert response.status_code == 200
    assert dict(response.headers) == HEADERS
    assert consume(response) == CONTENT


def test_empty_file_ignores_range(factory: Factory, tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    response = serve(factory.get("/", headers={"Range": "bytes=0-0"}), download_of(path))
    assert response.status_code == 200
    assert response["Content-Length"] == "0"
    assert consume(response) == b""


@pytest.mark.parametrize(
    ("if_range", "status"),
    [
        (ETAG, 206),
        (LAST_MODIFIED, 206),
        (f"W/{ETAG}", 200),
        ('"stale"', 200),
        (EARLIER, 200),
        ("not a validator", 200),
    ],
)
def test_if_range(factory: Factory, doc: Path, if_range: str, status: int) -> None:
    response = get(factory, doc, request_headers={"Range": "bytes=0-9", "If-Range": if_range})
    assert response.status_code == status
    assert consume(response) == (CONTENT[:10] if status == 206 else CONTENT)


def test_ranges_false_serves_the_whole_file(rf: RequestFactory, doc: Path) -> None:
    response = get(rf, doc, ranges=False, request_headers={"Range": "bytes=0-9"})
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "none"
    assert consume(response) == CONTENT


# Bodies: zero-copy under WSGI, async iterators under ASGI, files always closed


#: A file just too large to be read at once under WSGI.
LARGE = bytes(i % 253 for i in range(INLINE_BODY_SIZE + 1))


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [(None, 0, len(LARGE)), (f"bytes=0-{INLINE_BODY_SIZE}", 0, INLINE_BODY_SIZE + 1)],
)
def test_wsgi_hands_a_real_file_slice_to_the_server(
    rf: RequestFactory, tmp_path: Path, header: str | None, start: int, stop: int
) -> None:
    path = tmp_path / "large.bin"
    path.write_bytes(LARGE)
    download = download_of(path, open(path, "rb"))  # noqa: SIM115 - the response closes it
    response = serve(rf.get("/", headers={"Range": header} if header else {}), download)
    assert isinstance(response, DownloadResponse)
    file_slice = response.file_to_stream
    assert isinstance(file_slice, FileSlice)
    assert download.file is not None
    # wsgi.file_wrapper sendfile()s Content-Length bytes from the descriptor's offset.
    assert file_slice.fileno() == download.file.fileno()
    assert os.lseek(file_slice.fileno(), 0, os.SEEK_CUR) == start
    assert response["Content-Length"] == str(stop - start)
    assert consume(response) == LARGE[start:stop]
    assert download.file.closed


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [(None, 0, 1000), ("bytes=100-199", 100, 200), ("bytes=-1", 999, 1000)],
)
def test_wsgi_reads_a_small_body_at_once(
    rf: RequestFactory, doc: Path, header: str | None, start: int, stop: int
) -> None:
    download = download_of(doc)
    response = serve(rf.get("/", headers={"Range": header} if header else {}), download)
    assert isinstance(response, DownloadResponse)
    assert response.file_to_stream is None
    assert isinstance(download.file, RecordingFile)
    assert download.file.reads == 1  # read in the view, before the server asks
    assert response["Content-Length"] == str(stop - start)
    assert list(response.streaming_content) == [CONTENT[start:stop]]
    assert download.file.reads == 1
    response.close()
    assert download.file.closed


def test_wsgi_reads_a_body_of_exactly_the_inline_size_at_once(rf: RequestFactory, tmp_path: Path) -> None:
    path = tmp_path / "large.bin"
    path.write_bytes(LARGE)
    response = serve(rf.get("/", headers={"Range": f"bytes=1-{INLINE_BODY_SIZE}"}), download_of(path))
    assert isinstance(response, DownloadResponse)
    assert response.status_code == 206
    assert response.file_to_stream is None
    assert consume(response) == LARGE[1:]


def test_wsgi_a_small_file_that_shrank_before_the_read_becomes_a_slice_that_cuts_the_connection(
    rf: RequestFactory, doc: Path
) -> None:
    # fstat said 2000 bytes (the Content-Length sent); the read finds 1000.
    download = dataclasses.replace(download_of(doc), size=2000)
    response = serve(rf.get("/"), download)
    assert isinstance(response, DownloadResponse)
    assert response["Content-Length"] == "2000"
    assert isinstance(response.file_to_stream, FileSlice)
    # As when sendfile(2) stops short: closing raises, so the server drops the connection.
    with pytest.raises(TruncatedFileError):
        response.close()
    assert download.file is not None
    assert download.file.closed


def test_wsgi_multipart_and_memory_files_are_iterated(rf: RequestFactory, doc: Path) -> None:
    response = get(rf, doc, request_headers={"Range": "bytes=0-0,5-5"})
    assert isinstance(response, DownloadResponse)
    assert response.file_to_stream is None
    consume(response)
    memory = Download(filename="a.pdf", size=3, file=io.BytesIO(b"abc"))
    response = serve(rf.get("/"), memory)
    assert isinstance(response, DownloadResponse)
    assert response.file_to_stream is None  # no descriptor to sendfile() from
    assert consume(response) == b"abc"


@pytest.mark.parametrize(
    ("method", "headers"),
    [("get", {}), ("head", {}), ("get", {"Range": "bytes=0-9"}), ("get", {"Range": "bytes=0-1,5-6"})],
)
async def test_asgi_bodies_are_async_iterators(
    async_rf: AsyncRequestFactory, doc: Path, method: str, headers: dict[str, str]
) -> None:
    response = serve(getattr(async_rf, method)("/", headers=headers), download_of(doc))
    assert isinstance(response, DownloadResponse)
    assert response.is_async
    assert response.file_to_stream is None
    # Django's own ASGI path: __aiter__ would warn (an error here) on a sync iterator.
    async for _ in response:
        pass
    response.close()


def test_early_close_closes_the_file(factory: Factory, doc: Path) -> None:
    file = RecordingFile(doc)
    response = serve(factory.get("/"), download_of(doc, file))
    response.close()  # what Django does when the client goes away
    assert file.closed


async def test_abandoned_async_body_closes_the_file(async_rf: AsyncRequestFactory, doc: Path) -> None:
    # Django's ASGI handler cancels the request task on disconnect and never
    # calls response.close(); closing the body iterator must be enough.
    file = RecordingFile(doc)
    response = serve(async_rf.get("/"), download_of(doc, file))
    assert isinstance(response, DownloadResponse)
    body = aiter(response)
    assert await anext(body) == CONTENT
    await body.aclose()  # type: ignore[attr-defined]
    assert file.closed


def test_truncated_file_is_an_error_not_a_short_body(rf: RequestFactory, doc: Path) -> None:
    download = download_of(doc)
    doc.write_bytes(CONTENT[:500])  # shrinks after the stat
    response = serve(rf.get("/"), download)
    with pytest.raises(OSError, match="shrank"):
        consume(response)
    assert download.file is not None
    assert download.file.closed


def test_error_while_building_closes_the_file(rf: RequestFactory, doc: Path) -> None:
    file = RecordingFile(doc)
    with pytest.raises(ValueError, match="newline"):
        serve(rf.get("/"), download_of(doc, file), headers={"X-Bad": "a\nb"})
    assert file.closed


def _stream() -> Generator[bytes, None, None]:
    yield b"a"
    yield b"b"


def test_stream_is_closed_when_response_is_not_a_body(rf: RequestFactory) -> None:
    stream = _stream()
    response = serve(rf.head("/"), Download(filename="s.txt", stream=stream))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "none"
    assert "Content-Length" not in response
    assert inspect.getgeneratorstate(stream) == inspect.GEN_CLOSED
    consume(response)


def test_download_without_bytes_has_an_empty_body(factory: Factory) -> None:
    # A source described by metadata only (left for a proxy to send) still answers cleanly.
    response = serve(factory.get("/"), Download(filename="remote.pdf"))
    assert response.status_code == 200
    assert "Content-Length" not in response
    assert response["Accept-Ranges"] == "none"
    assert consume(response) == b""


# The engine relays an answer its source already gave (Download.status / Download.headers).


def relayed(status: int, **fields: object) -> Download:
    return Download(filename="a.pdf", etag='"e1"', modified=0.0, status=status, **fields)  # type: ignore[arg-type]


def test_conditions_are_not_evaluated_again(rf: RequestFactory) -> None:
    request = rf.get(
        "/", headers={"If-None-Match": '"e1"', "If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"}
    )
    response = respond(request, relayed(200, size=3, stream=[b"abc"]), Options())
    assert response.status_code == 200
    assert read(response) == b"abc"
    response.close()


def test_ranges_are_not_evaluated_again(rf: RequestFactory) -> None:
    request = rf.get("/", headers={"Range": "bytes=0-0"})
    download = relayed(
        206,
        stream=[b"bc"],
        headers={"Content-Range": "bytes 1-2/3", "Content-Length": "2", "Accept-Ranges": "bytes"},
    )
    response = respond(request, download, Options())
    assert response.status_code == 206
    assert read(response) == b"bc"
    assert response.headers["Content-Range"] == "bytes 1-2/3"
    assert response.headers["Content-Length"] == "2"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Disposition"] == 'attachment; filename="a.pdf"'
    response.close()


def test_callers_headers_win_over_the_sources(rf: RequestFactory) -> None:
    download = relayed(200, stream=[], headers={"Content-Encoding": "gzip", "X-Source": "1"})
    response = respond(rf.get("/"), download, Options(headers={"X-Source": "2"}))
    assert (response.headers["Content-Encoding"], response.headers["X-Source"]) == ("gzip", "2")
    response.close()


def test_304_keeps_only_what_a_304_may_carry(rf: RequestFactory) -> None:
    download = relayed(304, headers={"Content-Length": "3", "Content-Encoding": "gzip"})
    response = respond(rf.get("/"), download, Options(max_age=60))
    assert response.status_code == 304
    assert dict(response.headers) == {
        "Cache-Control": "private, max-age=60",
        "Last-Modified": "Thu, 01 Jan 1970 00:00:00 GMT",
        "ETag": '"e1"',
    }


@pytest.mark.parametrize(("size", "content_range"), [(3, "bytes */3"), (None, None)])
def test_416_carries_the_complete_length_when_known(
    rf: RequestFactory, size: int | None, content_range: str | None
) -> None:
    closed: list[bool] = []

    class Stream(list[bytes]):
        def close(self) -> None:
            closed.append(True)

    response = respond(rf.get("/"), relayed(416, size=size, stream=Stream()), Options())
    assert response.status_code == 416
    assert response.headers.get("Content-Range") == content_range
    assert list(response) == []
    assert closed == [True]


def test_set_headers_stores_what_django_would_and_checks_the_rest() -> None:
    fast, django = DownloadResponse(Download(filename="x")), DownloadResponse(Download(filename="x"))
    fields = [
        ("ETag", '"a-1"'),
        ("Content-Disposition", "attachment; filename*=UTF-8''%C3%A9"),
        ("X-Name", "Zoë"),
    ]
    set_headers(fast, fields)
    for name, value in fields:
        django.headers[name] = value
    assert list(fast.items()) == list(django.items())
    assert fast.headers["X-Name"] == "Zoë"  # Latin-1 goes through Django's check, unchanged
    with pytest.raises(BadHeaderError):
        set_headers(fast, [("X-Evil", "a\r\nSet-Cookie: x=1")])


def test_request_fields_reads_only_what_decide_reads() -> None:
    request = RequestFactory().get("/", HTTP_RANGE="bytes=0-0", HTTP_IF_NONE_MATCH='"a"', HTTP_ACCEPT="*/*")
    assert request_fields(request) == {"If-None-Match": '"a"', "Range": "bytes=0-0"}
