"""Body iterators: file slices for wsgi.file_wrapper, ranges and parts of a file read sync and async."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
from pathlib import Path
from typing import IO, Any

import pytest

from dlshortcuts.download import Download
from dlshortcuts.engine.bodies import (
    BLOCK_SIZE,
    INLINE_READ_SIZE,
    FileSlice,
    TruncatedFileError,
    aiter_pieces,
    empty_async,
    has_fileno,
    iter_pieces,
)
from dlshortcuts.http.ranges import ByteRange, Piece

DATA = bytes(range(256)) * 1024  # 256 KiB


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    return path


def test_file_slice_reads_only_its_range(path: Path) -> None:
    with open(path, "rb") as file:
        file_slice = FileSlice(file, ByteRange(10, 20))
        assert file.tell() == 10  # positioned for sendfile() up front
        assert file_slice.fileno() == file.fileno()
        assert file_slice.read(4) == DATA[10:14]
        assert file_slice.read() == DATA[14:20]
        assert file_slice.read() == b""
        assert file_slice.read(0) == b""


def test_file_slice_iterates_in_blocks_and_its_download_closes_the_file(path: Path) -> None:
    download = Download(filename="data.bin", file=open(path, "rb"))  # noqa: SIM115 - the download closes it
    assert download.file is not None
    file_slice = FileSlice(download.file, ByteRange(1, len(DATA)), block_size=BLOCK_SIZE)
    blocks = list(file_slice)
    assert [len(b) for b in blocks] == [BLOCK_SIZE] * 3 + [BLOCK_SIZE - 1]
    assert b"".join(blocks) == DATA[1:]
    download.close()
    assert download.file.closed


def test_file_slice_counts_a_block_once_the_server_asks_for_the_next(path: Path) -> None:
    with open(path, "rb") as file:
        file_slice = FileSlice(file, ByteRange(10, 10 + 3 * BLOCK_SIZE))
        assert file_slice.delivered() == (None, None)  # the server has said nothing yet
        file_slice.read(BLOCK_SIZE)
        assert file_slice.delivered() == (0, False)  # in hand, not yet written
        file_slice.read(BLOCK_SIZE)
        assert file_slice.delivered() == (BLOCK_SIZE, False)
        file_slice.read(BLOCK_SIZE)
        assert file_slice.read(BLOCK_SIZE) == b""
        assert file_slice.delivered() == (3 * BLOCK_SIZE, True)


def test_file_slice_learns_where_socket_sendfile_stopped(path: Path) -> None:
    # CPython's socket.sendfile() seeks its file to offset + sent when done.
    with open(path, "rb") as file:
        file_slice = FileSlice(file, ByteRange(100, 1100))
        assert file_slice.seek(600) == 600
        assert file_slice.delivered() == (500, False)
        assert file_slice.read(10) == DATA[600:610]  # reads go on from there
        file_slice.seek(1100)
        assert file_slice.delivered() == (1000, True)
        file_slice.seek(5000)  # never past the slice
        assert file_slice.delivered() == (1000, True)


def test_file_slice_through_a_real_socket_sendfile(path: Path) -> None:
    with open(path, "rb") as file:
        file_slice = FileSlice(file, ByteRange(7, 7 + 100_000))
        server, client = socket.socketpair()
        with server, client:
            server.setblocking(True)
            sent = server.sendfile(file_slice, offset=7, count=100_000)
            received = b""
            while len(received) < sent:
                received += client.recv(65536)
        assert sent == 100_000
        assert received == DATA[7 : 7 + 100_000]
        assert file_slice.delivered() == (100_000, True)


def test_file_slice_sent_whole_is_not_checked_again_when_closed(path: Path) -> None:
    with open(path, "rb") as file:
        file_slice = FileSlice(file, ByteRange(0, 1000))
        file_slice.seek(1000)  # where socket.sendfile() leaves it after sending the whole slice
        path.write_bytes(DATA[:10])  # shrinks afterwards: the client already has every byte
        file_slice.ensure_complete()
        assert file_slice.delivered() == (1000, True)


@pytest.mark.parametrize("taken", [None, 500])
def test_file_slice_not_known_sent_whole_checks_its_file_when_closed(path: Path, taken: int | None) -> None:
    with open(path, "rb") as file:
        file_slice = FileSlice(file, ByteRange(0, 1000))
        if taken is not None:
            file_slice.seek(taken)  # sendfile(2) stopped short
        path.write_bytes(DATA[:10])
        with pytest.raises(TruncatedFileError, match="shrank"):
            file_slice.ensure_complete()


def test_pieces_sync_and_async(path: Path) -> None:
    pieces: list[Piece] = [b"head", ByteRange(0, 3), b"mid", ByteRange(BLOCK_SIZE - 1, BLOCK_SIZE * 3 + 5)]
    expected = b"head" + DATA[:3] + b"mid" + DATA[BLOCK_SIZE - 1 : BLOCK_SIZE * 3 + 5]
    with open(path, "rb") as file:
        assert b"".join(iter_pieces(file, pieces)) == expected

        async def collect() -> bytes:
            return b"".join([chunk async for chunk in aiter_pieces(file, pieces)])

        assert asyncio.run(collect()) == expected


def test_has_fileno(path: Path) -> None:
    with open(path, "rb") as file:
        assert has_fileno(file)
    assert not has_fileno(io.BytesIO())


def test_empty_async() -> None:
    async def collect() -> list[bytes]:
        return [chunk async for chunk in empty_async()]

    assert asyncio.run(collect()) == []


def test_async_pieces_read_a_small_local_file_on_the_loop(path: Path) -> None:
    """A read of a file on disk up to INLINE_READ_SIZE is made on the event loop; larger reads,
    and every read of any other file object (a remote object's is a request), in a worker thread."""
    readers: list[str] = []

    class RecordingDisk(io.FileIO):
        def readinto(self, buffer: Any) -> int | None:
            readers.append(threading.current_thread().name)
            return super().readinto(buffer)

    class RecordingRemote(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            readers.append(threading.current_thread().name)
            return super().read(size)

    def collect(file: IO[bytes], pieces: list[Piece]) -> tuple[bytes, list[str]]:
        async def run() -> tuple[bytes, str]:
            return b"".join(
                [chunk async for chunk in aiter_pieces(file, pieces)]
            ), threading.current_thread().name

        readers.clear()
        body, loop = asyncio.run(run())
        return body, ["loop" if name == loop else "thread" for name in readers]

    with io.BufferedReader(RecordingDisk(path)) as disk:
        assert collect(disk, [ByteRange(0, INLINE_READ_SIZE)]) == (DATA[:INLINE_READ_SIZE], ["loop"])
        body, where = collect(disk, [ByteRange(0, INLINE_READ_SIZE + 1)])
        assert (body, set(where)) == (DATA[: INLINE_READ_SIZE + 1], {"thread"})
    assert collect(RecordingRemote(DATA), [ByteRange(0, 10)]) == (DATA[:10], ["thread"])
