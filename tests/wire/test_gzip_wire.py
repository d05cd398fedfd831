"""A resumed download through GZip middleware under gunicorn, with curl -C - (issue 16)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers import Server, start_gunicorn

pytestmark = pytest.mark.servers

DATA = b"".join(b"%06d a line of text that compresses well\n" % n for n in range(20_000))


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gzip-media")
    (root / "log.txt").write_bytes(DATA)
    return root


def _serve(middleware: str, media: Path, log: Path) -> Server:
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings_gzip",
        "DLSHORTCUTS_GZIP_MIDDLEWARE": middleware,
        "DLSHORTCUTS_GZIP_ROOT": str(media),
    }
    return start_gunicorn("tests.wsgi:application", log, env=env)


@pytest.fixture(scope="module")
def ours(media: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = _serve("dlshortcuts.middleware.GZipMiddleware", media, tmp_path_factory.mktemp("logs") / "g.log")
    yield server
    server.stop()


def _resume(server: Server, tmp_path: Path) -> tuple[bytes, str]:
    out, head = tmp_path / "log.txt", tmp_path / "headers"
    out.write_bytes(DATA[:12_345])  # an interrupted download
    subprocess.run(
        [
            *("curl", "-sS", "-C", "-", "-H", "Accept-Encoding: gzip", "-D", str(head), "-o", str(out)),
            *("--max-time", "30", f"{server.url}/files/log.txt"),
        ],
        check=True,
        timeout=40,
    )
    return out.read_bytes(), head.read_text()


def test_a_resumed_download_is_byte_identical(ours: Server, tmp_path: Path) -> None:
    body, head = _resume(ours, tmp_path)
    assert body == DATA
    lines = {
        line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip()
        for line in head.splitlines()[1:]
        if ":" in line
    }
    assert head.startswith("HTTP/1.1 206")
    assert lines["content-range"] == f"bytes 12345-{len(DATA) - 1}/{len(DATA)}"
    assert lines["content-length"] == str(len(DATA) - 12_345)
    assert lines["etag"].startswith('"')
    assert "content-encoding" not in lines


def test_djangos_gzip_middleware_breaks_it(media: Path, tmp_path: Path) -> None:
    # The harm check W005 names: a gzip body under an identity Content-Range,
    # a weak ETag (If-Range never matches again), no Content-Length.
    server = _serve("django.middleware.gzip.GZipMiddleware", media, tmp_path / "d.log")
    try:
        _body, head = _resume(server, tmp_path)
    finally:
        server.stop()
    assert "content-length:" not in head.lower()
    assert "content-encoding: gzip" in head.lower()
    assert 'etag: w/"' in head.lower()
