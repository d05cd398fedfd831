"""download_started and download_finished in process: every path, exact arguments, exactly once.

A WSGI server is played by iterating the response and closing it (PEP
3333), gunicorn's sendfile path by ``socket.sendfile`` over a socket pair,
Django's ASGI handler by iterating ``aiter(response)`` and closing it. The
same paths against the real servers are in tests/wire/test_signals_wire.py.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.http import HttpRequest
from django.test import AsyncRequestFactory, Client, RequestFactory

from dlshortcuts import (
    DownloadResponse,
    aserve_generated,
    aserve_path,
    optimized_download,
    serve_generated,
    serve_path,
    serve_storage,
    serve_url,
)
from dlshortcuts.engine.bodies import BLOCK_SIZE, TruncatedFileError
from dlshortcuts.engine.response import report_finished
from dlshortcuts.signals import download_finished, download_started
from tests.upstream import serve_upstream
from tests.urls import FILES_ROOT_ENV

pytestmark = pytest.mark.urls("tests.urls")

DATA = bytes(range(256)) * (3 * BLOCK_SIZE // 256) + b"tail!"  # three blocks and a bit


class Events:
    """What the receivers were sent, in order: ``(signal name, keyword arguments)``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def started(self, sender: object, **kwargs: Any) -> None:
        assert sender is DownloadResponse
        kwargs.pop("signal")
        self.sent.append(("started", kwargs))

    def finished(self, sender: object, **kwargs: Any) -> None:
        assert sender is DownloadResponse
        kwargs.pop("signal")
        self.sent.append(("finished", kwargs))

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def finish(self) -> dict[str, Any]:
        """The one download_finished sent."""
        finished = [kwargs for name, kwargs in self.sent if name == "finished"]
        assert len(finished) == 1, self.sent
        return finished[0]

    def outcome(self) -> tuple[int, int | None, bool | None, bool]:
        finished = self.finish()
        return finished["status"], finished["bytes_sent"], finished["complete"], finished["offloaded"]


@pytest.fixture
def events() -> Iterator[Events]:
    recorder = Events()
    download_started.connect(recorder.started)
    download_finished.connect(recorder.finished)
    try:
        yield recorder
    finally:
        download_started.disconnect(recorder.started)
        download_finished.disconnect(recorder.finished)


