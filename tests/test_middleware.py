"""OptimizedDownloadMiddleware through the test client, sync and async."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client, RequestFactory
from pytest_django.fixtures import Settings

from dlshortcuts.middleware import OptimizedDownloadMiddleware
from dlshortcuts.offload.offloader import OFFLOAD_ATTRIBUTE, Offloader

pytestmark = pytest.mark.urls("tests.urls_optimized")

MIDDLEWARE = "dlshortcuts.middleware.OptimizedDownloadMiddleware"


@pytest.fixture
def private(tmp_path: Path, settings: Settings) -> Path:
    root = tmp_path / "private"
    root.mkdir()
    (root / "a.pdf").write_bytes(b"%PDF-1.4\n")
    settings.OFFLOAD_TEST_ROOT = root
    settings.MIDDLEWARE = [MIDDLEWARE]
    settings.DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": [{"root": str(root), "url": "/_protected/"}]}
    return root


def test_sync_view(client: Client, private: Path) -> None:
    response = client.get("/plain/a.pdf", HTTP_RANGE="bytes=0-1", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == "/_protected/a.pdf"
    assert response.headers["Content-Type"] == "application/pdf"
    assert "Content-Length" not in response.headers
    assert b"".join(response.streaming_content) == b""  # type: ignore[attr-defined]
    response.close()


async def test_async_view(async_client: AsyncClient, private: Path) -> None:
    response = await async_client.get("/async/a.pdf")
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == "/_protected/a.pdf"
    assert [chunk async for chunk in response.streaming_content] == []  # type: ignore[attr-defined]


async def test_sync_view_under_asgi(async_client: AsyncClient, private: Path) -> None:
    response = await async_client.get("/plain/a.pdf")
    assert response.headers["X-Accel-Redirect"] == "/_protected/a.pdf"
    assert [chunk async for chunk in response.streaming_content] == []  # type: ignore[attr-defined]


def test_decorator_arguments_win(client: Client, private: Path) -> None:
    response = client.get("/decorated/a.pdf")
    assert "X-Accel-Redirect" not in response.headers
    assert response.headers["X-Sendfile"] == f"{private.resolve()}/a.pdf"
    response.close()


def test_generated_content_is_streamed(client: Client, private: Path) -> None:
    response = client.get("/generated.csv")
    assert "X-Accel-Redirect" not in response.headers
    assert b"".join(response.streaming_content) == b"a,b\n"  # type: ignore[attr-defined]


def test_without_backend_nothing_changes(client: Client, private: Path, settings: Settings) -> None:
    settings.DLSHORTCUTS = {}
    response = client.get("/plain/a.pdf")
    assert "X-Accel-Redirect" not in response.headers
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"  # type: ignore[attr-defined]


def test_the_request_is_left_as_it_came(rf: RequestFactory, private: Path) -> None:
    seen: list[object] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(getattr(request, OFFLOAD_ATTRIBUTE))
        return HttpResponse()

    request = rf.get("/")
    OptimizedDownloadMiddleware(view)(request)
    assert isinstance(seen[0], Offloader)
    assert not hasattr(request, OFFLOAD_ATTRIBUTE)


def test_is_sync_and_async_capable() -> None:
    assert OptimizedDownloadMiddleware.sync_capable
    assert OptimizedDownloadMiddleware.async_capable


def _gzip_get(middleware_class: type, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    middleware = middleware_class(lambda _request: response)
    return middleware(request)  # type: ignore[no-any-return]


def test_gzip_middleware_leaves_a_resumed_download_alone(rf: RequestFactory, tmp_path: Path) -> None:
    from django.middleware.gzip import GZipMiddleware as DjangoGZip

    from dlshortcuts import serve_path
    from dlshortcuts.middleware import GZipMiddleware
    from tests.reading import read

    data = b"line of text\n" * 1000
    (tmp_path / "big.txt").write_bytes(data)
    headers = {"Range": "bytes=100-", "Accept-Encoding": "gzip"}
    request = rf.get("/", headers=headers)
    response = _gzip_get(GZipMiddleware, request, serve_path(request, "big.txt", root=tmp_path))
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-{len(data) - 1}/{len(data)}"
    assert response["Content-Length"] == str(len(data) - 100)
    assert not response["ETag"].startswith("W/")
    assert "Content-Encoding" not in response
    assert read(response) == data[100:]
    # Django's own compresses the 206 and weakens the ETag: the harm W005 names.
    request = rf.get("/", headers=headers)
    harmed = _gzip_get(DjangoGZip, request, serve_path(request, "big.txt", root=tmp_path))
    assert harmed["Content-Encoding"] == "gzip"
    assert harmed["ETag"].startswith("W/")
    harmed.close()


def test_gzip_middleware_still_compresses_the_rest(rf: RequestFactory) -> None:
    from dlshortcuts.middleware import GZipMiddleware

    request = rf.get("/", headers={"Accept-Encoding": "gzip"})
    response = _gzip_get(GZipMiddleware, request, HttpResponse(b"<p>page</p>" * 100))
    assert response["Content-Encoding"] == "gzip"
