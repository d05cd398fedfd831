"""Path traversal: every probe of the corpus gets a 404, and nothing outside the root is opened."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from pytest_django import Settings

from tests.opened_paths import recording_opens
from tests.traversal_corpus import ESCAPES, INSIDE, SECRET, Sandbox, build_sandbox
from tests.urls_hardening import CONFINED

pytestmark = pytest.mark.urls("tests.urls_hardening")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return build_sandbox(tmp_path_factory.mktemp("traversal"))


@pytest.fixture
def served(sandbox: Sandbox, settings: Settings, client: Client) -> Sandbox:
    """The sandbox, served; one request first so that what Django and the
    standard library open lazily (mimetypes tables ...) is not recorded."""
    settings.HARDENING_ROOT = str(sandbox.root)
    for prefix in CONFINED.values():
        client.get(prefix + "inside.txt").close()
        client.get(prefix + "missing.txt").close()
    return sandbox


def _outside_root(opened: list[str], root: Path) -> list[str]:
    real_root = os.path.realpath(root)
    return [
        name
        for name in opened
        if os.path.commonpath([real_root, os.path.realpath(os.path.join(real_root, name))]) != real_root
    ]


@pytest.mark.parametrize("prefix", CONFINED.values(), ids=CONFINED.keys())
@pytest.mark.parametrize(("probe", "content"), INSIDE.items(), ids=INSIDE.keys())
def test_files_inside_the_root_are_served(
    served: Sandbox, client: Client, prefix: str, probe: str, content: bytes
) -> None:
    with recording_opens() as opened:
        response: HttpResponseBase = client.get(prefix + probe)
        assert isinstance(response, StreamingHttpResponse)
        body = response.getvalue()
        response.close()
    assert response.status_code == 200
    assert body == content
    assert opened
    assert _outside_root(opened, served.root) == []


@pytest.mark.parametrize("prefix", CONFINED.values(), ids=CONFINED.keys())
@pytest.mark.parametrize("probe", ESCAPES.values(), ids=ESCAPES.keys())
def test_escapes_get_404_and_open_nothing_outside_the_root(
    served: Sandbox, client: Client, prefix: str, probe: str
) -> None:
    with recording_opens() as opened:
        response = client.get(prefix + served.url_suffix(probe))
        body = response.content
    assert response.status_code == 404
    assert SECRET not in body
    assert str(served.base) not in body.decode("latin-1")  # no filesystem path in the message
    assert _outside_root(opened, served.root) == []
