"""The representation headers (engine/headers.py): validators, Content-Type, Content-Disposition, caching.

Through ``respond()``, as every answer gets them.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.test import RequestFactory

from tests.engine.serving import CONTENT, ETAG, LAST_MODIFIED, MTIME_NS, download_of, get, serve
from tests.reading import consume
from tests.samples import HTML

if TYPE_CHECKING:
    from tests.conftest import Factory


# Validators


@pytest.mark.parametrize(
    ("options", "etag", "last_modified"),
    [
        ({}, ETAG, LAST_MODIFIED),
        ({"etag": False}, None, LAST_MODIFIED),
        ({"etag": "v2"}, '"v2"', LAST_MODIFIED),
        ({"etag": '"v2"'}, '"v2"', LAST_MODIFIED),
        ({"etag": 'W/"v2"'}, 'W/"v2"', LAST_MODIFIED),
        (
            {"last_modified": datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)},
            ETAG,
            "Thu, 02 Jan 2020 03:04:05 GMT",
        ),
        (
            {
                "last_modified": datetime.datetime(
                    2020, 1, 2, 4, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
                )
            },
            ETAG,
            "Thu, 02 Jan 2020 03:04:05 GMT",
        ),
        ({"last_modified": datetime.datetime(2020, 1, 2, 3, 4, 5)}, ETAG, "Thu, 02 Jan 2020 03:04:05 GMT"),
        ({"last_modified": 0}, ETAG, "Thu, 01 Jan 1970 00:00:00 GMT"),
        ({"last_modified": 1_600_000_000.9}, ETAG, "Sun, 13 Sep 2020 12:26:40 GMT"),
    ],
)
def test_validators(
    rf: RequestFactory, doc: Path, options: dict[str, Any], etag: str | None, last_modified: str
) -> None:
    response = get(rf, doc, **options)
    assert response.get("ETag") == etag
    assert response["Last-Modified"] == last_modified
    consume(response)


def test_etag_follows_size_and_mtime(rf: RequestFactory, doc: Path) -> None:
    before = get(rf, doc)
    doc.write_bytes(CONTENT)
    os.utime(doc, ns=(MTIME_NS, MTIME_NS + 1000))  # one microsecond later
    after = get(rf, doc)
    assert before["ETag"] == ETAG
    assert after["ETag"] == f'"3e8-{1_700_000_000_123_457:x}"'
    consume(before)
    consume(after)


def test_source_etag_wins_over_computed_one(rf: RequestFactory, doc: Path) -> None:
    response = serve(rf.get("/"), download_of(doc, etag='"from-storage"'))
    assert response["ETag"] == '"from-storage"'
    consume(response)


# Content-Type, Content-Disposition, nosniff


@pytest.mark.parametrize(
    ("name", "options", "content_type", "disposition"),
    [
        ("doc.pdf", {}, "application/pdf", 'attachment; filename="doc.pdf"'),
        ("doc.pdf", {"content_type": "application/x-custom"}, "application/x-custom", None),
        ("doc.pdf", {"filename": "Report 2024.csv"}, "text/csv", 'attachment; filename="Report 2024.csv"'),
        ("notes.txt", {"charset": "utf-8"}, "text/plain; charset=utf-8", None),
        ("doc.pdf", {"charset": "utf-8"}, "application/pdf", None),  # charset on text only
        ("notes.txt", {"content_type": "text/plain; charset=latin-1", "charset": "utf-8"}, None, None),
        ("notes.txt", {"content_type": "text/plain; Charset=latin-1", "charset": "utf-8"}, None, None),
        ("data.csv.gz", {}, "application/gzip", None),
        ("data.tar.bz2", {}, "application/x-bzip", None),
        ("data.xz", {}, "application/x-xz", None),
        ("no-extension", {"sniff": False}, "application/octet-stream", None),
        ("page.html", {"as_attachment": False}, "text/html", 'inline; filename="page.html"'),
        ("page.html", {"as_attachment": False, "charset": "utf-8"}, "text/html; charset=utf-8", "inline"),
    ],
)
def test_content_type_and_disposition(
    rf: RequestFactory,
    tmp_path: Path,
    name: str,
    options: dict[str, Any],
    content_type: str | None,
    disposition: str | None,
) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x00\x01 binary-ish")
    response = get(rf, path, **options)
    assert response["Content-Type"] == (content_type or options.get("content_type"))
    assert "Content-Encoding" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    if disposition is not None:
        assert response["Content-Disposition"].startswith(disposition)
    consume(response)


@pytest.mark.parametrize(
    ("name", "options", "content_type", "disposition"),
    [
        # the name tells nothing: sniffed (sniff=None), and sniffed HTML is never inline
        ("upload.bin", {"as_attachment": False}, "text/html", 'attachment; filename="upload.bin"'),
        ("upload", {"as_attachment": False}, "text/html", 'attachment; filename="upload"'),
        ("upload.bin", {"sniff": False}, "application/octet-stream", 'attachment; filename="upload.bin"'),
        # the name tells: no sniffing unless asked
        ("upload.txt", {"as_attachment": False}, "text/plain", 'inline; filename="upload.txt"'),
        ("upload.txt", {"sniff": True, "as_attachment": False}, "text/html", "attachment"),
        ("upload.txt", {"sniff": True, "content_type": "text/plain"}, "text/plain", None),
    ],
)
def test_sniffing(
    factory: Factory,
    tmp_path: Path,
    name: str,
    options: dict[str, Any],
    content_type: str,
    disposition: str | None,
) -> None:
    path = tmp_path / name
    path.write_bytes(HTML)
    response = get(factory, path, **options)
    assert response["Content-Type"] == content_type
    if disposition is not None:
        assert response["Content-Disposition"].startswith(disposition)
    assert consume(response) == HTML


def test_non_ascii_name(rf: RequestFactory, tmp_path: Path) -> None:
    path = tmp_path / "naïve résumé.pdf"
    path.write_bytes(b"%PDF-1.4")
    response = get(rf, path)
    assert response["Content-Disposition"] == (
        "attachment; filename=\"naive resume.pdf\"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf"
    )
    consume(response)


# Caching


@pytest.mark.parametrize(
    ("options", "cache_control"),
    [
        ({}, "private, no-cache"),
        ({"max_age": 0}, "private, max-age=0"),
        ({"max_age": 3600}, "private, max-age=3600"),
        ({"headers": {"Cache-Control": "public, max-age=86400"}}, "public, max-age=86400"),
    ],
)
def test_cache_control(rf: RequestFactory, doc: Path, options: dict[str, Any], cache_control: str) -> None:
    response = get(rf, doc, **options)
    assert response["Cache-Control"] == cache_control
    consume(response)


def test_extra_headers_win(rf: RequestFactory, doc: Path) -> None:
    response = get(rf, doc, headers={"X-Robots-Tag": "noindex", "Content-Disposition": "inline"})
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Content-Disposition"] == "inline"
    consume(response)
