"""The demo project (``make demo``) serves what its home page promises.

The requests go through Django's test client in a process running the demo's
own settings (see ``tests/demo_driver.py``), after its migrations and its
setup command have run, twice, on an empty directory.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from tests.servers import ROOT

# The demo fixture runs the project in a subprocess given 120 s of its own:
# the first test (which sets it up) needs longer than the suite's 60 s.
pytestmark = pytest.mark.timeout(180)

NON_ASCII_URL = "/files/na%C3%AFve%20r%C3%A9sum%C3%A9.pdf"
LARGE_SIZE = 32 * 1024 * 1024
WELCOME = b"Hello from dlshortcuts: this file was served by serve_path with a root.\n"
RELEASE_NOTES = b"dlshortcuts 0.1.0: first release.\n"
DEMO_NOTES = b"Only the demo user may download this.\n"
REPORT = b"Quarterly report, served by serve_storage from the 'private' storage.\n"


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
    "document": {"method": "GET", "path": "/documents/1/"},
    "document-head": {"method": "HEAD", "path": "/documents/1/"},
    "document-owned": {"method": "GET", "path": "/documents/2/"},
    "document-missing": {"method": "GET", "path": "/documents/999/"},
    "async-document": {"method": "GET", "path": "/async/documents/1/"},
    "async-document-owned": {"method": "GET", "path": "/async/documents/2/"},
    "storage": {"method": "GET", "path": "/storage/reports/2026-q3.txt"},
    "storage-missing": {"method": "GET", "path": "/storage/reports/2026-q4.txt"},
    "storage-escape": {"method": "GET", "path": "/storage/../private/files/welcome.txt"},
    "remote": {"method": "GET", "path": "/remote/welcome.txt", "live": True},
    "remote-range": {
        "method": "GET",
        "path": "/remote/large.bin",
        "headers": {"Range": "bytes=1048576-1048585"},
        "live": True,
    },
    "remote-missing": {"method": "GET", "path": "/remote/missing.txt", "live": True},
    "archive": {"method": "GET", "path": "/demo-files.zip"},
    "archive-range": {"method": "GET", "path": "/demo-files.zip", "headers": {"Range": "bytes=100-199"}},
    "my-document-anonymous": {"method": "GET", "path": "/my/documents/2/"},
    "handbook-anonymous": {"method": "GET", "path": "/members/handbook.pdf"},
    "login-page": {"method": "GET", "path": "/accounts/login/?next=/members/handbook.pdf"},
    "login": {
        "method": "POST",
        "path": "/accounts/login/",
        "data": {"username": "demo", "password": "demo", "next": "/members/handbook.pdf"},
    },
    "handbook": {"method": "GET", "path": "/members/handbook.pdf"},
    "shared": {"method": "GET", "path": "/shared/welcome.txt", "signed": 600},
    "shared-unsigned": {"method": "GET", "path": "/shared/welcome.txt"},
    "my-document": {"method": "GET", "path": "/my/documents/2/"},
    "archive-logged-in": {"method": "GET", "path": "/demo-files.zip"},
    "my-document-not-mine": {"method": "GET", "path": "/my/documents/1/"},
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


# The signed link (its query string is made when the page is drawn).
SIGNED = "/shared/welcome.txt"
# Every other download the home page offers (demo/catalog.py), in its order.
DOWNLOADS = [
    "/files/welcome.txt",
    NON_ASCII_URL,
    "/files/large.bin",
    "/orders.csv",
    "/images/gradient.png",
    "/members/handbook.pdf",
    "/documents/1/",
    "/my/documents/2/",
    "/async/documents/1/",
    "/storage/reports/2026-q3.txt",
    "/remote/welcome.txt",
    "/demo-files.zip",
]


@pytest.mark.parametrize("href", [*DOWNLOADS, "/production/", "/admin/"])
def test_home_page_links_every_download(demo: dict[str, Response], href: str) -> None:
    assert demo["home"].status == 200
    assert f'href="{href}"' in demo["home"].text


def test_home_page_shows_the_demo_credentials_and_the_document(demo: dict[str, Response]) -> None:
    assert "Log in as <strong>demo</strong> / <strong>demo</strong>" in demo["home"].text
    assert (
        '<a href="/documents/1/" download>Release notes</a> (documents/release-notes.txt)</li>'
        in demo["home"].text
    )
    assert (
        '<a href="/my/documents/2/" download>The demo user&#x27;s notes</a> '
        "(documents/demo-notes.txt, only for demo)</li>" in demo["home"].text
    )


def test_production_page_names_the_offload_of_each_download(demo: dict[str, Response]) -> None:
    page = demo["production"]
    assert page.status == 200
    rows = [line.strip() for line in page.text.splitlines() if line.strip().startswith("<tr><td>")]
    # The signed link's query string changes every time the page is drawn.
    assert [row.split('"')[1].split("?")[0] for row in rows] == [*DOWNLOADS[:6], SIGNED, *DOWNLOADS[6:]]
    assert "<td>Offloaded: the web server sends the file on disk." in rows[0]
    assert "X-Sendfile</code> with the absolute path" in page.text
    assert "<td>None: generated content is not a file the web server can read" in rows[3]
    assert "The signature is checked by Django before the handover.</td>" in rows[6]
    assert "a location for MEDIA_ROOT is all it needs.</td>" in rows[7]
    assert "redirect=True answers 302 to a presigned URL" in rows[10]
    assert "<td>nginx: with a source_url location, @optimized_download answers X-Accel-Redirect" in rows[11]


def test_production_page_prints_the_nginx_configuration_of_every_location(demo: dict[str, Response]) -> None:
    # Generated from DEMO_OFFLOAD_LOCATIONS under this run's DEMO_VAR_DIR, not a fixed path.
    text = html.unescape(demo["production"].text)
    for url, directory in [("/_protected/", "private"), ("/_media/", "media"), ("/_storage/", "storage")]:
        block = text[text.index(f'location "{url}" {{') :]
        block = block[: block.index("}")]
        assert "internal;" in block
        assert re.search(rf'alias "\S+/{directory}/";', block), block
        assert "/srv/demo" not in block


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
        (
            "document",
            200,
            {
                "Content-Type": "text/plain",
                "Content-Disposition": 'attachment; filename="release-notes.txt"',
                "Content-Length": str(len(RELEASE_NOTES)),
                "Accept-Ranges": "bytes",
            },
        ),
        (
            "document-head",
            200,
            {"Content-Type": "text/plain", "Content-Length": str(len(RELEASE_NOTES))},
        ),
        (
            "async-document",
            200,
            {
                "Content-Type": "text/plain",
                "Content-Disposition": 'attachment; filename="release-notes.txt"',
                "Content-Length": str(len(RELEASE_NOTES)),
            },
        ),
        (
            "my-document",
            200,
            {
                "Content-Type": "text/plain",
                "Content-Disposition": 'attachment; filename="demo-notes.txt"',
                "Content-Length": str(len(DEMO_NOTES)),
            },
        ),
        (
            "storage",
            200,
            {
                "Content-Type": "text/plain",
                "Content-Disposition": 'attachment; filename="2026-q3.txt"',
                "Content-Length": str(len(REPORT)),
                "Accept-Ranges": "bytes",
            },
        ),
        (
            "remote",
            200,
            {
                "Content-Type": "text/plain",
                "Content-Disposition": 'attachment; filename="welcome.txt"',
                "Content-Length": str(len(WELCOME)),
                "Accept-Ranges": "bytes",
            },
        ),
        (
            "remote-range",
            206,
            {
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes 1048576-1048585/{LARGE_SIZE}",
                "Content-Length": "10",
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
    assert demo["welcome"].body == WELCOME


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


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("document", RELEASE_NOTES),
        ("document-head", b""),
        ("async-document", RELEASE_NOTES),
        ("my-document", DEMO_NOTES),
        ("storage", REPORT),
        ("remote", WELCOME),
        # Byte i of the large file is (i + 128) % 256, through the proxy too.
        ("remote-range", bytes(range(128, 138))),
    ],
)
def test_new_kinds_of_download_send_their_bytes(demo: dict[str, Response], name: str, body: bytes) -> None:
    assert demo[name].body == body


def test_model_download_dates_come_from_the_model(demo: dict[str, Response]) -> None:
    # modified_field="uploaded_at": the same date on the sync and async views.
    assert demo["document"].headers["Last-Modified"].endswith(" GMT")
    assert demo["document"].headers["Last-Modified"] == demo["async-document"].headers["Last-Modified"]
    assert demo["document-head"].headers["Last-Modified"] == demo["document"].headers["Last-Modified"]


@pytest.mark.parametrize(
    "name",
    [
        "document-owned",
        "document-missing",
        "async-document-owned",
        "storage-missing",
        "storage-escape",
        "remote-missing",
        "my-document-not-mine",
    ],
)
def test_what_is_not_offered_is_a_404(demo: dict[str, Response], name: str) -> None:
    assert demo[name].status == 404


def test_owner_filtered_download_sends_anonymous_users_to_log_in(demo: dict[str, Response]) -> None:
    assert demo["my-document-anonymous"].status == 302
    assert demo["my-document-anonymous"].headers["Location"] == "/accounts/login/?next=/my/documents/2/"


def test_home_page_links_a_signed_link(demo: dict[str, Response]) -> None:
    assert re.search(rf'href="{re.escape(SIGNED)}\?expires=[0-9]+&amp;signature=[^"]+"', demo["home"].text)


def test_signed_link_serves_the_file_to_anyone_holding_it(demo: dict[str, Response]) -> None:
    assert demo["shared"].status == 200
    assert demo["shared"].body == WELCOME
    assert demo["shared"].headers["Content-Disposition"] == 'attachment; filename="welcome.txt"'


def test_unsigned_link_is_403_saying_why(demo: dict[str, Response]) -> None:
    # Expiry itself is tested in tests/test_signing.py, with a clock that moves.
    assert demo["shared-unsigned"].status == 403
    assert "not valid" in demo["shared-unsigned"].text


def test_the_archive_holds_the_files_and_the_documents_the_user_may_see(demo: dict[str, Response]) -> None:
    anonymous = zipfile.ZipFile(io.BytesIO(demo["archive"].body))
    assert anonymous.testzip() is None
    assert anonymous.read("files/welcome.txt") == WELCOME
    assert anonymous.getinfo("files/large.bin").file_size == LARGE_SIZE
    documents = [name for name in anonymous.namelist() if name.startswith("documents/")]
    assert [anonymous.read(name) for name in documents] == [RELEASE_NOTES]
    assert demo["archive"].headers["Content-Length"] == str(len(demo["archive"].body))
    assert demo["archive"].headers["Accept-Ranges"] == "bytes"
    mine = zipfile.ZipFile(io.BytesIO(demo["archive-logged-in"].body))
    assert sorted(mine.read(name) for name in mine.namelist() if name.startswith("documents/")) == sorted(
        [RELEASE_NOTES, DEMO_NOTES]
    )


def test_a_range_of_the_archive_is_those_bytes(demo: dict[str, Response]) -> None:
    assert demo["archive-range"].status == 206
    assert demo["archive-range"].body == demo["archive"].body[100:200]
