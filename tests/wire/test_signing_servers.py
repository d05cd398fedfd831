"""Signed links to a non-ASCII name through real servers: gunicorn (sync view) and uvicorn (async view).

Django's AsyncClient cannot send a non-ASCII path (it decodes it as Latin-1);
uvicorn decodes it as UTF-8, as the ASGI specification says, so this is where
the async view meets ``naïve résumé.pdf``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from dlshortcuts.signing import signed_url
from servers import Server, start_gunicorn, start_uvicorn

NAME = "naïve résumé.pdf"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"%%EOF\n"
INVALID = b"This download link is not valid (missing, altered, or for another user)."

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("signed-media")
    (root / NAME).write_bytes(PDF)
    return root


@pytest.fixture(
    scope="module", params=[("gunicorn", "files"), ("uvicorn", "async")], ids=["gunicorn", "uvicorn"]
)
def served(
    request: pytest.FixtureRequest, media: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, str]]:
    name, prefix = request.param
    env = {"DJANGO_SETTINGS_MODULE": "tests.settings_signing", "DLSHORTCUTS_SIGNING_ROOT": str(media)}
    log = tmp_path_factory.mktemp("logs") / f"{name}.log"
    if name == "gunicorn":
        server = start_gunicorn("tests.wsgi:application", log, env=env)
    else:
        server = start_uvicorn("tests.asgi:application", log, env=env)
    yield server, prefix
    server.stop()


def test_signed_non_ascii_link(served: tuple[Server, str]) -> None:
    server, prefix = served
    url = signed_url(f"/{prefix}/{NAME}", expires_in=300)
    assert url.isascii()
    with requests.get(server.url + url, timeout=30) as response:
        assert (response.status_code, response.content) == (200, PDF)
        assert response.headers["Content-Disposition"] == (
            "attachment; filename=\"naive resume.pdf\"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf"
        )


def test_signed_link_for_another_name_is_forbidden(served: tuple[Server, str]) -> None:
    server, prefix = served
    url = signed_url(f"/{prefix}/naive resume.pdf").replace("naive%20resume", "na%C3%AFve%20r%C3%A9sum%C3%A9")
    with requests.get(server.url + url, timeout=30) as response:
        assert (response.status_code, response.content) == (403, INVALID)