@pytest.fixture
def data_file(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "data.bin"
    path.write_bytes(DATA)
    return path


def wsgi_serve(response: DownloadResponse, parts: int | None = None) -> bytes:
    """A WSGI server without wsgi.file_wrapper: write ``parts`` parts (all when None), then close."""
    body = b""
    try:
        for index, part in enumerate(response):
            if parts is not None and index == parts:
                break  # this part is never written: the client is gone
            body += part
    finally:
        response.close()
    return body


async def asgi_serve(response: DownloadResponse, parts: int | None = None) -> bytes:
    """Django's ASGI handler: aclosing(aiter(response)), then close()."""
    body = b""
    content = aiter(response)
    try:
        index = 0
        async for part in content:
            if parts is not None and index == parts:
                break
            body += part
            index += 1
    finally:
        await content.aclose()  # type: ignore[attr-defined]
        response.close()
    return body


def test_a_whole_download_is_started_then_finished_once_with_every_argument(
    rf: RequestFactory, events: Events, data_file: Path
) -> None:
    request = rf.get("/")
    response = serve_path(request, data_file)
    assert events.names() == ["started"]
    assert events.sent[0][1] == {"request": request, "download": response.download, "response": response}
    assert wsgi_serve(response) == DATA
    response.close()  # a second close reports nothing more
    assert events.names() == ["started", "finished"]
    assert events.finish() == {
        "request": request,
        "download": response.download,
        "response": response,
        "status": 200,
        "bytes_sent": len(DATA),
        "complete": True,
        "offloaded": False,
    }


@pytest.mark.parametrize(
    ("headers", "status", "length"),
    [
        ({"HTTP_RANGE": "bytes=10-19"}, 206, 10),
        ({"HTTP_RANGE": f"bytes={BLOCK_SIZE - 3}-"}, 206, len(DATA) - BLOCK_SIZE + 3),
    ],
)
def test_a_range_counts_the_bytes_of_its_body(
    rf: RequestFactory, events: Events, data_file: Path, headers: dict[str, str], status: int, length: int
) -> None:
    response = serve_path(rf.get("/", **headers), data_file)  # type: ignore[arg-type]
    assert len(wsgi_serve(response)) == length
    assert events.outcome() == (status, length, True, False)


def test_a_multipart_range_counts_its_framing_too(
    rf: RequestFactory, events: Events, data_file: Path
) -> None:
    response = serve_path(rf.get("/", HTTP_RANGE="bytes=0-9,100-109"), data_file)
    body = wsgi_serve(response)
    assert response.status_code == 206
    assert response["Content-Length"] == str(len(body))
    assert events.outcome() == (206, len(body), True, False)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_IF_NONE_MATCH": "*"}, 304),
        ({"HTTP_IF_MATCH": '"other"'}, 412),
        ({"HTTP_RANGE": f"bytes={len(DATA) + 10}-"}, 416),
    ],
)
def test_answers_without_a_body_finish_complete_with_nothing_sent(
    rf: RequestFactory, events: Events, data_file: Path, headers: dict[str, str], status: int
) -> None:
    response = serve_path(rf.get("/", **headers), data_file)  # type: ignore[arg-type]
    assert wsgi_serve(response) == b""
    assert events.names() == ["finished"]
    assert events.outcome() == (status, 0, True, False)


def test_head_is_not_started_and_finishes_complete(
    rf: RequestFactory, events: Events, data_file: Path
) -> None:
    response = serve_path(rf.head("/"), data_file)
    assert wsgi_serve(response) == b""
    assert events.names() == ["finished"]
    assert events.outcome() == (200, 0, True, False)


@pytest.mark.parametrize(("parts", "sent"), [(0, 0), (1, BLOCK_SIZE), (2, 2 * BLOCK_SIZE)])
def test_a_disconnect_counts_the_parts_the_server_wrote(
    rf: RequestFactory, events: Events, data_file: Path, parts: int, sent: int
) -> None:
    # The server asks for a part once it has written the previous one: the
    # part in hand when the client left was not sent.
    response = serve_path(rf.get("/"), data_file)
    wsgi_serve(response, parts)
    assert events.outcome() == (200, sent, False, False)


def test_a_body_never_asked_for_finishes_incomplete(rf: RequestFactory, events: Events) -> None:
    response = serve_generated(rf.get("/"), iter([b"never", b"sent"]), filename="rows.csv")
    response.close()  # the client left before the server wrote the headers
    assert events.outcome() == (200, 0, False, False)


def test_an_error_while_streaming_finishes_incomplete(
    rf: RequestFactory, events: Events, data_file: Path
) -> None:
    response = serve_path(rf.get("/"), data_file)
    parts = iter(response)
    assert next(parts) == DATA[:BLOCK_SIZE]
    assert next(parts) == DATA[BLOCK_SIZE : 2 * BLOCK_SIZE]
    data_file.write_bytes(DATA[: 2 * BLOCK_SIZE + 1])  # shrinks under the download
    with pytest.raises(TruncatedFileError):
        next(parts)
    with pytest.raises(TruncatedFileError):
        response.close()
    # Two parts written: the server asked for a third.
    assert events.outcome() == (200, 2 * BLOCK_SIZE, False, False)


