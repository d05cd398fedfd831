"""serve_path: one-line urlpatterns, root containment, sync and async, WSGI and ASGI."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from django.http import Http404, HttpRequest
from django.test import AsyncClient, AsyncRequestFactory, Client, RequestFactory

from dlshortcuts import DownloadResponse, serve_generated, serve_path
from dlshortcuts.engine.bodies import BLOCK_SIZE
from tests.reading import aread, consume, read
from tests.urls import FILES_ROOT_ENV

if TYPE_CHECKING:
    from tests.conftest import Factory

pytestmark = pytest.mark.urls("tests.urls")

SECRET = b"outside the root"


@pytest.fixture(autouse=True)
def names_and_traps(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The root holds awkward names, and traps that lead to a secret beside it that must never be served."""
    (root / "sub").mkdir(parents=True)
    (root / "report.pdf").write_bytes(b"%PDF-1.4 report")
    (root / "sub" / "naïve résumé.pdf").write_bytes(b"%PDF-1.4 resume")
    (root / "~home.txt").write_bytes(b"tilde")
    (root / "100%.txt").write_bytes(b"percent")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (root / "escape").symlink_to(tmp_path / "secret.txt")
    (root / "escape-dir").symlink_to(tmp_path)
    (root / "inside").symlink_to(root / "report.pdf")
    os.mkfifo(root / "fifo")
    monkeypatch.setenv(FILES_ROOT_ENV, str(root))


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/files/report.pdf", b"%PDF-1.4 report"),
        ("/files/sub/na%C3%AFve%20r%C3%A9sum%C3%A9.pdf", b"%PDF-1.4 resume"),
        ("/files/~home.txt", b"tilde"),
        ("/files/100%25.txt", b"percent"),
        ("/files/inside", b"%PDF-1.4 report"),  # a symlink that stays inside the root
        ("/files/sub/../report.pdf", b"%PDF-1.4 report"),
    ],
)
def test_serves_files_under_root(client: Client, root: Path, url: str, body: bytes) -> None:
    response: Any = client.get(url)  # django-stubs types the test client's response too narrowly
    assert response.status_code == 200
    assert isinstance(response, DownloadResponse)
    assert read(response) == body


