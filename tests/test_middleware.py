"""OptimizedDownloadMiddleware through the test client, sync and async."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
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
