"""serve_archive on the wire: curl resumes an archive cut anywhere, to the same bytes.

gunicorn (WSGI, 2 workers: a resumed request may land on the worker that
never saw the archive, which then reads the earlier members for their CRCs)
and uvicorn (ASGI, the async twin) serve tests/urls.py's
``archives/<folder>.zip``, whose members are the folder's files.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import socket
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers import Server, start_gunicorn, start_uvicorn
from tests.app_servers import leaked_files, open_fds, parse_head, resident_kib, wait_until, worker_pids
from tests.servers import fetch
from tests.urls import FILES_ROOT_ENV

pytestmark = pytest.mark.servers

TIMEOUT = 60
BIG_MEMBER = 64 * 1024 * 1024  # 16 of them: a 1 GiB archive
SIZES = [0, 1, 70_000, 3 * 1024 * 1024, 123_457, 5 * 1024 * 1024 + 3, 65_536, 2_000_000]


@pytest.fixture(scope="module")
def files_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("files")
    (root / "album").mkdir()
    for index, size in enumerate(SIZES):
        (root / "album" / f"{index:02d} photo é.jpg").write_bytes(os.urandom(size))
    (root / "big").mkdir()
    for index in range(16):
        with open(root / "big" / f"video-{index:02d}.mp4", "wb") as video:
            video.truncate(BIG_MEMBER)  # sparse: no disk, the same bytes on the wire
    return root


@pytest.fixture(scope="module", params=["gunicorn", "uvicorn"])
def server(
    request: pytest.FixtureRequest, files_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(request.param)
    env = {FILES_ROOT_ENV: str(files_root)}
    log = tmp / f"{request.param}.log"
    if request.param == "gunicorn":
        running = start_gunicorn(
            "tests.wsgi:application", log, env=env, workers=2, timeout=60, tmp_dir=tmp, start_timeout=TIMEOUT
        )
    else:
        # ResourceWarning shown: a member closed by the garbage collector lands in the log.
        options = ["-W", "always::ResourceWarning"]
        running = start_uvicorn(
            "tests.asgi:application", log, env=env, python_options=options, start_timeout=TIMEOUT
        )
    try:
        yield running
    finally:
        running.stop()


def _path(server: Server) -> str:
    # uvicorn runs the async twin, gunicorn the one-line urlpattern.
    return "/async/archives/album.zip" if "uvicorn" in str(server.log) else "/archives/album.zip"


def _curl(*argv: str, cwd: Path) -> None:
    subprocess.run(
        ["curl", "--fail", "--silent", *argv], cwd=cwd, check=True, timeout=TIMEOUT, capture_output=True
    )


def test_curl_resumes_an_archive_cut_anywhere_to_the_same_bytes(
    server: Server, files_root: Path, tmp_path: Path
) -> None:
    url = f"{server.url}{_path(server)}"
    _curl("--output", "full.zip", url, cwd=tmp_path)
    full = (tmp_path / "full.zip").read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(full))
    assert archive.testzip() is None
    assert {name: archive.read(name) for name in archive.namelist()} == {
        path.name: path.read_bytes() for path in (files_root / "album").iterdir()
    }
    expected = hashlib.sha256(full).hexdigest()
    # The first byte, inside a header, inside members' data, at a descriptor, in the directory, the last byte.
    second = full.index("01 photo é.jpg".encode()) + 10
    cuts = [1, second, len(full) // 3, len(full) // 2 + 7, len(full) - 300, len(full) - 1]
    for cut in cuts:
        target = tmp_path / f"cut-{cut}.zip"
        _curl("--range", f"0-{cut - 1}", "--output", str(target), url, cwd=tmp_path)
        assert target.stat().st_size == cut
        _curl("--continue-at", "-", "--output", str(target), url, cwd=tmp_path)
        assert hashlib.sha256(target.read_bytes()).hexdigest() == expected, cut


def test_head_answers_the_length_and_validators(server: Server) -> None:
    response, body = fetch(server, _path(server), method="HEAD")
    full_response, full = fetch(server, _path(server))
    assert response.status == 200
    assert body == b""
    assert response.getheader("Content-Length") == str(len(full))
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("ETag") == full_response.getheader("ETag")
    assert response.getheader("Content-Type") == "application/zip"


def _hang_up(server: Server, *, after: int, reset: bool) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        sock.sendall(f"GET {_path(server)} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        received = b""
        while b"\r\n\r\n" not in received or len(received) < after:
            chunk = sock.recv(65536)
            assert chunk, "closed early"
            received += chunk
        assert parse_head(received)[0] == 200
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


def test_clients_leaving_mid_archive_leave_no_descriptor_open(server: Server) -> None:
    pids = worker_pids(server)
    for _ in range(4):
        _hang_up(server, after=200_000, reset=False)
    assert wait_until(lambda: all(open_fds(pid) > 0 for pid in pids))
    baseline = {pid: open_fds(pid) for pid in pids}
    for number in range(40):
        _hang_up(server, after=(number * 997_331) % 9_000_000 + 1000, reset=number % 2 == 1)
    assert wait_until(lambda: all(open_fds(pid) <= baseline[pid] for pid in pids)), {
        pid: (baseline[pid], open_fds(pid)) for pid in pids
    }
    assert worker_pids(server) == pids
    assert leaked_files(server) == []


@pytest.mark.timeout(240)  # 1 GiB through Python on a loaded CI machine
def test_a_1_gib_archive_streams_with_flat_memory(server: Server) -> None:
    path = _path(server).replace("album", "big")
    fetch(server, _path(server))  # warm up
    pids = worker_pids(server)
    before = {pid: resident_kib(pid) for pid in pids}
    peak = dict(before)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        length = int(response.getheader("Content-Length") or 0)
        received = 0
        while chunk := response.read(1024 * 1024):
            received += len(chunk)
            if received % (64 * 1024 * 1024) < len(chunk):
                peak = {pid: max(peak[pid], resident_kib(pid)) for pid in pids}
    finally:
        connection.close()
    assert received == length > 16 * BIG_MEMBER
    growth = {pid: peak[pid] - before[pid] for pid in pids}
    assert max(growth.values()) < 32 * 1024, f"RSS grew by {growth} KiB"
    assert "synchronous iterators" not in server.log.read_text(errors="replace")


def test_a_member_shrinking_mid_archive_cuts_the_connection(server: Server, files_root: Path) -> None:
    folder = files_root / "shrinking"
    folder.mkdir(exist_ok=True)
    for name in ("a.bin", "b.bin"):
        (folder / name).write_bytes(os.urandom(16 * 1024 * 1024))
    path = _path(server).replace("album", "shrinking")
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        received = b""
        while b"\r\n\r\n" not in received or len(received) < 1024 * 1024:
            chunk = sock.recv(65536)
            assert chunk, "closed early"
            received += chunk
        status, headers = parse_head(received)
        assert status == 200
        with open(folder / "b.bin", "r+b") as member:
            member.truncate(1000)  # while a.bin is still being sent
        while chunk := _recv(sock):
            received += chunk
    body = received.split(b"\r\n\r\n", 1)[1]
    # Fewer bytes than promised, then the connection closed: never a short archive that looks whole.
    assert len(body) < int(headers["content-length"])


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(256 * 1024)
    except ConnectionResetError:
        return b""
