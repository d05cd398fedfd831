"""dlshortcuts.compat.sendfile: django-sendfile2's documented behaviours, backend by backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from dlshortcuts import optimized_download
from dlshortcuts.compat import sendfile
from dlshortcuts.testing import assert_download, assert_offloaded

UNICODE = "péter_là_gueule.txt"
PLAIN_BACKENDS = [
    "django_sendfile.backends.simple",
    "django_sendfile.backends.development",
    "django_sendfile.backends.mod_wsgi",
    "sendfile.backends.simple",
]


@pytest.fixture(autouse=True)
def sendfile_root(root: Path, tmp_path: Path, settings: Settings) -> None:
    """django-sendfile2's settings over the root, with a symlink to a secret outside it."""
    (root / "testfile.txt").write_bytes(b"test file\n")
    (root / UNICODE).write_bytes(b"unicode\n")
    (root / "sub").mkdir()
    (root / "sub" / "a b.csv").write_bytes(b"a,b\n")
    (tmp_path / "secret.txt").write_bytes(b"secret")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    settings.SENDFILE_ROOT = str(root)
    settings.SENDFILE_URL = "/private"
    settings.SENDFILE_BACKEND = "django_sendfile.backends.simple"


@pytest.mark.parametrize("backend", PLAIN_BACKENDS)
def test_plain_backends_stream_the_file_inline(
    rf: RequestFactory, root: Path, settings: Settings, backend: str
) -> None:
    settings.SENDFILE_BACKEND = backend
    response = sendfile(rf.get("/"), str(root / "testfile.txt"))
    assert response["Content-Disposition"] == 'inline; filename="testfile.txt"'
    assert_download(
        response, content=b"test file\n", content_type="text/plain", as_attachment=False, status=200
    )


@pytest.mark.parametrize(
    ("arguments", "disposition"),
    [
        ({}, 'inline; filename="testfile.txt"'),
        ({"attachment_filename": "tests.txt"}, 'inline; filename="tests.txt"'),
        ({"attachment": True}, 'attachment; filename="testfile.txt"'),
        ({"attachment": True, "attachment_filename": False}, "attachment"),
        ({"attachment_filename": False}, "inline"),
        ({"attachment": True, "attachment_filename": "tests.txt"}, 'attachment; filename="tests.txt"'),
        (
            {"attachment": True, "attachment_filename": "test\u2019s.txt"},
            "attachment; filename=\"test_s.txt\"; filename*=UTF-8''test%E2%80%99s.txt",
        ),
    ],
)
def test_content_disposition(
    rf: RequestFactory, root: Path, arguments: dict[str, Any], disposition: str
) -> None:
    response = sendfile(rf.get("/"), str(root / "testfile.txt"), **arguments)
    assert response["Content-Disposition"] == disposition
    assert_download(response, content=b"test file\n")


def test_mimetype_and_encoding(rf: RequestFactory, root: Path) -> None:
    response = sendfile(
        rf.get("/"), str(root / "testfile.txt"), mimetype="application/x-custom", encoding="utf8"
    )
    assert (response["Content-Type"], response["Content-Encoding"]) == ("application/x-custom", "utf8")
    assert_download(response, content=b"test file\n")


def test_no_content_encoding_guessed(rf: RequestFactory, root: Path) -> None:
    (root / "archive.tar.gz").write_bytes(b"\x1f\x8b\x08\x00")
    response = sendfile(rf.get("/"), str(root / "archive.tar.gz"))
    assert "Content-Encoding" not in response
    assert_download(response, content_type="application/gzip")


def test_path_relative_to_the_root(rf: RequestFactory, root: Path) -> None:
    response = sendfile(rf.get("/"), "sub/a b.csv", attachment=True)
    assert_download(response, content=b"a,b\n", filename="a b.csv", as_attachment=True)


def test_ranges_and_head_come_with_it(rf: RequestFactory, root: Path) -> None:
    assert_download(
        sendfile(rf.get("/", HTTP_RANGE="bytes=5-8"), str(root / "testfile.txt")), content=b"file", status=206
    )
    head = sendfile(rf.head("/"), str(root / "testfile.txt"))
    assert head["Content-Length"] == "10"
    assert_download(head, content=b"")


@pytest.mark.parametrize(
    "name",
    [
        "missing.txt",
        "../secret.txt",
        "sub/../../secret.txt",
        "link.txt",
        "sub",
        ".",
        "",
        "/etc/passwd",
        "a\x00b",
    ],
)
def test_404_outside_the_root_or_missing(rf: RequestFactory, root: Path, name: str) -> None:
    with pytest.raises(Http404):
        sendfile(rf.get("/"), name)


