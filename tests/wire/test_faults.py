"""Faults: clients that vanish, files that change under a download.

The engine's side is checked in-process first (what it raises and closes);
then under real servers.

gunicorn (WSGI: the whole file and single ranges go out with sendfile(2)
through wsgi.file_wrapper, multipart bodies through the engine's reads) and
uvicorn (ASGI: async reads in worker threads) serve a private root; the test
talks raw HTTP/1.1 over sockets so that it controls exactly when it stops
reading and how it hangs up.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import AsyncRequestFactory, RequestFactory

from dlshortcuts import DownloadResponse, aserve_path, serve_generated, serve_path
from dlshortcuts.engine.bodies import INLINE_BODY_SIZE, TruncatedFileError, aiter_pieces
from dlshortcuts.http.ranges import ByteRange
from tests.app_servers import (
    SERVERS,
    fetch_head,
    leaked_files,
    open_fds,
    parse_head,
    start_app_server,
    wait_until,
    worker_pids,
)
from tests.servers import Server

BIG = 32 * 1024 * 1024
# Small enough that loopback socket buffers cannot hold the whole body: the
# server is still sending when the client hangs up or the file changes.
CLIENT_BUFFER = 16 * 1024
REQUESTS = {
    "whole file": "",
    "single range": "Range: bytes=1000-\r\n",
    "multipart ranges": "Range: bytes=0-99,1000000-\r\n",
}


@pytest.fixture(scope="module", autouse=True)
def big_file(module_root: Path) -> None:
    """The file clients hang up on: large enough to outlast the socket buffers."""
    (module_root / "big.bin").write_bytes(os.urandom(1024) * (BIG // 1024))


@pytest.fixture(scope="module", params=SERVERS)
def server(
    request: pytest.FixtureRequest, module_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    server = start_app_server(request.param, module_root, tmp_path_factory.mktemp("logs"))
    yield server
    server.stop()


def test_closing_a_response_whose_file_shrank_raises_and_closes_it(
    tmp_path: Path, rf: RequestFactory
) -> None:
    (tmp_path / "f.bin").write_bytes(b"x" * (INLINE_BODY_SIZE + 1))  # too large to be read at once
    response = serve_path(rf.get("/"), "f.bin", root=tmp_path)
    assert isinstance(response, DownloadResponse)
    os.truncate(tmp_path / "f.bin", 50)  # as if sendfile(2) had been cut short
    with pytest.raises(TruncatedFileError):
        response.close()
    assert response.download.file is not None
    assert response.download.file.closed


def test_closing_a_response_from_memory_checks_nothing(rf: RequestFactory) -> None:
    response = serve_generated(rf.get("/"), b"generated", filename="g.bin")
    assert isinstance(response, DownloadResponse)
    assert response.file_to_stream is None  # no descriptor: never the sendfile path
    response.close()
    assert response.download.file is not None
    assert response.download.file.closed


async def test_an_async_body_closes_its_file_when_the_file_shrank(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 100)
    with path.open("rb") as file:
        body = aiter_pieces(file, [ByteRange(0, 100)])
        os.truncate(path, 50)
        with pytest.raises(TruncatedFileError):
            await anext(body)
    # The file belongs to the Download: the response releases it when its
    # async body raises (Django's ASGI handler then never calls close()).
    path.write_bytes(b"x" * 100)
    response = await aserve_path(AsyncRequestFactory().get("/"), path)
    os.truncate(path, 50)
    with pytest.raises(TruncatedFileError):
        async for _ in response:
            pass
    assert response.download.file is not None
    assert response.download.file.closed


def _connect(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, CLIENT_BUFFER)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", port))
    return sock


def _request(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode()


def _read_until(sock: socket.socket, received: bytes, enough: int) -> bytes:
    """Read until ``enough`` bytes in all; fails if the server closes first."""
    data = bytearray(received)
    while len(data) < enough:
        chunk = sock.recv(256 * 1024)
        assert chunk, f"closed after {len(data)} bytes"
        data += chunk
    return bytes(data)


def _read_head(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        assert chunk, "closed before the headers"
        received += chunk
    status, headers = parse_head(received)
    return status, headers, received.split(b"\r\n\r\n", 1)[1]


def _read_to_close(sock: socket.socket, received: bytes) -> bytes:
    """Read until the server closes the connection (a reset counts as closed)."""
    data = bytearray(received)
    while True:
        try:
            chunk = sock.recv(256 * 1024)
        except ConnectionResetError:
            return bytes(data)
        if not chunk:
            return bytes(data)
        data += chunk


def _hang_up(port: int, extra: str, *, mid_body: bool, reset: bool) -> None:
    with _connect(port) as sock:
        sock.sendall(_request("/hardening/path/big.bin", extra))
        status, _, body = _read_head(sock)
        assert status in {200, 206}
        if mid_body:
            _read_until(sock, body, 64 * 1024)
        if reset:
            # SO_LINGER 0: close() sends RST instead of FIN, as a killed client would.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@pytest.mark.servers
def test_200_disconnects_leave_no_descriptor_open(server: Server) -> None:
    pids = worker_pids(server)
    for extra in REQUESTS.values():
        _hang_up(server.port, extra, mid_body=True, reset=False)
    assert wait_until(lambda: len({open_fds(pid) for pid in pids}) > 0)
    baseline = {pid: open_fds(pid) for pid in pids}

    kinds = list(REQUESTS.values())
    for number in range(200):
        _hang_up(server.port, kinds[number % 3], mid_body=number % 2 == 1, reset=number % 4 >= 2)

    def back_to_baseline() -> bool:
        return all(open_fds(pid) <= baseline[pid] for pid in pids)

    assert wait_until(back_to_baseline), {pid: (baseline[pid], open_fds(pid)) for pid in pids}
    assert worker_pids(server) == pids  # no worker died (and took its leaks with it)
    assert leaked_files(server) == []
    assert fetch_head(server.port, "/hardening/path/big.bin")[0] == 200


@pytest.mark.servers
def test_clients_leaving_before_an_async_view_returns_leave_nothing_open(server: Server) -> None:
    pids = worker_pids(server)
    baseline = {pid: open_fds(pid) for pid in pids}
    for number in range(100):
        with _connect(server.port) as sock:
            sock.sendall(_request("/hardening/apath/big.bin"))
            if number % 2:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    assert wait_until(lambda: all(open_fds(pid) <= baseline[pid] for pid in pids)), {
        pid: (baseline[pid], open_fds(pid)) for pid in pids
    }
    assert leaked_files(server) == []


@pytest.mark.servers
@pytest.mark.parametrize(
    "extra", [REQUESTS["whole file"], REQUESTS["multipart ranges"]], ids=["whole", "multipart"]
)
def test_a_file_truncated_while_served_cuts_the_connection(
    server: Server, module_root: Path, extra: str
) -> None:
    pids = worker_pids(server)
    baseline = {pid: open_fds(pid) for pid in pids}
    path = module_root / "shrinking.bin"
    path.write_bytes(b"x" * BIG)
    with _connect(server.port) as sock:
        # A second request pipelined behind the first: a server that took the
        # short body for a complete response would go on to answer it.
        sock.sendall(_request("/hardening/path/shrinking.bin", extra) + _request("/hardening/path/missing"))
        status, headers, body = _read_head(sock)
        body = _read_until(sock, body, 64 * 1024)
        os.truncate(path, 1024 * 1024)
        body = _read_to_close(sock, body)
    assert status in {200, 206}
    assert len(body) < int(headers["content-length"])
    assert b"HTTP/1.1 404" not in body
    assert wait_until(lambda: all(open_fds(pid) <= baseline[pid] for pid in pids)), {
        pid: (baseline[pid], open_fds(pid)) for pid in pids
    }
    assert leaked_files(server) == []


@pytest.mark.servers
def test_a_file_replaced_while_served_keeps_its_old_bytes_and_etag(server: Server, module_root: Path) -> None:
    path = module_root / "replaced.bin"
    old = b"old!" * (BIG // 4)
    path.write_bytes(old)
    old_etag = fetch_head(server.port, "/hardening/path/replaced.bin")[1]["etag"]
    with _connect(server.port) as sock:
        sock.sendall(_request("/hardening/path/replaced.bin"))
        status, headers, body = _read_head(sock)
        body = _read_until(sock, body, 64 * 1024)
        replacement = module_root / "replaced.tmp"
        replacement.write_bytes(b"new" * 1000)
        os.replace(replacement, path)
        body = _read_until(sock, body, len(old))
    assert status == 200
    assert headers["etag"] == old_etag
    assert headers["content-length"] == str(len(old))
    assert body == old
    new_status, new_headers = fetch_head(server.port, "/hardening/path/replaced.bin")
    assert new_status == 200
    assert new_headers["content-length"] == "3000"
    assert new_headers["etag"] != old_etag
