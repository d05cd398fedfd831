"""The demo project (``make demo``) serves what its home page promises.

The requests go through Django's test client in a process running the demo's
own settings (see ``tests/demo_driver.py``), after its migrations and its
setup command have run, twice, on an empty directory.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from .servers import ROOT

NON_ASCII_URL = "/files/na%C3%AFve%20r%C3%A9sum%C3%A9.pdf"
LARGE_SIZE = 32 * 1024 * 1024


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


# Sent in this order through one client: anonymous first, then the login.
REQUESTS: dict[str, dict[str, object]] = {
    "home": {"method": "GET", "path": "/"},
    "production": {"method": "GET", "path": "/production/"},
    "welcome": {"method": "GET", "path": "/files/welcome.txt"},
    "non-ascii": {"method": "GET", "path": NON_ASCII_URL},
    "large-head": {"method": "HEAD", "path": "/files/large.bin"},
    "large-range": {
        "method": "GET",
        "path": "/files/large.bin",
        "headers": {"Range": "bytes=1048576-1048585"},
    },
    "image": {"method": "GET", "path": "/images/gradient.png"},
    "csv": {"method": "GET", "path": "/orders.csv"},
    "csv-filtered": {"method": "GET", "path": "/orders.csv?customer=Ada"},
    "handbook-anonymous": {"method": "GET", "path": "/members/handbook.pdf"},
    "login-page": {"method": "GET", "path": "/accounts/login/?next=/members/handbook.pdf"},
    "login": {
        "method": "POST",
        "path": "/accounts/login/",
        "data": {"username": "demo", "password": "demo", "next": "/members/handbook.pdf"},
    },
    "handbook": {"method": "GET", "path": "/members/handbook.pdf"},
    "escape-root": {"method": "GET", "path": "/files/../members/handbook.pdf"},
    "admin-documents": {"method": "GET", "path": "/admin/demo/document/"},
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Response]:
    """Every response of REQUESTS by name, from a fresh demo."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "demo.settings",
        "DEMO_VAR_DIR": str(tmp_path_factory.mktemp("demo-var")),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "examples")]),
    }
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "tests.demo_driver"],
        input=json.dumps(list(REQUESTS.values())),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    answers = json.loads(result.stdout)
    return {
        name: Response(answer["status"], answer["headers"], base64.b64decode(answer["body"]))
        for name, answer in zip(REQUESTS, answers, strict=True)
    }


# Every download the home page offers (demo/catalog.py), in its order.
DOWNLOADS = [
    "/files/welcome.txt",
    NON_ASCII_URL,
    "/files/large.bin",
    "/orders.csv",
    "/images/gradient.png",
    "/members/handbook.pdf",
]


@pytest.mark.parametrize("href", [*DOWNLOADS, "/production/", "/admin/"])
def test_home_page_links_every_download(demo: dict[str, Response], href: str) -> None:
    assert demo["home"].status == 200
    assert f'href="{href}"' in demo["home"].text


def test_home_page_shows_the_demo_credentials_and_the_document(demo: dict[str, Response]) -> None:
    assert "Log in as <strong>demo</strong> / <strong>demo</strong>" in demo["home"].text
    assert "Release notes (documents/release-notes.txt)" in demo["home"].text


def test_production_page_names_the_offload_of_each_download(demo: dict[str, Response]) -> None:
    page = demo["production"]
    assert page.status == 200
    rows = [line.strip() for line in page.text.splitlines() if line.strip().startswith("<tr><td>")]
    assert [row.split('"')[1] for row in rows] == DOWNLOADS
    assert "<td>Offloaded: the web server sends the file on disk." in rows[0]
    assert "X-Sendfile</code> with the absolute path" in page.text
    assert "<td>None: generated content is not a file the web server can read" in rows[3]