@pytest.mark.parametrize(
    "url",
    [
        "/files/missing.pdf",
        "/files/../secret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/sub/..%2f..%2fsecret.txt",
        "/files/%252e%252e/secret.txt",
        "/files//etc/passwd",
        "/files/report.pdf%00.txt",
        "/files/escape",  # a symlink resolving outside the root
        "/files/escape-dir/secret.txt",
        "/files/sub",  # directories
        "/files/sub/",
        "/files/fifo",  # opened non-blocking, refused: never hangs the worker
        "/files/report.pdf/",
    ],
)
def test_refuses_anything_else_with_404(client: Client, root: Path, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert SECRET not in response.content


@pytest.mark.parametrize(
    "path", ["../secret.txt", "/etc/passwd", "report.pdf\x00", "escape", "sub", "fifo", "", "."]
)
def test_http404_names_no_filesystem_path(rf: RequestFactory, root: Path, path: str) -> None:
    with pytest.raises(Http404) as raised:
        serve_path(rf.get("/"), path, root=root)
    assert str(raised.value) == "No such file."


def test_without_root_the_path_is_trusted(rf: RequestFactory, root: Path) -> None:
    response = serve_path(rf.get("/"), root.parent / "secret.txt")
    assert response.status_code == 200
    assert consume(response) == SECRET


def test_without_root_missing_and_special_files_are_404(rf: RequestFactory, root: Path) -> None:
    for path in (root / "missing", root / "sub", root / "fifo", "/dev/null"):
        with pytest.raises(Http404):
            serve_path(rf.get("/"), path)


def test_non_utf8_file_name_is_served(rf: RequestFactory, root: Path) -> None:
    raw = os.fsencode(root) + b"/caf\xe9.txt"
    with open(raw, "wb") as file:
        file.write(b"latin-1 name")
    response = serve_path(rf.get("/"), os.fsdecode(raw))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="caf.txt"'
    assert consume(response) == b"latin-1 name"


def test_options_in_urlpatterns(client: Client, root: Path) -> None:
    response = client.get("/inline/sub/na%C3%AFve%20r%C3%A9sum%C3%A9.pdf")
    assert response["Content-Disposition"] == (
        "inline; filename=\"naive resume.pdf\"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    response.close()


@pytest.mark.parametrize(
    ("method", "headers", "status", "body"),
    [
        ("get", {}, 200, b"%PDF-1.4 report"),
        ("head", {}, 200, b""),
        ("post", {}, 200, b"%PDF-1.4 report"),
        ("get", {"Range": "bytes=9-"}, 206, b"report"),
        ("get", {"Range": "bytes=100-"}, 416, b""),
    ],
)
def test_client(
    client: Client, root: Path, method: str, headers: dict[str, str], status: int, body: bytes
) -> None:
    response = getattr(client, method)("/files/report.pdf", headers=headers)
    assert response.status_code == status
    assert response["Content-Type"] == ("application/pdf" if status != 416 else "text/html; charset=utf-8")
    assert read(response) == body


@pytest.mark.parametrize("url", ["/files/report.pdf", "/async/files/report.pdf"])
@pytest.mark.parametrize(
    ("headers", "status", "body"),
    [
        ({}, 200, b"%PDF-1.4 report"),
        ({"Range": "bytes=0-3"}, 206, b"%PDF"),
        ({"Range": "bytes=0-0,2-2"}, 206, None),
    ],
)
async def test_async_client(
    async_client: AsyncClient, root: Path, url: str, headers: dict[str, str], status: int, body: bytes | None
) -> None:
    response: Any = await async_client.get(url, headers=headers)
    assert response.status_code == status
    assert response.is_async  # never Django's "must consume synchronous iterators" path
    content = await aread(response)
    if body is not None:
        assert content == body
    else:
        assert content.count(b"Content-Range: bytes ") == 2
    assert response["Content-Length"] == str(len(content))


@pytest.mark.parametrize("url", ["/files/report.pdf", "/async/files/report.pdf"])
async def test_async_client_head(async_client: AsyncClient, root: Path, url: str) -> None:
    response = await async_client.head(url)
    assert response.status_code == 200
    assert response["Content-Length"] == "15"
    assert response["ETag"].startswith('"f-')


async def test_async_client_not_found(async_client: AsyncClient, root: Path) -> None:
    for url in ("/async/files/../secret.txt", "/async/files/escape", "/async/files/fifo"):
        response = await async_client.get(url)
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"filname": "x"},
            TypeError,
            "serve_path() got an unexpected keyword argument 'filname'. Did you mean 'filename'?",
        ),
        ({"max_age": -1}, ValueError, "max_age must be a non-negative int of seconds, not -1"),
        ({"etag": 1}, TypeError, "etag must be True, False or a string, not 1"),
        ({"as_attachment": "no"}, TypeError, "as_attachment must be True or False, not 'no'"),
    ],
)
def test_misuse_raises_typeerror_or_valueerror(
    rf: RequestFactory, root: Path, options: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        serve_path(rf.get("/"), "report.pdf", root=root, **options)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_download_name_is_the_requested_one_not_the_symlink_target(client: Client, root: Path) -> None:
    response: Any = client.get("/files/inside")
    assert response["Content-Disposition"] == 'attachment; filename="inside"'
    assert read(response) == b"%PDF-1.4 report"


# serve_generated: every kind of content, lazily called factories, sync and async, WSGI and ASGI.

TIMEOUT = 30
CSV = "name,city\r\nZoë,Zürich\r\n"
CSV_BYTES = CSV.encode()
CSV_ETAG = f'"{hashlib.blake2b(CSV_BYTES, digest_size=12).hexdigest()}"'


class Unseekable(io.RawIOBase):
    """A pipe-like file object: readable once, not seekable."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def rows() -> Iterator[str]:
    yield "name,city\r\n"
    yield "Zoë,Zürich\r\n"


async def arows() -> AsyncIterator[str | bytes]:
    yield "name,city\r\n"
    yield "Zoë,Zürich\r\n".encode()


@pytest.mark.parametrize("content", [CSV, CSV_BYTES, bytearray(CSV_BYTES), memoryview(CSV_BYTES)])
def test_bytes_and_str_are_sized_with_an_etag_from_the_bytes(factory: Factory, content: Any) -> None:
    response = serve_generated(factory.get("/"), content, filename="people.csv")
    assert response.status_code == 200
    assert dict(response.headers) == {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="people.csv"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
        "ETag": CSV_ETAG,
        "Accept-Ranges": "bytes",
        "Content-Length": str(len(CSV_BYTES)),
    }
    assert consume(response) == CSV_BYTES


def test_str_with_another_charset(rf: RequestFactory) -> None:
    response = serve_generated(rf.get("/"), CSV, filename="people.csv", charset="latin-1")
    assert response["Content-Type"] == "text/csv; charset=latin-1"
    assert consume(response) == CSV.encode("latin-1")


def test_charset_only_on_text_types(rf: RequestFactory) -> None:
    response = serve_generated(rf.get("/"), b"{}", filename="data.json")
    assert response["Content-Type"] == "application/json"
    consume(response)


@pytest.mark.parametrize(
    ("headers", "status", "body"),
    [
        ({"Range": "bytes=0-3"}, 206, b"name"),
        ({"Range": "bytes=-7"}, 206, "Zürich\r\n".encode()[-7:]),
        ({"Range": "bytes=999-"}, 416, b""),
    ],
)
def test_bytes_honour_ranges(factory: Factory, headers: dict[str, str], status: int, body: bytes) -> None:
    response = serve_generated(factory.get("/", headers=headers), CSV_BYTES, filename="people.csv")
    assert response.status_code == status
    assert consume(response) == body


def test_bytes_etag_answers_if_none_match(factory: Factory) -> None:
    response = serve_generated(factory.get("/", headers={"If-None-Match": CSV_ETAG}), CSV, filename="p.csv")
    assert response.status_code == 304
    assert response["ETag"] == CSV_ETAG
    consume(response)


@pytest.mark.parametrize(
    ("headers", "status", "body"), [({}, 200, CSV_BYTES), ({"Range": "bytes=5-8"}, 206, b"city")]
)
def test_seekable_file(
    factory: Factory, tmp_path: Path, headers: dict[str, str], status: int, body: bytes
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(CSV_BYTES)
    file = open(path, "rb")  # noqa: SIM115 - serve_generated owns and closes it
    response = serve_generated(factory.get("/", headers=headers), file, filename="people.csv")
    assert response.status_code == status
    assert response["Content-Length"] == str(len(body))
    assert "ETag" not in response  # nothing to derive a validator from
    assert consume(response) == body
    assert file.closed


@pytest.mark.parametrize("method", ["head", "get"])
def test_seekable_memory_file_closed_and_head_does_not_read(factory: Factory, method: str) -> None:
    reads = []

    class Recording(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            reads.append(size)
            return super().read(size)

    file = Recording(CSV_BYTES)
    response = serve_generated(getattr(factory, method)("/"), file, filename="people.csv")
    assert response["Content-Length"] == str(len(CSV_BYTES))
    body = consume(response)
    assert file.closed
    assert body == (CSV_BYTES if method == "get" else b"")
    assert bool(reads) is (method == "get")


def test_unseekable_file_streams_without_ranges(factory: Factory) -> None:
    file = Unseekable(CSV_BYTES)
    response = serve_generated(factory.get("/", headers={"Range": "bytes=0-3"}), file, filename="people.csv")
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "none"
    assert "Content-Length" not in response
    assert consume(response) == CSV_BYTES
    assert file.closed


@pytest.mark.parametrize("make", [rows, arows, lambda: [b"name,city\r\n", "Zoë,Zürich\r\n"]])
def test_iterables_stream(factory: Factory, make: Any) -> None:
    response = serve_generated(
        factory.get("/", headers={"Range": "bytes=0-3"}), make(), filename="people.csv"
    )
    assert response.status_code == 200  # a stream cannot seek: Range is ignored
    assert response["Accept-Ranges"] == "none"
    assert "Content-Length" not in response
    assert "ETag" not in response
    assert consume(response) == CSV_BYTES


def test_size_gives_a_content_length(factory: Factory) -> None:
    response = serve_generated(factory.get("/"), rows(), filename="people.csv", size=len(CSV_BYTES))
    assert response["Content-Length"] == str(len(CSV_BYTES))
    assert consume(response) == CSV_BYTES


def test_generator_is_consumed_lazily_in_blocks(rf: RequestFactory) -> None:
    produced = []

    def many() -> Iterator[bytes]:
        for n in range(100_000):
            produced.append(n)
            yield b"%09d\r\n" % n

    response = serve_generated(rf.get("/"), many(), filename="big.csv")
    assert produced == []  # nothing made before the server asks
    assert isinstance(response, DownloadResponse)
    first = next(iter(cast(Iterator[bytes], response.streaming_content)))
    # Small rows are batched into one block, and no more is produced than that block.
    assert BLOCK_SIZE <= len(first) < BLOCK_SIZE + 11
    assert len(produced) == len(first) // 11
    response.close()


def test_closing_early_closes_the_generator(factory: Factory) -> None:
    closed = []

    def endless() -> Iterator[bytes]:
        try:
            while True:
                yield b"x" * 1024
        finally:
            closed.append(True)

    stream = endless()
    next(stream)  # started, so that closing it runs the finally
    response = serve_generated(factory.get("/"), stream, filename="endless.bin")
    response.close()
    assert closed == [True]


def test_callable_is_called_lazily_with_the_request_and_url_kwargs(rf: RequestFactory) -> None:
    calls = []

    def make(request: HttpRequest, **kwargs: Any) -> bytes:
        calls.append((request.path, kwargs))
        return b"ok"

    response = serve_generated(rf.get("/x"), make, filename="a.txt", year=2024, region="eu")  # type: ignore[call-arg]
    assert calls == [("/x", {"year": 2024, "region": "eu"})]
    assert consume(response) == b"ok"


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        (
            b"data",
            {"filname": "x"},
            "serve_generated() got an unexpected keyword argument 'filname'. Did you mean 'filename'?",
        ),
        (
            42,
            {},
            "serve_generated() content must be bytes, str, a file-like object, an iterable or async "
            "iterable of bytes/str, or a callable returning one; got int",
        ),
        (lambda request: None, {}, "callable returning one; got NoneType"),
    ],
)
def test_misuse_raises_typeerror(
    rf: RequestFactory, content: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError) as raised:
        serve_generated(rf.get("/"), content, filename="a.txt", **kwargs)
    assert str(raised.value).endswith(message)


EXPECTED_REPORT = "year,month,total\r\n" + "".join(f"2031,{m},{2031 * m}\r\n" for m in range(1, 13))


@pytest.mark.urls("tests.urls")
@pytest.mark.parametrize("url", ["/report/2031.csv"])
def test_one_line_urlpattern(client: Client, url: str) -> None:
    response: Any = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="report.csv"'
    assert read(response) == EXPECTED_REPORT.encode()


@pytest.mark.urls("tests.urls")
@pytest.mark.parametrize("url", ["/report/2031.csv", "/async/report/2031.csv"])
async def test_one_line_urlpattern_async(async_client: AsyncClient, url: str) -> None:
    response: Any = await async_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert await aread(response) == EXPECTED_REPORT.encode()


def test_async_iterable_under_wsgi_is_driven_block_by_block(rf: RequestFactory) -> None:
    response = serve_generated(rf.get("/"), arows(), filename="people.csv")
    assert isinstance(response, DownloadResponse)
    assert not response.is_async
    assert read(response) == CSV_BYTES


def test_sync_iterable_under_asgi_becomes_async(async_rf: AsyncRequestFactory) -> None:
    response = serve_generated(async_rf.get("/"), rows(), filename="people.csv")
    assert isinstance(response, DownloadResponse)
    assert response.is_async
    assert consume(response) == CSV_BYTES


def test_os_pipe_is_an_unseekable_file(rf: RequestFactory) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, CSV_BYTES)
    os.close(write_end)
    file = os.fdopen(read_end, "rb")
    response = serve_generated(rf.get("/"), file, filename="people.csv")
    assert "Content-Length" not in response
    assert read(response) == CSV_BYTES
    assert file.closed


@pytest.mark.parametrize(
    ("content", "content_type", "disposition"),
    [
        (b"%PDF-1.4\n%%EOF\n", "application/pdf", "inline"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/html; charset=utf-8", "attachment"),
    ],
)
def test_nameless_bytes_are_sniffed(
    rf: RequestFactory, content: bytes, content_type: str, disposition: str
) -> None:
    response = serve_generated(rf.get("/"), content, filename="upload", as_attachment=False)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'{disposition}; filename="upload"'
    assert consume(response) == content


def test_object_with_only_read_is_streamed(rf: RequestFactory) -> None:
    class Reader:
        def __init__(self) -> None:
            self._data = io.BytesIO(CSV_BYTES)

        def read(self, size: int = -1) -> bytes:
            return self._data.read(size)

    response = serve_generated(rf.get("/"), Reader(), filename="people.csv")
    assert response["Accept-Ranges"] == "none"
    assert read(response) == CSV_BYTES


async def test_disconnect_while_a_sync_generator_runs(async_rf: AsyncRequestFactory) -> None:
    # Under ASGI the generator runs in a worker thread; a client disconnect
    # cancels the request meanwhile. The cancellation must stay a
    # cancellation, not become "ValueError: generator already executing".
    entered = threading.Event()
    release = threading.Event()

    def rows() -> Iterator[bytes]:
        yield b"first"
        entered.set()
        release.wait(TIMEOUT)
        yield b"second"

    response = serve_generated(async_rf.get("/"), rows(), filename="r.csv")
    assert isinstance(response, DownloadResponse)
    task = asyncio.ensure_future(anext(aiter(response)))
    try:
        assert await asyncio.to_thread(entered.wait, TIMEOUT)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        release.set()