def _sendfile(response: DownloadResponse, read_limit: int | None) -> tuple[int, BaseException | None]:
    """gunicorn's sendfile path: ``socket.sendfile(file_to_stream, offset, count)``, then close().

    The client reads ``read_limit`` bytes (all when None) and hangs up.
    :returns: what the client read, and what sendfile raised.
    """
    file_slice = response.file_to_stream
    assert file_slice is not None
    server, client = socket.socketpair()
    received = 0

    def read() -> None:
        nonlocal received
        with client:
            while read_limit is None or received < read_limit:
                data = client.recv(65536)
                if not data:
                    return
                received += len(data)

    reader = threading.Thread(target=read)
    reader.start()
    error: BaseException | None = None
    try:
        with server:
            length = int(response["Content-Length"])
            offset = os.lseek(file_slice.fileno(), 0, os.SEEK_CUR)  # as gunicorn finds it
            server.sendfile(file_slice, offset=offset, count=length)
    except OSError as raised:
        error = raised
    finally:
        reader.join(timeout=30)
        response.close()
    return received, error


def test_sendfile_reports_what_the_kernel_took(rf: RequestFactory, events: Events, data_file: Path) -> None:
    response = serve_path(rf.get("/", HTTP_RANGE="bytes=5-"), data_file)
    received, error = _sendfile(response, None)
    assert error is None
    assert received == len(DATA) - 5
    assert events.outcome() == (206, len(DATA) - 5, True, False)


def test_sendfile_interrupted_by_a_disconnect_reports_at_least_what_the_client_read(
    rf: RequestFactory, events: Events, root: Path
) -> None:
    big = root / "big.bin"
    big.write_bytes(b"x" * (32 * 1024 * 1024))
    response = serve_path(rf.get("/"), big)
    received, error = _sendfile(response, 256 * 1024)
    assert isinstance(error, (BrokenPipeError, ConnectionResetError))
    status, sent, complete, offloaded = events.outcome()
    assert (status, complete, offloaded) == (200, False, False)
    assert sent is not None
    # What the client read, plus at most what the two sockets' buffers held.
    assert received <= sent <= received + 16 * 1024 * 1024


def test_a_server_that_sendfiles_without_saying_how_far_reports_unknown(
    rf: RequestFactory, events: Events, data_file: Path
) -> None:
    response = serve_path(rf.get("/"), data_file)
    assert response.file_to_stream is not None
    response.file_to_stream.fileno()  # uWSGI: sendfile(2) from the descriptor, nothing more
    response.close()
    assert events.outcome() == (200, None, None, False)


async def test_asgi_whole_download_is_reported_by_the_iterator(
    async_rf: AsyncRequestFactory, events: Events, data_file: Path
) -> None:
    request = async_rf.get("/")
    response = await aserve_path(request, data_file)
    assert await asgi_serve(response) == DATA
    assert events.names() == ["started", "finished"]
    assert events.finish()["request"] is request
    assert events.outcome() == (200, len(DATA), True, False)


async def test_asgi_disconnect_counts_the_parts_sent(
    async_rf: AsyncRequestFactory, events: Events, root: Path
) -> None:
    big = root / "big.bin"
    big.write_bytes(b"y" * (1024 * 1024))
    response = await aserve_path(async_rf.get("/"), big)
    body = await asgi_serve(response, 2)
    assert events.outcome() == (200, len(body), False, False)
    assert 0 < len(body) < 1024 * 1024


async def test_asgi_error_while_streaming_is_reported_even_without_close(
    async_rf: AsyncRequestFactory, events: Events, data_file: Path
) -> None:
    response = await aserve_generated(async_rf.get("/"), _failing(), filename="broken.csv")
    content = aiter(response)
    assert await anext(content) == b"x" * BLOCK_SIZE
    with pytest.raises(RuntimeError, match="the database went away"):
        await anext(content)
    # Django's ASGI handler never calls close() when the body raises.
    assert events.outcome() == (200, BLOCK_SIZE, False, False)


def _failing() -> Iterator[bytes]:
    yield b"x" * BLOCK_SIZE
    raise RuntimeError("the database went away")


