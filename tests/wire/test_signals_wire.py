"""download_finished as real servers report it: gunicorn (sendfile(2), and its read path), uvicorn, nginx.

The receivers run in the server (tests.urls_signals) and append what they
were sent to a file the test reads. A client reads a large file up to a
random point and hangs up; ``bytes_sent`` must lie within the documented
bound of what it read (docs/signals.rst): never more than the kernel's
socket buffers above it (the sender's send buffer, at most ``tcp_wmem``'s
maximum, plus the client's receive buffer) and one part of the body (what
an ASGI server or a relay holds in hand), never more than one part below it
(a WSGI server's write that failed half-way is not counted).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
import pytest
import requests

from dlshortcuts.offload.config import render_proxy_config
from servers import Server, start_gunicorn, start_uvicorn
from servers.proxies import start_proxy
from tests.upstream import Upstream, serve_upstream

pytestmark = pytest.mark.servers

MIB = 1024 * 1024
SIZE = 64 * MIB
REMOTE_SIZE = 8 * MIB
GENERATED_SIZE = 32 * MIB  # tests/urls_signals.py: 512 blocks of 64 KiB
#: The largest part of a body a server holds in hand (serve_url relays 1 MiB blocks).
PART = MIB
#: The client's receive buffer, fixed so that the kernel does not grow it.
CLIENT_RCVBUF = 128 * 1024
SEND_BUFFER_MAX = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
# Where the clients hang up: seeded, so a failure can be replayed.
POINTS = sorted(random.Random(14).sample(range(MIB, 24 * MIB), 3))


@dataclass(frozen=True)
class App:
    name: str
    server: Server
    log: Path
    files: str  # the URL prefix of the file view: sync under WSGI, async under ASGI
    remote: str

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"


@pytest.fixture(scope="module")
def signals_dir() -> Iterator[Path]:
    # Not tmp_path: nginx's workers (nobody, when the tests run as root) read the files.
    directory = Path(tempfile.mkdtemp(prefix="dlshortcuts-signals-"))
    directory.chmod(0o755)
    (directory / "files" / "protected").mkdir(parents=True)
    (directory / "files").chmod(0o755)
    (directory / "files" / "protected").chmod(0o755)
    (directory / "files" / "data.bin").write_bytes(os.urandom(SIZE))
    (directory / "files" / "protected" / "hello.bin").write_bytes(b"offloaded " * 100_000)
    yield directory
    shutil.rmtree(directory)


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with serve_upstream({"data.bin": os.urandom(REMOTE_SIZE)}) as server:
        yield server


def _environment(signals_dir: Path, upstream: Upstream, name: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tests.settings_signals",
        "DLSHORTCUTS_SIGNALS_DIR": str(signals_dir),
        "DLSHORTCUTS_SIGNALS_LOG": str(signals_dir / f"{name}.jsonl"),
        "DLSHORTCUTS_SIGNALS_UPSTREAM": upstream.url,
    }


def _start(name: str, signals_dir: Path, upstream: Upstream) -> Server:
    env = _environment(signals_dir, upstream, name)
    log = signals_dir / f"{name}.log"
    if name == "uvicorn":
        return start_uvicorn("tests.asgi:application", log, env=env)
    if name == "gunicorn-read":
        # gunicorn without sendfile(2) reads wsgi.file_wrapper's file in blocks.
        env["GUNICORN_CMD_ARGS"] = "--no-sendfile"
    return start_gunicorn(
        "tests.wsgi:application", log, env=env, worker_class="gthread", threads=4, timeout=60
    )


@pytest.fixture(scope="module", params=["gunicorn", "gunicorn-read", "uvicorn"])
def app(request: pytest.FixtureRequest, signals_dir: Path, upstream: Upstream) -> Iterator[App]:
    name: str = request.param
    with _start(name, signals_dir, upstream) as server:
        asgi = name == "uvicorn"
        yield App(
            name,
            server,
            signals_dir / f"{name}.jsonl",
            "/signals/afiles/" if asgi else "/signals/files/",
            "/signals/aremote/" if asgi else "/signals/remote/",
        )


def _records(log: Path, path: str) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    return [line for line in lines if line["path"] == path]


def finished(app: App, path: str, timeout: float = 20) -> dict[str, Any]:
    """The one download_finished the server sent for ``path`` (waited for)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = _records(app.log, path)
        if any(record["signal"] == "finished" for record in records):
            time.sleep(0.2)  # a second one would come now: there must be none
            records = [record for record in _records(app.log, path) if record["signal"] == "finished"]
            assert len(records) == 1, records
            return records[0]
        time.sleep(0.05)
    raise AssertionError(f"no download_finished for {path} within {timeout}s:\n{app.server.log.read_text()}")


def started(app: App, path: str) -> int:
    return sum(record["signal"] == "started" for record in _records(app.log, path))


