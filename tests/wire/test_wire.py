"""Real servers, real clients: gunicorn (WSGI, 2 sync workers) and uvicorn (ASGI).

The servers run the URLconf in tests/urls.py on loopback ports, serving a
temporary files root; the tests drive them with curl, wget and http.client.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.http import HttpRequest

from servers import Server, start_gunicorn, start_uvicorn
from tests.servers import fetch
from tests.urls import FILES_ROOT_ENV, million_rows

pytestmark = pytest.mark.servers

RESUMABLE = os.urandom(3 * 1024 * 1024 + 12345)
CV = b"%PDF-1.4\n" + os.urandom(4000)
LARGE_SIZE = 200 * 1024 * 1024
TIMEOUT = 60


@pytest.fixture(scope="module")
def files_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("files")
    (root / "data.bin").write_bytes(RESUMABLE)
    (root / "cv.pdf").write_bytes(CV)
    with open(root / "large.bin", "wb") as large:
        large.truncate(LARGE_SIZE)  # sparse: no disk, same bytes on the wire
    return root


def _start(kind: str, root: Path, tmp: Path) -> Server:
    # No .pyc writes: the I/O accounting below must see the response's bytes only.
    env = {FILES_ROOT_ENV: str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    log = tmp / f"{kind}.log"
    if kind == "gunicorn":
        return start_gunicorn(
            "tests.wsgi:application", log, env=env, workers=2, timeout=60, tmp_dir=tmp, start_timeout=TIMEOUT
        )
    # ResourceWarning shown: a file closed by the garbage collector, not by us, lands in the log.
    options = ["-W", "always::ResourceWarning"]
    return start_uvicorn(
        "tests.asgi:application", log, env=env, python_options=options, start_timeout=TIMEOUT
    )


@pytest.fixture(scope="module")
def gunicorn(files_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = _start("gunicorn", files_root, tmp_path_factory.mktemp("gunicorn"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def uvicorn(files_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = _start("uvicorn", files_root, tmp_path_factory.mktemp("uvicorn"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(params=["gunicorn", "uvicorn"])
def server(request: pytest.FixtureRequest) -> Server:
    running: Server = request.getfixturevalue(request.param)
    return running


def run(argv: list[str], cwd: Path) -> None:
    subprocess.run(argv, cwd=cwd, check=True, timeout=TIMEOUT, capture_output=True)


def test_curl_resumes_a_half_downloaded_file(server: Server, tmp_path: Path) -> None:
    url = f"{server.url}/files/data.bin"
    half = len(RESUMABLE) // 2
    target = tmp_path / "data.bin"
    run(["curl", "--fail", "--silent", "--range", f"0-{half - 1}", "--output", str(target), url], tmp_path)
    assert target.stat().st_size == half
    run(["curl", "--fail", "--silent", "--continue-at", "-", "--output", str(target), url], tmp_path)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == hashlib.sha256(RESUMABLE).hexdigest()


def test_wget_saves_the_non_ascii_name(server: Server, tmp_path: Path) -> None:
    run(["wget", "--quiet", "--content-disposition", f"{server.url}/cv"], tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["naïve résumé.pdf"]
    assert (tmp_path / "naïve résumé.pdf").read_bytes() == CV


def test_curl_uses_the_ascii_fallback(server: Server, tmp_path: Path) -> None:
    # curl -J reads filename= only: the ASCII fallback is what it saves.
    run(["curl", "--fail", "--silent", "--remote-name", "--remote-header-name", f"{server.url}/cv"], tmp_path)
    assert (tmp_path / "naive resume.pdf").read_bytes() == CV


@pytest.mark.parametrize("path", ["/files/cv.pdf", "/async/files/cv.pdf"])
def test_get_and_head(server: Server, path: str) -> None:
    response, body = fetch(server, path)
    assert response.status == 200
    assert body == CV
    head, head_body = fetch(server, path, "HEAD")
    assert head.status == 200
    assert head_body == b""
    for name in (
        "Content-Type",
        "Content-Length",
        "ETag",
        "Last-Modified",
        "Content-Disposition",
        "Accept-Ranges",
    ):
        assert head.getheader(name) == response.getheader(name)
    assert head.getheader("Content-Length") == str(len(CV))


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-0", 0, 1),
        ("bytes=100-", 100, 4009),
        ("bytes=-9", 4000, 4009),
        ("bytes=4000-99999", 4000, 4009),
    ],
)
def test_single_range(server: Server, header: str, start: int, stop: int) -> None:
    response, body = fetch(server, "/files/cv.pdf", headers={"Range": header})
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes {start}-{stop - 1}/{len(CV)}"
    assert response.getheader("Content-Length") == str(stop - start)
    assert body == CV[start:stop]


def test_multipart_ranges(server: Server) -> None:
    response, body = fetch(server, "/files/cv.pdf", headers={"Range": "bytes=0-3,10-19"})
    assert response.status == 206
    match = re.fullmatch(r"multipart/byteranges; boundary=(\w+)", response.getheader("Content-Type") or "")
    assert match is not None
    boundary = match.group(1).encode()
    assert response.getheader("Content-Length") == str(len(body))
    assert body == (
        b"--%s\r\nContent-Type: application/pdf\r\nContent-Range: bytes 0-3/4009\r\n\r\n%s\r\n"
        b"--%s\r\nContent-Type: application/pdf\r\nContent-Range: bytes 10-19/4009\r\n\r\n%s\r\n--%s--\r\n"
    ) % (boundary, CV[0:4], boundary, CV[10:20], boundary)


def test_unsatisfiable_and_conditional(server: Server) -> None:
    response, body = fetch(server, "/files/cv.pdf", headers={"Range": "bytes=5000-"})
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{len(CV)}"
    first, _ = fetch(server, "/files/cv.pdf", "HEAD")
    etag = first.getheader("ETag") or ""
    response, body = fetch(server, "/files/cv.pdf", headers={"If-None-Match": etag, "Range": "bytes=0-1"})
    assert response.status == 304
    assert body == b""
    assert response.getheader("ETag") == etag
    response, body = fetch(server, "/files/cv.pdf", headers={"If-Range": '"stale"', "Range": "bytes=0-1"})
    assert response.status == 200
    assert body == CV


@pytest.mark.parametrize("path", ["/report/2031.csv", "/async/report/2031.csv"])
def test_generated_csv(server: Server, path: str) -> None:
    response, body = fetch(server, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/csv; charset=utf-8"
    assert body == b"year,month,total\r\n" + b"".join(b"2031,%d,%d\r\n" % (m, 2031 * m) for m in range(1, 13))


def test_not_found(server: Server) -> None:
    for path in ("/files/../secret", "/files/%2e%2e/etc/passwd", "/files/missing"):
        response, _ = fetch(server, path)
        assert response.status == 404


# gunicorn: zero-copy. Linux task I/O accounting (/proc/PID/io) counts the
# bytes of sendfile(2) in both rchar and wchar, one syscr and one syscw per
# call (fs/read_write.c, do_sendfile); bytes written with send() to a socket
# never reach wchar. So "wchar == body length with a handful of read calls"
# means the body went out through sendfile, and the multipart control shows
# what the copying path looks like. A body of at most 64 KiB is read at once
# and sent with send(): rchar counts the read, wchar nothing.


def _workers_io(server: Server) -> dict[str, dict[str, int]]:
    """/proc/PID/io of each gunicorn worker, by pid."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    counters: dict[str, dict[str, int]] = {}
    for pid in children:
        lines = Path(f"/proc/{pid}/io").read_text().splitlines()
        counters[pid] = {name: int(value) for name, value in (line.split(":") for line in lines)}
    return counters


