"""serve_url on the wire: gunicorn (WSGI) and uvicorn (ASGI) between a client and the upstream."""

from __future__ import annotations

import gzip
import hashlib
import socket
from collections.abc import Iterator

import django
import pytest
import requests

from servers import Server, start_gunicorn, start_uvicorn
from tests.upstream import DATA, ERROR_BODY, Upstream, serve_upstream
from tests.urls_remote import UPSTREAM_VARIABLE

pytestmark = pytest.mark.servers

#: Large enough to outlast every socket buffer between the upstream and the client.
BIG = DATA * 32


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with serve_upstream({"big.bin": BIG, "notes.txt": DATA}) as server:
        yield server


def _environment(upstream: Upstream) -> dict[str, str]:
    return {UPSTREAM_VARIABLE: upstream.url, "DJANGO_SETTINGS_MODULE": "tests.settings_remote"}


@pytest.fixture(scope="module")
def gunicorn(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_gunicorn(
        "tests.wsgi:application",
        tmp_path_factory.mktemp("gunicorn") / "log",
        env=_environment(upstream),
        worker_class="gthread",
        threads=4,
        graceful_timeout=2,
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def uvicorn(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("uvicorn") / "log"
    server = start_uvicorn("tests.asgi:application", log, env=_environment(upstream))
    yield server
    server.stop()


@pytest.fixture(params=["gunicorn", "uvicorn"])
def proxy(request: pytest.FixtureRequest) -> str:
    """The base URL of the sync view under gunicorn, or of the async view under uvicorn."""
    server: Server = request.getfixturevalue(request.param)
    return f"{server.url}/{'proxy' if request.param == 'gunicorn' else 'aproxy'}"


def test_whole_file_arrives_intact(proxy: str) -> None:
    with requests.get(f"{proxy}/files/big.bin", timeout=30) as response:
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == hashlib.sha256(BIG).hexdigest()
        assert response.headers["Content-Length"] == str(len(BIG))
        assert response.headers["Content-Disposition"] == 'attachment; filename="big.bin"'


def test_range_arrives_as_206(proxy: str) -> None:
    headers = {"Range": "bytes=100000-100009"}
    with requests.get(f"{proxy}/files/big.bin", headers=headers, timeout=30) as response:
        assert response.status_code == 206
        assert response.content == BIG[100000:100010]
        assert response.headers["Content-Range"] == f"bytes 100000-100009/{len(BIG)}"


def test_gzip_arrives_encoded_with_its_length(proxy: str) -> None:
    compressed = gzip.compress(DATA, mtime=0)
    with requests.get(
        f"{proxy}/gzip/notes.txt", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30
    ) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Content-Length"] == str(len(compressed))
        assert response.raw.read(decode_content=False) == compressed


def test_hop_by_hop_fields_do_not_reach_the_client(proxy: str) -> None:
    with requests.get(f"{proxy}/hop/x", timeout=30) as response:
        assert response.content == b"hop"
        received = {name.lower() for name in response.headers}
    leaked = received & {
        "x-hop-listed",
        "keep-alive",
        "proxy-authenticate",
        "trailer",
        "upgrade",
        "set-cookie",
        "x-internal",
    }
    assert leaked == set()


@pytest.mark.parametrize(("status", "expected"), [(404, 404), (410, 404), (500, 502), (403, 502)])
def test_upstream_errors_are_mapped_without_their_body(proxy: str, status: int, expected: int) -> None:
    with requests.get(f"{proxy}/status/{status}", timeout=30) as response:
        assert response.status_code == expected
        assert ERROR_BODY not in response.content


def test_client_hanging_up_closes_the_upstream_connection(proxy: str, upstream: Upstream) -> None:
    if proxy.endswith("/aproxy") and django.VERSION < (5, 0):
        pytest.skip("Django 4.2's ASGI handler does not notice a client that hangs up (5.0 does)")
    upstream.hung_up.clear()
    host, port = proxy.removeprefix("http://").split("/")[0].split(":")
    path = "/" + proxy.split("/", 3)[3] + "/endless/x"
    with socket.create_connection((host, int(port)), timeout=10) as client:
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        received = 0
        while received < 4 << 20:
            received += len(client.recv(1 << 16))
    assert upstream.hung_up.wait(20)
