"""The Download value object."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

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


class _Resource:
    def __init__(self, log: list[str], name: str, *, fails: bool = False) -> None:
        self.log, self.name, self.fails = log, name, fails

    def close(self) -> None:
        self.log.append(self.name)
        if self.fails:
            raise OSError(f"{self.name} failed to close")


def test_close_releases_the_last_held_first_and_every_one_despite_a_failure() -> None:
    log: list[str] = []
    download = Download(filename="a")
    download.hold(_Resource(log, "file"))
    download.hold(_Resource(log, "connection", fails=True))
    download.hold(_Resource(log, "stream"))
    with pytest.raises(OSError, match="connection failed to close"):
        download.close()
    assert log == ["stream", "connection", "file"]
    download.close()
    assert log == ["stream", "connection", "file"]


def test_a_resource_held_twice_is_closed_once() -> None:
    log: list[str] = []
    resource = _Resource(log, "file")
    download = Download(filename="a")
    assert download.hold(resource) is resource
    download.hold(resource)
    download.close()
    assert log == ["file"]