def _io_of(server: Server, path: str, headers: dict[str, str]) -> tuple[dict[str, int], bytes]:
    """The I/O counters one request costs the worker that served it."""
    # A worker's first request imports modules, which reads files: count a
    # request only on a worker that has served it before, and only when no
    # other worker read anything meanwhile. Which worker accepts is up to the
    # kernel, so repeat until one serves it a second time.
    warm: set[str] = set()
    for _ in range(100):
        before = _workers_io(server)
        response, body = fetch(server, path, headers=headers)
        after = _workers_io(server)
        assert response.status in {200, 206}
        grown = [pid for pid in after if pid in before and after[pid]["rchar"] > before[pid]["rchar"]]
        if len(grown) != 1 or after.keys() != before.keys():
            # Another worker read meanwhile (still booting, importing on its
            # first request): whose counters hold the body is unclear.
            continue
        (served,) = grown
        if served in warm:
            return {name: after[served][name] - before[served][name] for name in after[served]}, body
        warm.add(served)
    raise AssertionError("no worker served the request twice in 100 requests")


@pytest.mark.parametrize(
    ("header", "start", "stop"), [(None, 0, len(RESUMABLE)), ("bytes=1000-2999999", 1000, 3_000_000)]
)
def test_gunicorn_sends_files_and_single_ranges_with_sendfile(
    gunicorn: Server, header: str | None, start: int, stop: int
) -> None:
    delta, body = _io_of(gunicorn, "/files/data.bin", {"Range": header} if header else {})
    assert body == RESUMABLE[start:stop]
    assert delta["wchar"] == stop - start
    assert delta["syscr"] <= 8