def test_404_for_an_absolute_path_next_to_the_root(rf: RequestFactory, root: Path) -> None:
    with pytest.raises(Http404):
        sendfile(rf.get("/"), str(root.parent / "secret.txt"))


@pytest.mark.parametrize("url", ["/private", "/private/"])
@pytest.mark.parametrize("prefix", ["django_sendfile", "sendfile"])
def test_nginx(rf: RequestFactory, root: Path, settings: Settings, url: str, prefix: str) -> None:
    settings.SENDFILE_BACKEND = f"{prefix}.backends.nginx"
    settings.SENDFILE_URL = url
    response = sendfile(rf.get("/"), str(root / "testfile.txt"))
    assert response["X-Accel-Redirect"] == "/private/testfile.txt"
    assert response["Content-Disposition"] == 'inline; filename="testfile.txt"'
    assert_offloaded(response, backend="nginx", location="/private/testfile.txt", limit_rate=None)


def test_nginx_unicode_name_and_the_dlshortcuts_options(
    rf: RequestFactory, root: Path, settings: Settings
) -> None:
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.DLSHORTCUTS = {"LIMIT_RATE": 4096}
    response = sendfile(rf.get("/"), str(root / UNICODE))
    assert response["X-Accel-Redirect"] == "/private/p%C3%A9ter_l%C3%A0_gueule.txt"
    assert_offloaded(response, location=f"/private/{UNICODE}", path=root / UNICODE, limit_rate=4096)


def test_xsendfile_is_apache(rf: RequestFactory, root: Path, settings: Settings) -> None:
    settings.SENDFILE_BACKEND = "django_sendfile.backends.xsendfile"
    response = sendfile(rf.get("/"), str(root / UNICODE), attachment=True)
    assert response["X-Sendfile"] == os.fsencode(root / UNICODE).decode("latin-1")
    assert (
        response["Content-Disposition"]
        == "attachment; filename=\"peter_la_gueule.txt\"; filename*=UTF-8''p%C3%A9ter_l%C3%A0_gueule.txt"
    )
    assert_offloaded(response, backend="apache", path=root / UNICODE)


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("lighttpd", ("X-Sendfile", "{root}/p%C3%A9ter_l%C3%A0_gueule.txt")),
        ("litespeed", ("X-LiteSpeed-Location", "/private/p%C3%A9ter_l%C3%A0_gueule.txt")),
        ("caddy", ("X-Accel-Redirect", "/private/p%C3%A9ter_l%C3%A0_gueule.txt")),
    ],
)
def test_dlshortcuts_backend_names(
    rf: RequestFactory, root: Path, settings: Settings, backend: str, expected: tuple[str, str]
) -> None:
    settings.SENDFILE_BACKEND = backend
    response = sendfile(rf.get("/"), str(root / UNICODE))
    header, value = expected
    assert response[header] == value.format(root=root)
    assert_offloaded(response, backend=backend)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SENDFILE_BACKEND": None}, "SENDFILE_BACKEND is None: use one of django-sendfile2's backends"),
        (
            {"SENDFILE_BACKEND": "myproject.backends.s3"},
            "SENDFILE_BACKEND is 'myproject.backends.s3': use one of",
        ),
        (
            {"SENDFILE_ROOT": None},
            "SENDFILE_ROOT is None: set it to the directory sendfile() serves files from.",
        ),
        (
            {"SENDFILE_BACKEND": "django_sendfile.backends.nginx", "SENDFILE_URL": None},
            "SENDFILE_URL is None, but the nginx backend needs the internal URL prefix",
        ),
    ],
)
def test_misconfiguration(
    rf: RequestFactory, root: Path, settings: Settings, overrides: dict[str, Any], message: str
) -> None:
    for key, value in overrides.items():
        setattr(settings, key, value)
    with pytest.raises(ImproperlyConfigured) as raised:
        sendfile(rf.get("/"), "testfile.txt")
    assert str(raised.value).startswith(message)


def test_simple_backend_leaves_the_view_decorator_in_charge(rf: RequestFactory, root: Path) -> None:
    @optimized_download(backend="lighttpd", locations=[{"root": str(root)}])
    def view(request: HttpRequest) -> HttpResponseBase:
        return sendfile(request, str(root / "testfile.txt"))

    assert_offloaded(view(rf.get("/")), backend="lighttpd", path=root / "testfile.txt")


def test_web_server_backend_wins_over_the_view_decorator(
    rf: RequestFactory, root: Path, settings: Settings
) -> None:
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"

    @optimized_download(backend="lighttpd", locations=[{"root": str(root)}])
    def view(request: HttpRequest) -> HttpResponseBase:
        return sendfile(request, str(root / "testfile.txt"))

    assert_offloaded(view(rf.get("/")), backend="nginx", location="/private/testfile.txt")
