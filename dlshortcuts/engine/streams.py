"""Stream bodies: generated content and unseekable files, batched into blocks for WSGI or ASGI.

A million small CSV rows become a few thousand writes (and, under ASGI, a
few thousand thread hops). The stream belongs to the Download: nothing here
closes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import IO

from asgiref.sync import sync_to_async

from dlshortcuts.engine.bodies import BLOCK_SIZE

Stream = Iterable[bytes | str] | AsyncIterable[bytes | str]


class FileBlocks:
    """A file-like object read front to back in blocks (never line by line)."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def __iter__(self) -> Iterator[bytes]:
        while block := self._file.read(BLOCK_SIZE):
            yield block


class _Batch:
    """Items joined until a block is full."""

    def __init__(self, charset: str) -> None:
        self._charset = charset
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, item: bytes | str) -> bool:
        """Add ``item``; True once the block is full."""
        data = item.encode(self._charset) if isinstance(item, str) else bytes(item)
        self._parts.append(data)
        self._size += len(data)
        return self._size >= BLOCK_SIZE

    def take(self) -> bytes:
        return b"".join(self._parts)


def _batch(iterator: Iterator[bytes | str], charset: str) -> bytes:
    batch = _Batch(charset)
    for item in iterator:
        if batch.add(item):
            break
    return batch.take()


async def _abatch(iterator: AsyncIterator[bytes | str], charset: str) -> bytes:
    batch = _Batch(charset)
    while True:
        try:
            item = await anext(iterator)
        except StopAsyncIteration:
            break
        if batch.add(item):
            break
    return batch.take()


def iter_stream(stream: Stream, charset: str) -> Iterator[bytes]:
    """A sync iterator of blocks over a generated stream (for WSGI)."""
    if isinstance(stream, AsyncIterable):
        yield from _drive_async(stream, charset)
        return
    iterator = iter(stream)
    while block := _batch(iterator, charset):
        yield block


def _drive_async(stream: AsyncIterable[bytes | str], charset: str) -> Iterator[bytes]:
    """Consume an async iterable from sync code on a private event loop,
    block by block (Django would collect it into a list first)."""
    iterator = aiter(stream)
    loop = asyncio.new_event_loop()
    try:
        while block := loop.run_until_complete(_abatch(iterator, charset)):
            yield block
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            loop.run_until_complete(aclose())
        loop.close()


async def aiter_stream(stream: Stream, charset: str) -> AsyncIterator[bytes]:
    """An async iterator of blocks over a generated stream (for ASGI).

    A sync iterable runs in Django's thread-sensitive executor, where the
    ORM may be used, one block per hop.
    """
    if isinstance(stream, AsyncIterable):
        iterator = aiter(stream)
        while block := await _abatch(iterator, charset):
            yield block
        return
    sync_iterator = iter(stream)
    next_batch = sync_to_async(_batch, thread_sensitive=True)
    while block := await next_batch(sync_iterator, charset):
        yield block
