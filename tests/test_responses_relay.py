"""The engine relays an answer its source already gave (Download.status / Download.headers)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from dlshortcuts.download import Download
from dlshortcuts.engine.respond import respond
from dlshortcuts.options import Options
from tests.reading import read


def relayed(status: int, **fields: object) -> Download:
    return Download(filename="a.pdf", etag='"e1"', modified=0.0, status=status, **fields)  # type: ignore[arg-type]


def test_conditions_are_not_evaluated_again(rf: RequestFactory) -> None:
    request = rf.get(
        "/", headers={"If-None-Match": '"e1"', "If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"}
    )
    response = respond(request, relayed(200, size=3, stream=[b"abc"]), Options())
    assert response.status_code == 200
    assert read(response) == b"abc"
    response.close()


def test_ranges_are_not_evaluated_again(rf: RequestFactory) -> None:
    request = rf.get("/", headers={"Range": "bytes=0-0"})
    download = relayed(
        206,
        stream=[b"bc"],
        headers={"Content-Range": "bytes 1-2/3", "Content-Length": "2", "Accept-Ranges": "bytes"},
    )
    response = respond(request, download, Options())
    assert response.status_code == 206
    assert read(response) == b"bc"
    assert response.headers["Content-Range"] == "bytes 1-2/3"
    assert response.headers["Content-Length"] == "2"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Disposition"] == 'attachment; filename="a.pdf"'
    response.close()


def test_callers_headers_win_over_the_sources(rf: RequestFactory) -> None:
    download = relayed(200, stream=[], headers={"Content-Encoding": "gzip", "X-Source": "1"})
    response = respond(rf.get("/"), download, Options(headers={"X-Source": "2"}))
    assert (response.headers["Content-Encoding"], response.headers["X-Source"]) == ("gzip", "2")
    response.close()


def test_304_keeps_only_what_a_304_may_carry(rf: RequestFactory) -> None:
    download = relayed(304, headers={"Content-Length": "3", "Content-Encoding": "gzip"})
    response = respond(rf.get("/"), download, Options(max_age=60))
    assert response.status_code == 304
    assert dict(response.headers) == {
        "Cache-Control": "private, max-age=60",
        "Last-Modified": "Thu, 01 Jan 1970 00:00:00 GMT",
        "ETag": '"e1"',
    }


@pytest.mark.parametrize(("size", "content_range"), [(3, "bytes */3"), (None, None)])
def test_416_carries_the_complete_length_when_known(
    rf: RequestFactory, size: int | None, content_range: str | None
) -> None:
    closed: list[bool] = []

    class Stream(list[bytes]):
        def close(self) -> None:
            closed.append(True)

    response = respond(rf.get("/"), relayed(416, size=size, stream=Stream()), Options())
    assert response.status_code == 416
    assert response.headers.get("Content-Range") == content_range
    assert list(response) == []
    assert closed == [True]
