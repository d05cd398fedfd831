"""The representation headers (engine/headers.py): validators, Content-Type, Content-Disposition, caching.

Through ``respond()``, as every answer gets them.
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.http.response import HttpResponseBase
from django.test import RequestFactory
from django.utils.http import http_date

from dlshortcuts import Download, serve_path
from dlshortcuts.engine import headers
from dlshortcuts.options import Options
from dlshortcuts.sources.files import open_file
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


# Remembered per file version (represent): a file on disk, served by serve_path


def _served(
    factory: Factory, path: Path, request_headers: dict[str, str] | None = None, **options: Any
) -> HttpResponseBase:
    response = serve_path(factory.get("/", headers=request_headers or {}), path, **options)
    consume(response)
    return response


def test_a_file_served_again_gets_the_same_headers_computed_once(
    rf: RequestFactory, doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[str] = []
    compute = headers.representation_headers

    def counting(download: Download, options: Options) -> tuple[list[tuple[str, str]], str]:
        computed.append(download.filename)
        return compute(download, options)

    monkeypatch.setattr(headers, "representation_headers", counting)
    first, second = _served(rf, doc), _served(rf, doc)
    assert computed == ["doc.pdf"]
    assert (
        list(second.items())
        == list(first.items())
        == [
            ("Content-Type", "application/pdf"),
            ("Content-Disposition", 'attachment; filename="doc.pdf"'),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "private, no-cache"),
            ("Last-Modified", LAST_MODIFIED),
            ("ETag", ETAG),
            ("Accept-Ranges", "bytes"),
            ("Content-Length", "1000"),
        ]
    )
    # decide() reads the remembered validators and size.
    assert _served(rf, doc, {"If-None-Match": ETAG}).status_code == 304
    partial = _served(rf, doc, {"Range": "bytes=990-"})
    assert (partial.status_code, partial["Content-Range"]) == (206, "bytes 990-999/1000")
    assert computed == ["doc.pdf"]


def test_a_rewritten_file_is_represented_afresh(rf: RequestFactory, doc: Path) -> None:
    assert _served(rf, doc)["ETag"] == ETAG
    doc.write_bytes(CONTENT + b"!")
    os.utime(doc, ns=(MTIME_NS, MTIME_NS))  # the same mtime: the size tells
    grown = _served(rf, doc)
    assert (grown["ETag"], grown["Content-Length"]) == (f'"3e9-{1_700_000_000_123_456:x}"', "1001")
    doc.write_bytes(CONTENT + b"?")
    os.utime(doc, ns=(MTIME_NS, MTIME_NS + 1))  # the same size, one nanosecond later
    assert _served(rf, doc)["ETag"] == f'"3e9-{1_700_000_000_123_456:x}"'  # the ETag is in microseconds
    assert _served(rf, doc, {"If-None-Match": grown["ETag"]}).status_code == 304


def test_an_mtime_in_the_future_is_not_remembered(
    rf: RequestFactory, doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = time.time()
    future = int(now) + 3600
    os.utime(doc, (future, future))
    # RFC 9110 §8.8.2.1: never later than the response's Date.
    assert _served(rf, doc)["Last-Modified"] in {http_date(now), http_date(now + 1)}
    monkeypatch.setattr(time, "time", lambda: now + 7200.0)
    assert _served(rf, doc)["Last-Modified"] == http_date(future)


def test_a_file_modified_in_the_current_second_is_not_remembered(
    rf: RequestFactory, doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its Last-Modified could be an mtime later in this second clamped to it.
    now = float(int(time.time()))
    os.utime(doc, (now + 0.5, now + 0.5))
    monkeypatch.setattr(time, "time", lambda: now + 0.75)
    monkeypatch.setattr(headers, "_remembered", {})
    assert _served(rf, doc)["Last-Modified"] == http_date(now)
    assert headers._remembered == {}
    monkeypatch.setattr(time, "time", lambda: now + 1.0)
    assert _served(rf, doc)["Last-Modified"] == http_date(now)
    assert len(headers._remembered) == 1


def test_the_headers_option_and_a_sources_own_fields_are_never_remembered(
    rf: RequestFactory, doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(headers, "_remembered", {})
    assert _served(rf, doc, headers={"ETag": '"mine"'})["ETag"] == '"mine"'
    assert headers._remembered == {}
    assert _served(rf, doc)["ETag"] == ETAG
    assert len(headers._remembered) == 1
    assert _served(rf, doc, headers={"ETag": '"other"'})["ETag"] == '"other"'
    assert _served(rf, doc, {"If-None-Match": '"other"'}, headers={"ETag": '"other"'}).status_code == 304
    consume(serve(rf.get("/"), replace(open_file(doc), headers={"Content-Language": "fr"})))
    assert len(headers._remembered) == 1


@pytest.mark.parametrize(
    ("options", "field", "value"),
    [
        ({"as_attachment": False}, "Content-Disposition", 'inline; filename="doc.pdf"'),
        ({"filename": "report.csv"}, "Content-Type", "text/csv"),
        ({"content_type": "application/x-custom"}, "Content-Type", "application/x-custom"),
        ({"max_age": 60}, "Cache-Control", "private, max-age=60"),
        ({"etag": False}, "ETag", None),
        ({"ranges": False}, "Accept-Ranges", "none"),
        ({"last_modified": 0}, "Last-Modified", "Thu, 01 Jan 1970 00:00:00 GMT"),
    ],
)
def test_each_option_is_remembered_apart(
    rf: RequestFactory, doc: Path, options: dict[str, Any], field: str, value: str | None
) -> None:
    default = _served(rf, doc)
    assert _served(rf, doc, **options).get(field) == value != default.get(field)
    assert _served(rf, doc).get(field) == default.get(field)
    assert _served(rf, doc, **options).get(field) == value


def test_remembered_versions_are_bounded(
    rf: RequestFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(headers, "REMEMBERED_VERSIONS", 2)
    monkeypatch.setattr(headers, "_remembered", {})
    paths = [tmp_path / f"{index}.pdf" for index in range(3)]
    for path in paths:
        path.write_bytes(CONTENT)
        os.utime(path, ns=(MTIME_NS, MTIME_NS))
        assert _served(rf, path)["Content-Disposition"] == f'attachment; filename="{path.name}"'
    # The oldest went first.
    assert [key[1] for key in headers._remembered] == [str(paths[1]), str(paths[2])]