@pytest.mark.parametrize(
    ("method", "headers", "status"), [("head", {}, 200), ("get", {"If-None-Match": "*"}, 304)]
)
async def test_asgi_answers_without_a_body(
    async_rf: AsyncRequestFactory,
    events: Events,
    data_file: Path,
    method: str,
    headers: dict[str, str],
    status: int,
) -> None:
    response = await aserve_path(getattr(async_rf, method)("/", headers=headers), data_file)
    assert await asgi_serve(response) == b""
    assert events.names() == ["finished"]
    assert events.outcome() == (status, 0, True, False)


def test_generated_stream_without_a_length(rf: RequestFactory, events: Events) -> None:
    rows = (f"{number},row\n" for number in range(20000))
    response = serve_generated(rf.get("/"), rows, filename="rows.csv")
    body = wsgi_serve(response)
    assert events.outcome() == (200, len(body), True, False)
    assert body.count(b"\n") == 20000


def test_serve_url_counts_the_relayed_body(rf: RequestFactory, events: Events) -> None:
    with serve_upstream({"data.bin": DATA}) as upstream:
        response = serve_url(rf.get("/"), f"{upstream.url}/files/data.bin")
        assert wsgi_serve(response) == DATA
    assert events.outcome() == (200, len(DATA), True, False)


