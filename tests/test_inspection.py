"""dlshortcuts.testing.reading: reading a response back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import HttpResponse, StreamingHttpResponse

from dlshortcuts.testing.reading import close_response, handover_header, parse_disposition, read_body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, (None, None)),
        ("inline", ("inline", None)),
        ("Attachment; filename=plain.txt", ("attachment", "plain.txt")),
        ('attachment; filename="say \\"hi\\".txt"', ("attachment", 'say "hi".txt')),
        ("attachment; filename=\"naive.pdf\"; filename*=UTF-8''na%C3%AFve.pdf", ("attachment", "naïve.pdf")),
        (
            "inline; filename*=utf-8'en'r%C3%A9sum%C3%A9.pdf; filename=\"resume.pdf\"",
            ("inline", "résumé.pdf"),
        ),
        ("attachment; filename*=ISO-8859-1''caf%E9.txt", ("attachment", "café.txt")),
    ],
)
def test_parse_disposition(header: str | None, expected: tuple[str | None, str | None]) -> None:
    response = HttpResponse()
    if header is not None:
        response.headers["Content-Disposition"] = header
    assert parse_disposition(response) == expected


@pytest.mark.parametrize("header", ["X-Accel-Redirect", "X-Sendfile", "X-LiteSpeed-Location"])
def test_handover_header(header: str) -> None:
    response = HttpResponse()
    assert handover_header(response) is None
    response.headers[header] = "/a%20b"
    assert handover_header(response) == (header, "/a%20b")


class Chunks:
    """A closable body, as Django closes it with the response."""

    def __init__(self) -> None:
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        yield from (b"bo", b"dy")

    def close(self) -> None:
        self.closed += 1


def test_read_body_and_close() -> None:
    chunks = Chunks()
    response = StreamingHttpResponse(chunks)
    assert read_body(response) == b"body"
    assert chunks.closed == 0
    close_response(response)
    close_response(response)
    assert chunks.closed == 1
    assert read_body(HttpResponse(b"plain")) == b"plain"


def test_close_response_leaves_close_old_connections_as_it_found_it() -> None:
    # tests/conftest.py unhooks close_old_connections for every test.
    close_response(HttpResponse())
    assert not request_finished.disconnect(close_old_connections)
    request_finished.connect(close_old_connections)
    close_response(HttpResponse())
    assert request_finished.disconnect(close_old_connections)
