"""Django REST framework: @api_view and APIView pass our responses through, their auth protects them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import AsyncRequestFactory, Client, RequestFactory
from pytest_django.fixtures import Settings
from rest_framework.request import Request

from dlshortcuts import serve_path, signed_url
from dlshortcuts.testing import assert_download, assert_offloaded

pytestmark = pytest.mark.urls("tests.urls_drf")

NAME = "naïve résumé.pdf"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
# What DRF adds to any response its views return (APIView.default_response_headers).
DRF_HEADERS = {"Allow", "Vary"}


@pytest.fixture
def files(media_root: Path) -> Path:
    (media_root / NAME).write_bytes(PDF)
    return media_root


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def our_headers(response: HttpResponseBase) -> dict[str, str]:
    return {key: value for key, value in response.headers.items() if key not in DRF_HEADERS}


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Authentication credentials were not provided."),
        (bearer("stolen-token"), "Invalid token."),
    ],
)
def test_api_view_refuses_anonymous_and_bad_credentials(
    client: Client, files: Path, headers: dict[str, str], detail: str
) -> None:
    response = client.get(f"/reports/{NAME}", headers=headers)
    assert (response.status_code, response["WWW-Authenticate"]) == (401, 'Bearer realm="api"')
    assert response.json() == {"detail": detail}
    assert "Content-Disposition" not in response


def test_api_view_passes_the_download_through_untouched(
    client: Client, rf: RequestFactory, files: Path
) -> None:
    response = client.get(f"/reports/{NAME}", headers=bearer("alice-token"))
    direct = serve_path(rf.get("/"), NAME, root=files)
    assert our_headers(response) == dict(direct.headers)
    assert (set(response["Allow"].split(", ")), response["Vary"]) == ({"GET", "HEAD", "OPTIONS"}, "Accept")
    assert_download(direct)
    assert_download(response, content=PDF, filename=NAME, content_type="application/pdf", status=200)


def test_range_and_conditional_requests_through_drf(client: Client, files: Path) -> None:
    partial = client.get(f"/reports/{NAME}", headers=bearer("alice-token", Range="bytes=2-5"))
    assert (partial["Content-Range"], partial["Content-Length"]) == (f"bytes 2-5/{len(PDF)}", "4")
    assert_download(partial, content=PDF[2:6], status=206)
    etag = client.head(f"/reports/{NAME}", headers=bearer("alice-token"))["ETag"]
    conditional = bearer("alice-token", **{"If-None-Match": etag})
    assert client.get(f"/reports/{NAME}", headers=conditional).status_code == 304


def test_head_through_drf(client: Client, files: Path) -> None:
    response = client.head(f"/reports/{NAME}", headers=bearer("alice-token"))
    assert response["Content-Length"] == str(len(PDF))
    assert_download(response, content=b"", status=200)


def test_api_view_class_permissions(client: Client, files: Path) -> None:
    refused = client.get(f"/staff/{NAME}", headers=bearer("alice-token"))
    assert refused.status_code == 403
    assert refused.json() == {"detail": "You do not have permission to perform this action."}
    assert client.get(f"/staff/{NAME}").status_code == 401
    assert_download(client.get(f"/staff/{NAME}", headers=bearer("staff-token")), content=PDF, status=200)


def test_offloaded_through_an_api_view(client: Client, files: Path, settings: Settings) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": [{"root": str(files), "url": "/_protected/"}]}
    assert client.get(f"/offloaded/{NAME}").status_code == 401
    response = client.get(f"/offloaded/{NAME}", headers=bearer("alice-token"))
    assert_offloaded(response, backend="nginx", location=f"/_protected/{NAME}", path=files / NAME)


def test_signed_link_through_an_api_view(client: Client, files: Path) -> None:
    url = signed_url(f"/shared/{NAME}", expires_in=60)
    assert_download(client.get(url), content=PDF, filename=NAME)
    refused = client.get(f"/shared/{NAME}")
    assert (refused.status_code, refused.content) == (
        403,
        b"This download link is not valid (missing, altered, or for another user).",
    )


async def test_a_drf_request_under_asgi_gets_an_async_body(files: Path) -> None:
    request = Request(AsyncRequestFactory().get("/"))
    response = serve_path(request, NAME, root=files)
    assert isinstance(response, StreamingHttpResponse)
    assert response.is_async
    assert b"".join([chunk async for chunk in response]) == PDF
    response.close()