@pytest.mark.parametrize(
    ("path", "header", "expected"),
    [
        ("/files/cv.pdf", None, CV),
        ("/files/data.bin", "bytes=1000-66535", RESUMABLE[1000:66536]),  # 64 KiB exactly
    ],
)
def test_gunicorn_writes_a_body_of_at_most_64_kib_after_one_read(
    gunicorn: Server, path: str, header: str | None, expected: bytes
) -> None:
    delta, body = _io_of(gunicorn, path, {"Range": header} if header else {})
    assert body == expected
    assert delta["wchar"] == 0  # sent with send(), not sendfile(2)
    assert delta["rchar"] >= len(expected)
    assert delta["syscr"] <= 2


def test_gunicorn_sendfiles_a_body_one_byte_over_64_kib(gunicorn: Server) -> None:
    delta, body = _io_of(gunicorn, "/files/data.bin", {"Range": "bytes=1000-66536"})
    assert body == RESUMABLE[1000:66537]
    assert delta["wchar"] == 65537


def test_gunicorn_multipart_is_copied_not_sendfiled(gunicorn: Server) -> None:
    delta, body = _io_of(gunicorn, "/files/data.bin", {"Range": "bytes=0-0,1000-2999999"})
    assert len(body) > 2_998_999
    assert delta["wchar"] == 0
    assert delta["syscr"] > 40  # one read per 64 KiB block


# uvicorn: flat memory and no leaked descriptor.


def _rss_kib(server: Server) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.MULTILINE)
    assert match is not None
    return int(match.group(1))


@pytest.mark.parametrize(
    # Each bound is well under the body's size: holding the body would break it.
    ("path", "size", "limit_mib"),
    [("/files/large.bin", LARGE_SIZE, 64), ("/rows.csv", None, 16)],
)
@pytest.mark.timeout(180)  # 200 MiB through uvicorn on a loaded CI machine
def test_uvicorn_streams_with_flat_memory(
    uvicorn: Server, path: str, size: int | None, limit_mib: int
) -> None:
    fetch(uvicorn, "/files/cv.pdf")  # warm up
    before = _rss_kib(uvicorn)
    connection = http.client.HTTPConnection("127.0.0.1", uvicorn.port, timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        received = 0
        peak = before
        while chunk := response.read(1024 * 1024):
            received += len(chunk)
            if received % (16 * 1024 * 1024) < len(chunk):
                peak = max(peak, _rss_kib(uvicorn))
    finally:
        connection.close()
    peak = max(peak, _rss_kib(uvicorn))
    rows_size: int = sum(len(row) for row in million_rows(HttpRequest()))  # ASCII rows
    assert received == (rows_size if size is None else size)
    assert peak - before < limit_mib * 1024, f"server RSS grew by {peak - before} KiB"
    # Django's fallback for sync iterators under ASGI is what holds whole bodies in memory.
    assert "synchronous iterators" not in uvicorn.log.read_text(errors="replace")


def _open_files(server: Server, name: str) -> list[str]:
    fd_dir = Path(f"/proc/{server.process.pid}/fd")
    found = []
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed while listing
            continue
        if target.endswith(name):
            found.append(target)
    return found


def test_uvicorn_client_disconnect_closes_the_file(uvicorn: Server) -> None:
    with socket.create_connection(("127.0.0.1", uvicorn.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET /files/large.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
        deadline = time.monotonic() + TIMEOUT
        while not _open_files(uvicorn, "/large.bin"):
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.01)
    deadline = time.monotonic() + TIMEOUT
    while _open_files(uvicorn, "/large.bin"):
        assert time.monotonic() < deadline, "large.bin still open after the client went away"
        time.sleep(0.05)
    assert "ResourceWarning" not in uvicorn.log.read_text(errors="replace")
