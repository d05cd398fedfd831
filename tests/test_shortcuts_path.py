"""serve_path: one-line urlpatterns, root containment, sync and async, WSGI and ASGI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.test import AsyncClient, Client, RequestFactory

from dlshortcuts import DownloadResponse, aserve_path, serve_path
from tests.reading import aread, consume, read
from tests.urls import FILES_ROOT_ENV

pytestmark = pytest.mark.urls("tests.urls")

SECRET = b"outside the root"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A files root beside a secret that must never be served."""
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "report.pdf").write_bytes(b"%PDF-1.4 report")
    (root / "sub" / "naïve résumé.pdf").write_bytes(b"%PDF-1.4 resume")
    (root / "~home.txt").write_bytes(b"tilde")
    (root / "100%.txt").write_bytes(b"percent")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (root / "escape").symlink_to(tmp_path / "secret.txt")
    (root / "escape-dir").symlink_to(tmp_path)
    (root / "inside").symlink_to(root / "report.pdf")
    os.mkfifo(root / "fifo")
    monkeypatch.setenv(FILES_ROOT_ENV, str(root))
    return root


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/files/report.pdf", b"%PDF-1.4 report"),
        ("/files/sub/na%C3%AFve%20r%C3%A9sum%C3%A9.pdf", b"%PDF-1.4 resume"),
        ("/files/~home.txt", b"tilde"),
        ("/files/100%25.txt", b"percent"),
        ("/files/inside", b"%PDF-1.4 report"),  # a symlink that stays inside the root
        ("/files/sub/../report.pdf", b"%PDF-1.4 report"),
    ],
)
def test_serves_files_under_root(client: Client, root: Path, url: str, body: bytes) -> None:
    response: Any = client.get(url)  # django-stubs types the test client's response too narrowly
    assert response.status_code == 200
    assert isinstance(response, DownloadResponse)
    assert read(response) == body


@pytest.mark.parametrize(
    "url",
    [
        "/files/missing.pdf",
        "/files/../secret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/sub/..%2f..%2fsecret.txt",
        "/files/%252e%252e/secret.txt",
        "/files//etc/passwd",
        "/files/report.pdf%00.txt",
        "/files/escape",  # a symlink resolving outside the root
        "/files/escape-dir/secret.txt",
        "/files/sub",  # directories
        "/files/sub/",
        "/files/fifo",  # opened non-blocking, refused: never hangs the worker
        "/files/report.pdf/",
    ],
)
def test_refuses_anything_else_with_404(client: Client, root: Path, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert SECRET not in response.content


@pytest.mark.parametrize(
    "path", ["../secret.txt", "/etc/passwd", "report.pdf\x00", "escape", "sub", "fifo", "", "."]
)
def test_http404_names_no_filesystem_path(rf: RequestFactory, root: Path, path: str) -> None:
    with pytest.raises(Http404) as raised:
        serve_path(rf.get("/"), path, root=root)
    assert str(raised.value) == "No such file."


def test_without_root_the_path_is_trusted(rf: RequestFactory, root: Path) -> None:
    response = serve_path(rf.get("/"), root.parent / "secret.txt")
    assert response.status_code == 200
    assert consume(response) == SECRET


def test_without_root_missing_and_special_files_are_404(rf: RequestFactory, root: Path) -> None:
    for path in (root / "missing", root / "sub", root / "fifo", "/dev/null"):
        with pytest.raises(Http404):
            serve_path(rf.get("/"), path)


def test_non_utf8_file_name_is_served(rf: RequestFactory, root: Path) -> None:
    raw = os.fsencode(root) + b"/caf\xe9.txt"
    with open(raw, "wb") as file:
        file.write(b"latin-1 name")
    response = serve_path(rf.get("/"), os.fsdecode(raw))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="caf.txt"'
    assert consume(response) == b"latin-1 name"


def test_options_in_urlpatterns(client: Client, root: Path) -> None:
    response = client.get("/inline/sub/na%C3%AFve%20r%C3%A9sum%C3%A9.pdf")
    assert response["Content-Disposition"] == (
        "inline; filename=\"naive resume.pdf\"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    response.close()


@pytest.mark.parametrize(
    ("method", "headers", "status", "body"),
    [
        ("get", {}, 200, b"%PDF-1.4 report"),
        ("head", {}, 200, b""),
        ("post", {}, 200, b"%PDF-1.4 report"),
        ("get", {"Range": "bytes=9-"}, 206, b"report"),
        ("get", {"Range": "bytes=100-"}, 416, b""),
    ],
)
def test_client(
    client: Client, root: Path, method: str, headers: dict[str, str], status: int, body: bytes
) -> None:
    response = getattr(client, method)("/files/report.pdf", headers=headers)
    assert response.status_code == status
    assert response["Content-Type"] == ("application/pdf" if status != 416 else "text/html; charset=utf-8")
    assert read(response) == body


@pytest.mark.parametrize("url", ["/files/report.pdf", "/async/files/report.pdf"])
@pytest.mark.parametrize(
    ("headers", "status", "body"),
    [
        ({}, 200, b"%PDF-1.4 report"),
        ({"Range": "bytes=0-3"}, 206, b"%PDF"),
        ({"Range": "bytes=0-0,2-2"}, 206, None),
    ],
)
async def test_async_client(
    async_client: AsyncClient, root: Path, url: str, headers: dict[str, str], status: int, body: bytes | None
) -> None:
    response: Any = await async_client.get(url, headers=headers)
    assert response.status_code == status
    assert response.is_async  # never Django's "must consume synchronous iterators" path
    content = await aread(response)
    if body is not None:
        assert content == body
    else:
        assert content.count(b"Content-Range: bytes ") == 2
    assert response["Content-Length"] == str(len(content))


@pytest.mark.parametrize("url", ["/files/report.pdf", "/async/files/report.pdf"])
async def test_async_client_head(async_client: AsyncClient, root: Path, url: str) -> None:
    response = await async_client.head(url)
    assert response.status_code == 200
    assert response["Content-Length"] == "15"
    assert response["ETag"].startswith('"f-')


async def test_async_client_not_found(async_client: AsyncClient, root: Path) -> None:
    for url in ("/async/files/../secret.txt", "/async/files/escape", "/async/files/fifo"):
        response = await async_client.get(url)
        assert response.status_code == 404


async def test_aserve_path_in_an_async_view(rf: RequestFactory, root: Path) -> None:
    response = await aserve_path(rf.get("/"), "report.pdf", root=root, filename="Q1.pdf")
    assert response["Content-Disposition"] == 'attachment; filename="Q1.pdf"'
    assert consume(response) == b"%PDF-1.4 report"
    with pytest.raises(Http404):
        await aserve_path(rf.get("/"), "../secret.txt", root=root)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"filname": "x"}, TypeError, "serve_path() got an unexpected keyword argument 'filname'"),
        ({"max_age": -1}, ValueError, "max_age must be a non-negative int of seconds, not -1"),
        ({"etag": 1}, TypeError, "etag must be True, False or a string, not 1"),
        ({"as_attachment": "no"}, TypeError, "as_attachment must be True or False, not 'no'"),
    ],
)
def test_misuse_raises_typeerror_or_valueerror(
    rf: RequestFactory, root: Path, options: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        serve_path(rf.get("/"), "report.pdf", root=root, **options)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_download_name_is_the_requested_one_not_the_symlink_target(client: Client, root: Path) -> None:
    response: Any = client.get("/files/inside")
    assert response["Content-Disposition"] == 'attachment; filename="inside"'
    assert read(response) == b"%PDF-1.4 report"
