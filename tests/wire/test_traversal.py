"""Path traversal: every probe of the corpus gets a 404, and nothing outside the root is opened."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from pytest_django import Settings

from dlshortcuts.engine.content_type import sniff_buffer
from tests.app_servers import SERVERS, parse_head, start_app_server
from tests.opened_paths import recording_opens
from tests.servers import Server
from tests.traversal_corpus import ESCAPES, INSIDE, SECRET, Sandbox, build_sandbox
from tests.urls_hardening import CONFINED

pytestmark = pytest.mark.urls("tests.urls_hardening")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return build_sandbox(tmp_path_factory.mktemp("traversal"))


@pytest.fixture
def served(sandbox: Sandbox, settings: Settings, client: Client, confinement: str) -> Sandbox:
    """The sandbox, served, with each way of confining a name; one request
    first so that what Django and the standard library open lazily
    (mimetypes tables ...) is not recorded, nor python-magic, imported on
    the first sniff (a name with no type). The kernel's openat2 opens
    without Python's ``open`` audit event: there the root's descriptor is
    all that is recorded, and containment is the kernel's."""
    settings.HARDENING_ROOT = str(sandbox.root)
    sniff_buffer(b"inside\n")
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


@pytest.fixture(scope="module", params=SERVERS)
def app_server(
    request: pytest.FixtureRequest, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    server = start_app_server(request.param, sandbox.root, tmp_path_factory.mktemp("logs"))
    yield server
    server.stop()


def _raw_get(port: int, target: str) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data = bytearray()
        while chunk := sock.recv(65536):
            data += chunk
    return parse_head(bytes(data))[0], bytes(data)


@pytest.mark.servers
@pytest.mark.parametrize("prefix", CONFINED.values(), ids=CONFINED.keys())
def test_escapes_through_real_servers_get_no_file(app_server: Server, sandbox: Sandbox, prefix: str) -> None:
    """Servers parse and decode the request line themselves (uvicorn hands
    Django an already-decoded path): the corpus again, as raw HTTP/1.1."""
    assert _raw_get(app_server.port, prefix + "inside.txt")[0] == 200
    answers = {}
    for name, probe in ESCAPES.items():
        status, data = _raw_get(app_server.port, prefix + sandbox.url_suffix(probe))
        assert SECRET not in data, name
        answers[name] = status
    # 404 from dlshortcuts; 400 or 414 when the server refuses the request
    # line itself (a backslash, a line longer than its limit).
    assert {name: status for name, status in answers.items() if status not in {400, 404, 414}} == {}
