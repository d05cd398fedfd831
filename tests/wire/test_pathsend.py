"""dlshortcuts.asgi under real servers: Granian (pathsend) and uvicorn (no pathsend).

Granian offers ``http.response.pathsend``: a whole file leaves Python and
Granian reads it from disk; every other answer keeps Django's async body.
Each answer is compared, status, headers and bytes, with the one uvicorn
gives for the same request through Django's own ``ASGIHandler``; uvicorn
offers no pathsend, and there dlshortcuts' application must answer exactly
as Django's does. tests/test_asgi.py shows the messages themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers import Server, start_granian, start_uvicorn
from tests.servers import TIMEOUT, fetch
from tests.urls import FILES_ROOT_ENV

pytestmark = pytest.mark.servers

CONTENT = os.urandom(3 * 1024 * 1024 + 17)
APP = "dlshortcuts.asgi:get_asgi_application"
# Headers each server adds of its own accord, and the multipart boundary.
SERVER_OWN = {"date", "server", "transfer-encoding"}


@pytest.fixture(scope="module")
def files_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("files")
    (root / "data.bin").write_bytes(CONTENT)
    return root


@pytest.fixture(scope="module")
def servers(files_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """Granian and uvicorn running dlshortcuts' application, uvicorn running Django's."""
    logs = tmp_path_factory.mktemp("logs")
    env = {FILES_ROOT_ENV: str(files_root), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    with (
        start_granian(APP, logs / "granian.log", env=env, factory=True, start_timeout=TIMEOUT) as granian,
        start_uvicorn(APP, logs / "uvicorn.log", env=env, factory=True, start_timeout=TIMEOUT) as uvicorn,
        start_uvicorn(
            "tests.asgi:application", logs / "django.log", env=env, start_timeout=TIMEOUT
        ) as django,
    ):
        yield {"granian": granian, "uvicorn": uvicorn, "django": django}


def answer(
    server: Server, path: str, method: str = "GET", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    response, body = fetch(server, path, method, {name.replace("_", "-"): v for name, v in headers.items()})
    fields = {name.lower(): value for name, value in response.getheaders() if name.lower() not in SERVER_OWN}
    return response.status, fields, body


def test_whole_file_under_granian(servers: dict[str, Server], files_root: Path) -> None:
    status, headers, body = answer(servers["granian"], "/files/data.bin")
    stat = (files_root / "data.bin").stat()
    assert status == 200
    assert headers == {
        "content-type": "application/octet-stream",
        "content-disposition": 'attachment; filename="data.bin"',
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-cache",
        "last-modified": headers["last-modified"],
        "etag": f'"{stat.st_size:x}-{round(stat.st_mtime_ns / 1e9 * 1e6):x}"',  # as engine/headers.py
        "accept-ranges": "bytes",
        "content-length": str(len(CONTENT)),
    }
    assert body == CONTENT
    assert (status, headers, body) == answer(servers["django"], "/files/data.bin")


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        ("/files/data.bin", "GET", {}),
        ("/async/files/data.bin", "GET", {}),
        ("/files/data.bin", "HEAD", {}),
        ("/files/data.bin", "GET", {"Range": "bytes=100-1099"}),
        ("/files/data.bin", "GET", {"Range": "bytes=-10"}),
        ("/files/data.bin", "GET", {"Range": "bytes=99999999-"}),
        ("/files/missing.bin", "GET", {}),
        ("/report/1999.csv", "GET", {}),
        ("/async/report/1999.csv", "GET", {}),
    ],
)
@pytest.mark.parametrize("name", ["granian", "uvicorn"])
def test_every_answer_is_djangos(
    servers: dict[str, Server], name: str, path: str, method: str, headers: dict[str, str]
) -> None:
    """Status, headers and bytes as Django's own handler gives them (under uvicorn)."""
    ours = answer(servers[name], path, method, **headers)
    django = answer(servers["django"], path, method, **headers)
    if "content-length" not in django[1]:
        # Django's own 404 page has no Content-Length: uvicorn chunks it,
        # Granian counts it (the framing is each server's).
        ours[1].pop("content-length", None)
    assert ours == django


@pytest.mark.parametrize("name", ["granian", "uvicorn"])
def test_not_modified(servers: dict[str, Server], name: str) -> None:
    _, headers, _ = answer(servers[name], "/files/data.bin", "HEAD")
    status, fresh, body = answer(servers[name], "/files/data.bin", If_None_Match=headers["etag"])
    assert (status, body) == (304, b"")
    assert fresh["etag"] == headers["etag"]
    assert "content-length" not in fresh or fresh["content-length"] == "0"