def read_then_hang_up(app: App, path: str, limit: int) -> int:
    """GET ``path`` (HTTP/1.0, no chunking), read ``limit`` body bytes, then close: the body bytes read."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, CLIENT_RCVBUF)
        sock.settimeout(30)
        sock.connect(("127.0.0.1", app.server.port))
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: t\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        assert head.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")), head
        read = len(body)
        while read < limit:
            chunk = sock.recv(min(65536, limit - read))
            if not chunk:
                break
            read += len(chunk)
        # Unread bytes in the receive buffer make Linux answer the close with a reset.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    return read


#: Django 5.0's ASGI handler listens for http.disconnect and stops the body;
#: 4.2's goes on handing every block to the server, which drops them.
ASGI_SEES_DISCONNECT = django.VERSION >= (5, 0)


def assert_within_bound(app: App, record: dict[str, Any], read: int, size: int) -> None:
    if app.name == "uvicorn" and not ASGI_SEES_DISCONNECT:
        # Nothing tells the body the client left: all of it was handed over
        # (docs/signals.rst says so for Django 4.2).
        assert (record["bytes_sent"], record["complete"], record["offloaded"]) == (size, True, False)
        return
    rcvbuf = 2 * CLIENT_RCVBUF  # the kernel doubles what was asked (socket(7))
    assert record["complete"] is False
    assert record["offloaded"] is False
    sent = record["bytes_sent"]
    assert read - PART <= sent <= read + SEND_BUFFER_MAX + rcvbuf + PART, (sent, read)
    assert sent < size


def test_a_whole_file_is_reported_complete(app: App) -> None:
    path = f"{app.files}data.bin?whole"
    response = requests.get(app.url(path), timeout=30)
    assert response.status_code == 200
    assert len(response.content) == SIZE
    record = finished(app, path)
    assert (record["status"], record["bytes_sent"], record["complete"], record["offloaded"]) == (
        200,
        SIZE,
        True,
        False,
    )
    assert started(app, path) == 1


@pytest.mark.parametrize("point", POINTS)
def test_a_disconnect_reports_what_was_sent_within_the_bound(app: App, point: int) -> None:
    path = f"{app.files}data.bin?hang-up-at={point}"
    read = read_then_hang_up(app, path, point)
    assert read == point
    assert_within_bound(app, finished(app, path), read, SIZE)


def test_a_range_is_reported_with_its_length(app: App) -> None:
    path = f"{app.files}data.bin?range"
    response = requests.get(app.url(path), headers={"Range": "bytes=1000-1999999"}, timeout=30)
    assert response.status_code == 206
    assert len(response.content) == 1999000
    record = finished(app, path)
    assert (record["status"], record["bytes_sent"], record["complete"]) == (206, 1999000, True)


def test_head_and_304_send_nothing_and_are_complete(app: App) -> None:
    head_path = f"{app.files}data.bin?head"
    head = requests.head(app.url(head_path), timeout=30)
    assert head.status_code == 200
    record = finished(app, head_path)
    assert (record["method"], record["status"], record["bytes_sent"], record["complete"]) == (
        "HEAD",
        200,
        0,
        True,
    )
    cached_path = f"{app.files}data.bin?cached"
    cached = requests.get(app.url(cached_path), headers={"If-None-Match": head.headers["ETag"]}, timeout=30)
    assert cached.status_code == 304
    record = finished(app, cached_path)
    assert (record["status"], record["bytes_sent"], record["complete"]) == (304, 0, True)
    assert started(app, head_path) == started(app, cached_path) == 0


def test_serve_generated_whole_and_cut(app: App) -> None:
    whole = "/signals/generated.bin?whole"
    response = requests.get(app.url(whole), timeout=30)
    assert len(response.content) == GENERATED_SIZE
    record = finished(app, whole)
    assert (record["bytes_sent"], record["complete"]) == (GENERATED_SIZE, True)
    cut = "/signals/generated.bin?cut"
    read = read_then_hang_up(app, cut, 3 * MIB)
    assert_within_bound(app, finished(app, cut), read, GENERATED_SIZE)


def test_serve_url_whole_and_cut(app: App) -> None:
    whole = f"{app.remote}data.bin?whole"
    response = requests.get(app.url(whole), timeout=30)
    assert len(response.content) == REMOTE_SIZE
    record = finished(app, whole)
    assert (record["status"], record["bytes_sent"], record["complete"]) == (200, REMOTE_SIZE, True)
    cut = f"{app.remote}data.bin?cut"
    read = read_then_hang_up(app, cut, 2 * MIB)
    assert_within_bound(app, finished(app, cut), read, REMOTE_SIZE)


def test_an_offloaded_download_behind_nginx_is_reported_offloaded(
    signals_dir: Path, upstream: Upstream, tmp_path: Path
) -> None:
    with _start("gunicorn-offload", signals_dir, upstream) as gunicorn:
        locations = [{"root": str(signals_dir / "files" / "protected"), "url": "/_protected/"}]
        site = render_proxy_config("nginx", locations, upstream=f"127.0.0.1:{gunicorn.port}")
        with start_proxy("nginx", signals_dir / "nginx", site) as nginx:
            app = App("nginx", nginx, signals_dir / "gunicorn-offload.jsonl", "", "")
            path = "/signals/protected/hello.bin?offloaded"
            response = requests.get(app.url(path), timeout=30)
            assert response.status_code == 200
            assert response.content == b"offloaded " * 100_000
            assert "X-Accel-Redirect" not in response.headers
            record = finished(app, path)
            assert (record["status"], record["bytes_sent"], record["complete"], record["offloaded"]) == (
                200,
                None,
                None,
                True,
            )
            assert started(app, path) == 0
