"""The Download value object."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage

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


def test_delete_on_close_deletes_a_storage_file_after_every_other_resource() -> None:
    log: list[str] = []
    storage = InMemoryStorage()
    name = storage.save("export.csv", ContentFile(b"a,b\n"))
    download = Download(filename="export.csv", storage=storage, name=name)
    download.hold(_Resource(log, "body"))
    download.delete_on_close()
    assert download.temporary
    download.hold(_Resource(log, "opened later"))
    assert storage.exists(name)
    download.close()
    assert log == ["opened later", "body"]
    assert not storage.exists(name)


def test_delete_on_close_unlinks_an_open_file_at_once_on_posix(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"a,b\n")
    download = Download(filename="export.csv", path=str(path), file=path.open("rb"))
    download.delete_on_close()
    assert not path.exists()
    assert download.file is not None
    assert download.file.read() == b"a,b\n"  # the descriptor still reads it
    download.close()


def test_delete_on_close_waits_for_a_file_not_yet_opened(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"a,b\n")
    download = Download(filename="export.csv", path=str(path), opener=path.open)  # type: ignore[arg-type]
    download.delete_on_close()
    assert path.exists()  # a HEAD or a 304 never opens it: deleted on close
    download.close()
    assert not path.exists()


def test_delete_on_close_of_a_file_already_gone_is_quiet(tmp_path: Path) -> None:
    path = tmp_path / "gone.csv"
    path.write_bytes(b"")
    download = Download(filename="gone.csv", path=str(path))
    download.delete_on_close()
    path.unlink()
    download.close()


@pytest.mark.parametrize(
    "download",
    [
        Download(filename="remote.pdf", url="https://example.com/remote.pdf"),
        Download(filename="made.txt", file=io.BytesIO(b"made")),
        Download(filename="rows.csv", stream=iter([b"a"])),
    ],
    ids=["url", "bytes", "stream"],
)
def test_delete_on_close_needs_a_file(download: Download) -> None:
    with pytest.raises(
        ValueError, match=f"delete_when_done=True needs a file to delete, and {download.filename!r}"
    ):
        download.delete_on_close()
    assert not download.temporary
    download.close()
