"""Faults upstream: serve_url and S3 bodies that fail mid-stream, under gunicorn.

Whatever the upstream does after the first bytes (stall past the read
timeout, reset the connection, end before its Content-Length, or S3 going
away altogether), the client must see a cut connection: fewer bytes than
the Content-Length it was promised and the server closing the connection,
never a short body presented as a complete download. Afterwards the worker
holds no thread, descriptor or upstream socket more than before.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from servers import BIN, Server, free_port, start_server
from servers import start_gunicorn as launch_gunicorn
from tests.app_servers import open_fds, parse_head, wait_until, worker_pids
from tests.s3server import CREDENTIALS
from tests.upstream import DATA, Upstream, serve_upstream
from tests.urls_remote import UPSTREAM_VARIABLE

pytestmark = pytest.mark.servers

#: How many clients meet each fault at once (gunicorn runs four threads).
CLIENTS = 4


@dataclass(frozen=True)
class Answer:
    """What a client got: the status, the promised length and the body bytes that came.

    A status of 0: the server closed the connection before any response,
    which gunicorn does when the body fails before its first write.
    """

    status: int
    length: int | None
    received: int

    @property
    def cut(self) -> bool:
        """Whether the client can tell the download failed: no response, or a body short of its length."""
        return self.status == 0 or (
            self.status == 200 and self.length is not None and self.received < self.length
        )


def download(port: int, path: str) -> Answer:
    """GET ``path`` with a keep-alive HTTP/1.1 request and read until the server closes.

    A server that took a short body for a complete response would keep the
    connection open for the next request: the read would time out instead.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        data = bytearray()
        try:
            while chunk := sock.recv(1 << 16):
                data += chunk
        except ConnectionResetError:
            pass  # cut with a reset rather than a FIN: cut all the same
    return answer(bytes(data))


def answer(data: bytes) -> Answer:
    """The answer ``data`` (everything received) holds."""
    if not data:
        return Answer(0, None, 0)
    head, _, body = data.partition(b"\r\n\r\n")
    status, headers = parse_head(head + b"\r\n\r\n")
    length = headers.get("content-length")
    return Answer(status, None if length is None else int(length), len(body))


def concurrently(port: int, path: str) -> list[Answer]:
    """:func:`download` by CLIENTS clients at once."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(lambda _: download(port, path), range(CLIENTS)))


def threads(pid: int) -> int:
    """How many threads ``pid`` runs."""
    return len(os.listdir(f"/proc/{pid}/task"))


def sockets_to(pid: int, port: int) -> int:
    """How many of ``pid``'s sockets are TCP connections to ``port`` on loopback."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    count = 0
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].split(":")[1], 16) == port and fields[9] in inodes:
            count += 1
    return count


@dataclass(frozen=True)
class Worker:
    """What a gunicorn worker holds: descriptors, threads, sockets to one port."""

    pid: int
    port: int

    def holdings(self) -> tuple[int, int, int]:
        return open_fds(self.pid), threads(self.pid), sockets_to(self.pid, self.port)

    def back_to(self, baseline: tuple[int, int, int]) -> bool:
        return all(now <= before for now, before in zip(self.holdings(), baseline, strict=True))


def start_gunicorn(environment: dict[str, str], log: Path) -> Server:
    """One gthread worker with four threads, as in production behind a proxy."""
    return launch_gunicorn(
        "tests.wsgi:application",
        log,
        env=environment,
        worker_class="gthread",
        threads=4,
        timeout=60,
        graceful_timeout=2,
    )


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with serve_upstream({"file.bin": DATA}) as server:
        yield server