@pytest.mark.parametrize(
    ("name", "status", "headers"),
    [
        (
            "welcome",
            200,
            {
                "Content-Type": "text/plain",
                "Content-Disposition": 'attachment; filename="welcome.txt"',
                "Content-Length": "72",
                "Accept-Ranges": "bytes",
            },
        ),
        (
            "non-ascii",
            200,
            {
                "Content-Type": "application/pdf",
                "Content-Disposition": "attachment; filename=\"naive resume.pdf\"; filename*=UTF-8''"
                "na%C3%AFve%20r%C3%A9sum%C3%A9.pdf",
            },
        ),
        (
            "large-head",
            200,
            {"Content-Type": "application/octet-stream", "Content-Length": str(LARGE_SIZE)},
        ),
        (
            "large-range",
            206,
            {"Content-Range": f"bytes 1048576-1048585/{LARGE_SIZE}", "Content-Length": "10"},
        ),
        (
            "image",
            200,
            {"Content-Type": "image/png", "Content-Disposition": 'inline; filename="gradient.png"'},
        ),
        (
            "csv",
            200,
            {
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": 'attachment; filename="orders.csv"',
                "Accept-Ranges": "none",
            },
        ),
        (
            "handbook",
            200,
            {
                "Content-Type": "application/pdf",
                "Content-Disposition": 'attachment; filename="handbook.pdf"',
            },
        ),
    ],
)
def test_download_headers(demo: dict[str, Response], name: str, status: int, headers: dict[str, str]) -> None:
    response = demo[name]
    assert response.status == status
    assert {header: response.headers.get(header) for header in headers} == headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_path_download_sends_the_file(demo: dict[str, Response]) -> None:
    assert (
        demo["welcome"].body == b"Hello from dlshortcuts: this file was served by serve_path with a root.\n"
    )


@pytest.mark.parametrize("name", ["non-ascii", "handbook"])
def test_pdfs_are_whole_pdfs(demo: dict[str, Response], name: str) -> None:
    body = demo[name].body
    assert body.startswith(b"%PDF-1.4\n")
    assert body.endswith(b"%%EOF\n")
    assert demo[name].headers["Content-Length"] == str(len(body))


def test_head_of_the_large_file_has_no_body(demo: dict[str, Response]) -> None:
    assert demo["large-head"].body == b""


def test_range_of_the_large_file_is_those_bytes(demo: dict[str, Response]) -> None:
    # Byte i of the large file is (i + 128) % 256; 1048576 is a multiple of 256.
    assert demo["large-range"].body == bytes(range(128, 138))


def test_inline_image_is_a_png(demo: dict[str, Response]) -> None:
    image = demo["image"]
    assert image.body.startswith(b"\x89PNG\r\n\x1a\n")
    assert image.headers["Content-Length"] == str(len(image.body))


def test_csv_streams_every_order_once(demo: dict[str, Response]) -> None:
    lines = demo["csv"].text.splitlines()
    assert "Content-Length" not in demo["csv"].headers
    assert lines[0] == "number,customer,total,placed_at"
    assert [line.split(",")[0] for line in lines[1:]] == [str(n) for n in range(1, 1001)]


def test_csv_filters_on_the_query_string(demo: dict[str, Response]) -> None:
    rows = demo["csv-filtered"].text.splitlines()[1:]
    assert rows
    assert {row.split(",")[1] for row in rows} == {"Ada"}


def test_protected_download_sends_anonymous_users_to_log_in(demo: dict[str, Response]) -> None:
    assert demo["handbook-anonymous"].status == 302
    assert demo["handbook-anonymous"].headers["Location"] == "/accounts/login/?next=/members/handbook.pdf"
    assert demo["login-page"].status == 200
    assert 'name="password"' in demo["login-page"].text


def test_demo_user_logs_in_and_gets_the_protected_download(demo: dict[str, Response]) -> None:
    assert demo["login"].status == 302
    assert demo["login"].headers["Location"] == "/members/handbook.pdf"
    assert demo["handbook"].status == 200


def test_root_keeps_the_members_file_out_of_reach(demo: dict[str, Response]) -> None:
    assert demo["escape-root"].status == 404


def test_admin_lists_documents(demo: dict[str, Response]) -> None:
    assert demo["admin-documents"].status == 200
    assert "Release notes" in demo["admin-documents"].text
