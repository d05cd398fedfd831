"""serve_archive and aserve_archive through Django: headers, Range, conditions, errors."""

from __future__ import annotations

import asyncio
import io
import os
import zipfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client, RequestFactory

from dlshortcuts import ArchiveMember, aserve_archive, optimized_download, serve_archive
from dlshortcuts.signals import download_finished, download_started
from dlshortcuts.sources.archive import members as members_module
from tests.reading import aread, read
from tests.urls import FILES_ROOT_ENV

MTIME = 1_700_000_000


@pytest.fixture
def album(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """root/album: three photos, one of them empty, the files root of tests/urls.py."""
    folder = root / "album"
    folder.mkdir()
    for name, size in (("cat.jpg", 150_000), ("dog.jpg", 90_000), ("empty.txt", 0)):
        (folder / name).write_bytes(os.urandom(size))
        os.utime(folder / name, (MTIME, MTIME + len(name)))
    monkeypatch.setenv(FILES_ROOT_ENV, str(root))
    return folder


def _members(album: Path) -> list[tuple[str, Path]]:
    return [(f"photos/{path.name}", path) for path in sorted(album.iterdir())]


def _entries(body: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    return {name: archive.read(name) for name in archive.namelist()}


def test_a_stored_archive_has_an_exact_length_validators_and_ranges(rf: RequestFactory, album: Path) -> None:
    response = serve_archive(rf.get("/"), _members(album), filename="album.zip")
    body = read(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="album.zip"'
    assert response["Content-Length"] == str(len(body))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Last-Modified"] == "Tue, 14 Nov 2023 22:13:29 GMT"  # the newest: empty.txt
    assert response["ETag"].startswith('"')
    assert _entries(body) == {f"photos/{path.name}": path.read_bytes() for path in album.iterdir()}


def test_a_changed_member_changes_the_etag(rf: RequestFactory, album: Path) -> None:
    first = serve_archive(rf.get("/"), _members(album), filename="album.zip")
    os.utime(album / "dog.jpg", (MTIME, MTIME + 60))
    second = serve_archive(rf.get("/"), _members(album), filename="album.zip")
    renamed = serve_archive(rf.get("/"), [("other.jpg", album / "dog.jpg")], filename="album.zip")
    assert len({first["ETag"], second["ETag"], renamed["ETag"]}) == 3
    for response in (first, second, renamed):
        response.close()


def test_range_if_range_and_multi_range(rf: RequestFactory, album: Path) -> None:
    full = read(serve_archive(rf.get("/"), _members(album), filename="album.zip"))
    etag = serve_archive(rf.head("/"), _members(album), filename="album.zip")["ETag"]
    single = serve_archive(rf.get("/", HTTP_RANGE="bytes=1000-99999"), _members(album), filename="a.zip")
    assert single.status_code == 206
    assert single["Content-Range"] == f"bytes 1000-99999/{len(full)}"
    assert read(single) == full[1000:100000]
    resumed = serve_archive(
        rf.get("/", HTTP_RANGE="bytes=200000-", HTTP_IF_RANGE=etag), _members(album), filename="a.zip"
    )
    assert resumed.status_code == 206
    assert read(resumed) == full[200000:]
    stale = serve_archive(
        rf.get("/", HTTP_RANGE="bytes=200000-", HTTP_IF_RANGE='"stale"'), _members(album), filename="a.zip"
    )
    assert stale.status_code == 200
    assert read(stale) == full
    multi = serve_archive(rf.get("/", HTTP_RANGE="bytes=0-9,-10"), _members(album), filename="a.zip")
    body = read(multi)
    assert multi.status_code == 206
    assert full[:10] in body
    assert full[-10:] in body


def test_head_and_304_open_no_member(
    rf: RequestFactory, album: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("a member was opened")

    etag = serve_archive(rf.head("/"), _members(album), filename="album.zip")["ETag"]
    monkeypatch.setattr(members_module, "open_file", refuse)
    head = serve_archive(rf.head("/"), _members(album), filename="album.zip")
    assert head.status_code == 200
    assert read(head) == b""
    not_modified = serve_archive(rf.get("/", HTTP_IF_NONE_MATCH=etag), _members(album), filename="album.zip")
    assert not_modified.status_code == 304
    failed = serve_archive(rf.get("/", HTTP_IF_MATCH='"other"'), _members(album), filename="album.zip")
    assert failed.status_code == 412


def test_a_missing_member_answers_404_before_any_byte(rf: RequestFactory, album: Path) -> None:
    with pytest.raises(Http404):
        serve_archive(rf.get("/"), [*_members(album), ("gone.txt", album / "gone.txt")], filename="a.zip")
    with pytest.raises(Http404):
        serve_archive(rf.get("/"), [("folder", album)], filename="a.zip")


@pytest.mark.parametrize("name", ["../evil.sh", "/etc/cron.d/x", "C:/x.bat", "a\\..\\b", "a\x00b"])
def test_zip_slip_names_raise_value_error(rf: RequestFactory, album: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"archive member name"):
        serve_archive(rf.get("/"), [(name, b"x")], filename="a.zip")


@pytest.mark.parametrize(
    ("members", "options", "error", "message"),
    [
        ([("a", b"x")], {"filename": ""}, TypeError, "filename must be a non-empty str"),
        ([("a", b"x")], {"compression": "zstd"}, ValueError, "compression must be None"),
        ([("a", 42)], {}, TypeError, "'a': the source must be a path"),
        (["a"], {}, TypeError, "an (arcname, source) pair or an ArchiveMember"),
        ("a.txt", {}, TypeError, "members must be an iterable"),
        ([("a", b"x")], {"pk": 1}, TypeError, "unexpected keyword argument 'pk'"),
    ],
)
def test_misuse_is_named(
    rf: RequestFactory, members: Any, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    options = {"filename": "a.zip", **options}
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        serve_archive(rf.get("/"), members, **options)


def _generated() -> Iterator[bytes]:
    yield b"id,total\r\n"
    yield b"1,42\r\n"


async def _agenerated() -> AsyncIterator[bytes]:
    for row in _generated():
        yield row


def test_a_stream_member_makes_an_unsized_archive_without_ranges(rf: RequestFactory, album: Path) -> None:
    response = serve_archive(
        rf.get("/", HTTP_RANGE="bytes=0-9"),
        [("report.csv", _generated()), *_members(album)],
        filename="a.zip",
    )
    assert response.status_code == 200
    assert "Content-Length" not in response
    assert response["Accept-Ranges"] == "none"
    entries = _entries(read(response))
    assert entries["report.csv"] == b"id,total\r\n1,42\r\n"


def test_deflate_compresses_without_length_or_ranges(rf: RequestFactory, album: Path) -> None:
    text = b"the same line again\n" * 10_000
    response = serve_archive(rf.get("/"), [("log.txt", text)], filename="a.zip", compression="deflate")
    assert "Content-Length" not in response
    assert response["Accept-Ranges"] == "none"
    body = read(response)
    assert len(body) < len(text) // 20
    assert _entries(body) == {"log.txt": text}


def test_caller_metadata_is_used(rf: RequestFactory, album: Path) -> None:
    member = ArchiveMember("notes.txt", b"hello", modified=MTIME + 3600)
    response = serve_archive(rf.get("/"), [member], filename="notes.zip")
    assert response["Last-Modified"] == "Tue, 14 Nov 2023 23:13:20 GMT"
    info = zipfile.ZipFile(io.BytesIO(read(response))).getinfo("notes.txt")
    assert info.date_time == (2023, 11, 14, 23, 13, 20)


def test_as_a_urlpattern_with_a_members_callable(client: Client, album: Path) -> None:
    response = client.get("/archives/album.zip")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="folder.zip"'
    assert sorted(_entries(read(response))) == ["cat.jpg", "dog.jpg", "empty.txt"]


async def test_aserve_archive_under_asgi(async_client: AsyncClient, album: Path) -> None:
    response: Any = await async_client.get("/async/archives/album.zip", headers={"Range": "bytes=10-"})
    assert response.status_code == 206
    assert response.is_async
    body = await aread(response)
    full: Any = await async_client.get("/async/archives/album.zip")
    assert (await aread(full))[10:] == body


async def test_aserve_archive_streams_async_iterables(rf: RequestFactory) -> None:
    response = await aserve_archive(rf.get("/"), [("report.csv", _agenerated())], filename="r.zip")
    # A WSGI request: its sync body drives the async iterable on a loop of its own.
    entries = _entries(await asyncio.to_thread(read, response))
    assert entries == {"report.csv": b"id,total\r\n1,42\r\n"}


def test_optimized_download_leaves_archives_to_django(rf: RequestFactory, album: Path) -> None:
    # The members lie in the location, but the archive is made by Django: never handed over.
    @optimized_download(backend="nginx", locations=[{"root": str(album), "url": "/_protected/"}])
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_archive(request, _members(album), filename="album.zip")

    response = view(rf.get("/"))
    assert "X-Accel-Redirect" not in response
    body = read(response)
    assert response["Content-Length"] == str(len(body))
    assert sorted(_entries(body)) == ["photos/cat.jpg", "photos/dog.jpg", "photos/empty.txt"]


def test_download_signals_fire_for_archives(rf: RequestFactory, album: Path) -> None:
    events: list[tuple[str, dict[str, Any]]] = []

    def started(**kwargs: Any) -> None:
        events.append(("started", kwargs))

    def finished(**kwargs: Any) -> None:
        events.append(("finished", kwargs))

    download_started.connect(started)
    download_finished.connect(finished)
    try:
        response = serve_archive(rf.get("/", HTTP_RANGE="bytes=10-"), _members(album), filename="a.zip")
        body = read(response)
    finally:
        download_started.disconnect(started)
        download_finished.disconnect(finished)
    assert [name for name, _ in events] == ["started", "finished"]
    outcome = events[1][1]
    assert (outcome["status"], outcome["bytes_sent"], outcome["complete"], outcome["offloaded"]) == (
        206,
        len(body),
        True,
        False,
    )
