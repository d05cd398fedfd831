"""@optimized_download proven through the real web servers (tests/proxy_servers.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.proxy_servers import PROXIES, start_app, start_proxy
from tests.servers import Server

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    # Not tmp_path: pytest's base directory is private to the user, and the
    # servers' workers (nobody, when the tests run as root) must read the files.
    directory = Path(tempfile.mkdtemp(prefix="dlshortcuts-proxies-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


@pytest.fixture(scope="module")
def files(scratch: Path) -> Path:
    directory = scratch / "files"
    for sub in ("protected", "elsewhere"):
        (directory / sub).mkdir(parents=True)
    (directory / "protected" / "hello.txt").write_bytes(b"hello\n")
    for path in directory.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    directory.chmod(0o755)
    return directory


@pytest.fixture(scope="module", params=PROXIES)
def proxy(request: pytest.FixtureRequest, scratch: Path, files: Path) -> Iterator[Server]:
    name: str = request.param
    workdir = scratch / name
    workdir.mkdir(mode=0o755)
    app = start_app(name, files, workdir)
    try:
        server = start_proxy(name, workdir / "server", app.port, "")
        yield server
        server.stop()
    finally:
        app.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_plain_view_is_proxied_untouched(proxy: Server, http: requests.Session) -> None:
    response = http.get(f"{proxy.url}/ping", timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain"
    assert response.content == b"pong"
