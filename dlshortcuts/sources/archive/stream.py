"""An archive written front to back: members of unknown size, or deflated ones.

No length is known up front, so there is no Content-Length and no Range:
each entry's sizes and CRC-32 follow its data in a data descriptor, and the
central directory comes last. Members are opened one at a time and released
as soon as their last byte is written; a sync or an async generator, so
that async iterables are read on the event loop.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence

from asgiref.sync import sync_to_async

from dlshortcuts.download import Download
from dlshortcuts.engine.bodies import BLOCK_SIZE, TruncatedFileError
from dlshortcuts.sources.archive.layout import (
    DEFLATED,
    Entry,
    central_header,
    descriptor,
    end_records,
    local_header,
)
from dlshortcuts.sources.archive.members import Resolved


class _Writer:
    """The archive's bytes around the members' data, as the data goes through."""

    def __init__(self) -> None:
        self.offset = 0
        self._directory: list[bytes] = []

    def begin(self, entry: Entry) -> bytes:
        self._entry = entry
        self._start = self.offset
        self._crc = self._size = self._compressed = 0
        self._compressor = zlib.compressobj(6, zlib.DEFLATED, -15) if entry.method == DEFLATED else None
        return self._out(local_header(entry))

    def feed(self, data: bytes) -> bytes:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"archive member {self._entry.name!r}: a stream must yield bytes, not {type(data).__name__}"
            )
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        return self._data(data if self._compressor is None else self._compressor.compress(data))

    def end(self) -> bytes:
        tail = b"" if self._compressor is None else self._data(self._compressor.flush())
        entry = self._entry
        if entry.size is not None and entry.size != self._size:
            raise TruncatedFileError(f"archive member {entry.name!r} changed while the archive was served")
        self._directory.append(central_header(entry, self._crc, self._compressed, self._size, self._start))
        return tail + self._out(descriptor(entry, self._crc, self._compressed, self._size))

    def finish(self) -> bytes:
        directory = b"".join(self._directory)
        return directory + end_records(len(self._directory), self.offset, len(directory))

    def _data(self, data: bytes) -> bytes:
        self._compressed += len(data)
        return self._out(data)

    def _out(self, data: bytes) -> bytes:
        self.offset += len(data)
        return data


def _member_blocks(member: Resolved, owner: Download) -> Iterator[bytes]:
    """A member's bytes in blocks: a file opened now and released at its end, or its sync stream."""
    if member.opener is None:
        assert member.stream is not None
        assert not isinstance(member.stream, AsyncIterable)
        yield from member.stream
        return
    file, handle = member.opener(owner)
    file.seek(0)
    while block := file.read(BLOCK_SIZE):
        yield block
    if handle is not None:
        owner.release(handle)


def iter_archive(members: Sequence[Resolved], owner: Download) -> Iterator[bytes]:
    """The archive as a sync iterator (no member is an async iterable)."""
    writer = _Writer()
    for member in members:
        yield writer.begin(member.entry)
        yield from map(writer.feed, _member_blocks(member, owner))
        yield writer.end()
    yield writer.finish()


async def aiter_archive(members: Sequence[Resolved], owner: Download) -> AsyncIterator[bytes]:
    """The archive as an async iterator: async streams read on the loop, the rest off it."""
    writer = _Writer()
    # Files and sync generators (which may use the ORM) run where sync views run.
    step = sync_to_async(_next_block, thread_sensitive=True)
    for member in members:
        yield writer.begin(member.entry)
        if isinstance(member.stream, AsyncIterable):
            async for data in member.stream:
                yield writer.feed(data)
        else:
            blocks = _member_blocks(member, owner)
            while (block := await step(blocks)) is not None:
                yield writer.feed(block)
        yield writer.end()
    yield writer.finish()


def _next_block(blocks: Iterator[bytes]) -> bytes | None:
    return next(blocks, None)
