"""The Download value object."""

from __future__ import annotations

import io
from collections.abc import Iterator

from dlshortcuts import Download


def test_generated_means_no_path_storage_or_url() -> None:
    assert Download(filename="a").generated
    assert not Download(filename="a", path="/srv/a").generated
    assert not Download(filename="a", url="https://example.com/a").generated


def test_close_releases_file_and_stream_and_is_idempotent() -> None:
    closed = []

    def stream() -> Iterator[bytes]:
        try:
            yield b"x"
        finally:
            closed.append(True)

    body = stream()
    next(body)
    file = io.BytesIO(b"x")
    download = Download(filename="a", file=file, stream=body)
    download.close()
    download.close()
    assert file.closed
    assert closed == [True]


def test_close_tolerates_streams_without_close() -> None:
    Download(filename="a", stream=[b"x"]).close()