def test_the_test_client_reports_once_with_the_whole_body(
    client: Client, events: Events, data_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It wraps the body in its own iterator and sets it back: counted once.
    monkeypatch.setenv(FILES_ROOT_ENV, str(data_file.parent))
    response: Any = client.get(f"/files/{data_file.name}")
    assert b"".join(response.streaming_content) == DATA
    assert events.outcome() == (200, len(DATA), True, False)


def test_an_offloaded_download_reports_only_that(rf: RequestFactory, events: Events, data_file: Path) -> None:
    @optimized_download(backend="nginx", locations=[{"root": str(data_file.parent), "url": "/_p/"}])
    def view(request: HttpRequest) -> DownloadResponse:
        return serve_path(request, data_file)

    response: Any = view(rf.get("/"))
    assert response["X-Accel-Redirect"] == "/_p/data.bin"
    assert wsgi_serve(response) == b""
    assert events.names() == ["finished"]
    assert events.outcome() == (200, None, None, True)


def test_a_handler_reports_for_the_response_first(
    rf: RequestFactory, events: Events, data_file: Path
) -> None:
    # What an ASGI handler sending http.response.pathsend does.
    response = serve_path(rf.get("/"), data_file)
    report_finished(response, bytes_sent=None, complete=None, offloaded=True)
    response.close()
    assert events.outcome() == (200, None, None, True)


def test_a_receiver_that_raises_is_logged_and_the_body_is_intact(
    rf: RequestFactory, events: Events, data_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(sender: object, **kwargs: Any) -> None:
        raise RuntimeError("audit table missing")

    download_started.connect(broken)
    download_finished.connect(broken)
    try:
        with caplog.at_level(logging.ERROR, logger="dlshortcuts.signals"):
            response = serve_path(rf.get("/"), data_file)
            assert wsgi_serve(response) == DATA
    finally:
        download_started.disconnect(broken)
        download_finished.disconnect(broken)
    assert events.outcome() == (200, len(DATA), True, False)
    ours = [record for record in caplog.records if record.name == "dlshortcuts.signals"]
    assert [record.getMessage() for record in ours] == [
        f"a download signal receiver {broken!r} raised for 'data.bin'",
    ] * 2
    assert all(isinstance(record.exc_info and record.exc_info[1], RuntimeError) for record in ours)


def test_without_receivers_the_body_is_not_wrapped(rf: RequestFactory, data_file: Path) -> None:
    assert not download_finished.has_listeners()
    response = serve_path(rf.get("/"), data_file)
    assert isinstance(response.streaming_content, map)  # Django's own, nothing of ours per part
    assert wsgi_serve(response) == DATA


# delete_when_done


@pytest.mark.parametrize(
    ("method", "headers"),
    [("get", {}), ("get", {"HTTP_RANGE": "bytes=0-3"}), ("head", {}), ("get", {"HTTP_IF_NONE_MATCH": "*"})],
)
def test_delete_when_done_removes_the_file_on_every_path(
    rf: RequestFactory, events: Events, data_file: Path, method: str, headers: dict[str, str]
) -> None:
    response = serve_path(getattr(rf, method)("/", **headers), data_file, delete_when_done=True)
    assert response.download.temporary
    body = wsgi_serve(response)
    assert not data_file.exists()
    expected = {"HTTP_RANGE": DATA[:4], "HTTP_IF_NONE_MATCH": b""}
    assert body == (b"" if method == "head" else expected.get(next(iter(headers), ""), DATA))
    assert events.finish()["complete"] is True


def test_delete_when_done_on_posix_unlinks_an_open_file_at_once(rf: RequestFactory, data_file: Path) -> None:
    response = serve_path(rf.get("/"), data_file, delete_when_done=True)
    assert not data_file.exists()  # the open descriptor still reads it
    assert wsgi_serve(response, 1) == DATA[:BLOCK_SIZE]  # a disconnect: nothing is left behind either


async def test_delete_when_done_after_a_disconnect_under_asgi(
    async_rf: AsyncRequestFactory, data_file: Path
) -> None:
    response = await aserve_path(async_rf.get("/"), data_file, delete_when_done=True)
    assert await asgi_serve(response, 0) == b""  # the client left before the first part
    assert not data_file.exists()


def test_delete_when_done_for_a_file_object_opened_from_a_path(rf: RequestFactory, data_file: Path) -> None:
    response = serve_generated(
        rf.get("/"), data_file.open("rb"), filename="export.bin", delete_when_done=True
    )
    assert wsgi_serve(response) == DATA
    assert not data_file.exists()


def test_delete_when_done_deletes_a_storage_file_after_the_response(rf: RequestFactory) -> None:
    storage = InMemoryStorage()
    name = storage.save("exports/report.csv", ContentFile(b"a,b\n1,2\n"))
    response = serve_storage(rf.get("/"), name, storage=storage, delete_when_done=True)
    assert storage.exists(name)  # read from the storage while the body is sent
    assert wsgi_serve(response) == b"a,b\n1,2\n"
    assert not storage.exists(name)


def test_delete_when_done_refuses_an_offloaded_download_and_keeps_the_file(
    rf: RequestFactory, data_file: Path
) -> None:
    @optimized_download(backend="nginx", locations=[{"root": str(data_file.parent), "url": "/_p/"}])
    def view(request: HttpRequest) -> DownloadResponse:
        return serve_path(request, data_file, delete_when_done=True)

    refused = (
        r"delete_when_done=True cannot be used when the web server sends the file \('data.bin' is handed over"
    )
    with pytest.raises(ValueError, match=refused):
        view(rf.get("/"))
    assert data_file.read_bytes() == DATA


@pytest.mark.parametrize("content", [b"made in memory", io.BytesIO(b"made in memory")])
def test_delete_when_done_needs_a_file(rf: RequestFactory, content: object) -> None:
    refused = r"delete_when_done=True needs a file to delete, and 'made.txt' is not one"
    with pytest.raises(ValueError, match=refused):
        serve_generated(rf.get("/"), content, filename="made.txt", delete_when_done=True)


def test_delete_when_done_must_be_a_bool(rf: RequestFactory, data_file: Path) -> None:
    with pytest.raises(TypeError, match=r"delete_when_done must be True or False, not 'yes'"):
        serve_path(rf.get("/"), data_file, delete_when_done="yes")  # type: ignore[arg-type]
    assert data_file.exists()