@pytest.fixture(scope="module")
def remote_app(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    environment = {UPSTREAM_VARIABLE: upstream.url, "DJANGO_SETTINGS_MODULE": "tests.settings_remote"}
    server = start_gunicorn(environment, tmp_path_factory.mktemp("remote") / "gunicorn.log")
    yield server
    server.stop()


# tests/urls_remote.py gives serve_url a 5 s read timeout: a stall costs 5 s.
FAULTS = ["stall", "reset", "short"]


@pytest.mark.parametrize("fault", FAULTS)
def test_upstream_failing_mid_body_cuts_the_client_and_leaves_nothing(
    remote_app: Server, upstream: Upstream, fault: str
) -> None:
    (pid,) = worker_pids(remote_app)
    worker = Worker(pid, upstream.port)
    # Complete downloads first, as many at once as the faults: imports,
    # gunicorn's thread pool and the pooled upstream connections all exist
    # before the baseline is taken. The pool starts a thread only when all
    # it has are busy, and quick downloads may share three: four slow
    # answers at once start the fourth, which a stall would otherwise start.
    slow = concurrently(remote_app.port, "/proxy/slow_headers/x?delay=0.5")
    assert slow == [Answer(200, 4, 4)] * CLIENTS
    assert threads(pid) == 1 + CLIENTS  # the main thread and the full pool
    whole = Answer(200, len(DATA), len(DATA))
    assert concurrently(remote_app.port, "/proxy/files/file.bin") == [whole] * CLIENTS
    baseline = worker.holdings()

    answers = concurrently(remote_app.port, f"/proxy/{fault}/x")

    assert [answer.cut for answer in answers] == [True] * CLIENTS, answers
    assert wait_until(lambda: worker.back_to(baseline)), (baseline, worker.holdings())
    # The worker is the same process, still serving.
    assert worker_pids(remote_app) == [pid], remote_app.log.read_text(errors="replace")
    assert download(remote_app.port, "/proxy/files/file.bin") == whole


#: Big enough to outlast every buffer between moto, gunicorn and the client.
S3_SIZE = 48 * 1024 * 1024


@pytest.fixture
def moto(tmp_path: Path) -> Iterator[Server]:
    """moto's S3 server in a process of its own, so that the test can stop it mid-stream."""
    port = free_port()
    argv = [str(BIN / "python"), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    server = start_server(argv, port, tmp_path / "moto.log")
    yield server
    server.stop()


@pytest.mark.timeout(180)  # 48 MiB through moto's server and gunicorn
def test_s3_going_away_mid_stream_cuts_the_client_and_leaves_nothing(moto: Server, tmp_path: Path) -> None:
    bucket = f"faults-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=moto.url,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    )
    try:
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="reports/q1.bin", Body=os.urandom(S3_SIZE))
    finally:
        s3.close()
    environment = {
        "DJANGO_SETTINGS_MODULE": "tests.settings_storage",
        "DLSHORTCUTS_TEST_PRIVATE_ROOT": str(tmp_path),
        "DLSHORTCUTS_TEST_S3_ENDPOINT": moto.url,
        "DLSHORTCUTS_TEST_S3_BUCKET": bucket,
    }
    app = start_gunicorn(environment, tmp_path / "gunicorn.log")
    try:
        # Answered first: the worker has booted, and has connected to S3 once.
        assert download(app.port, "/s3/missing.bin").status == 404
        (pid,) = worker_pids(app)
        worker = Worker(pid, moto.port)
        baseline = worker.holdings()

        with socket.create_connection(("127.0.0.1", app.port), timeout=30) as sock:
            sock.sendall(b"GET /s3/reports/q1.bin HTTP/1.1\r\nHost: t\r\n\r\n")
            data = bytearray(sock.recv(1 << 20))
            while len(data) < 1 << 20:
                data += sock.recv(1 << 20)
            moto.stop()  # S3 goes away while the client holds the rest of the body back
            try:
                while chunk := sock.recv(1 << 16):
                    data += chunk
            except ConnectionResetError:
                pass
        got = answer(bytes(data))
        assert (got.status, got.length) == (200, S3_SIZE)
        assert got.cut, got

        assert wait_until(lambda: worker.back_to(baseline)), (baseline, worker.holdings())
        assert worker_pids(app) == [pid], app.log.read_text(errors="replace")
    finally:
        app.stop()
