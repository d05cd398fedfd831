"""Response bodies: file slices and streams, as sync (WSGI) or async (ASGI) iterators.

Under WSGI a single slice of a real file is handed over as ``file_to_stream``
so the server's ``wsgi.file_wrapper`` can ``sendfile(2)`` it. Under ASGI,
Django's handler would drain a sync iterator into a list (the whole file in
memory), so everything becomes an async iterator whose blocking reads run in
a worker thread, one block at a time.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import IO

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest

from dlshortcuts.http.ranges import ByteRange

__all__ = [
    "ASYNC_BLOCK_SIZE",
    "BLOCK_SIZE",
    "FileBlocks",
    "FileSlice",
    "Piece",
    "TruncatedFileError",
    "aiter_pieces",
    "aiter_stream",
    "announce_range",
    "empty_async",
    "has_fileno",
    "is_asgi",
    "iter_pieces",
    "iter_stream",
]

#: Bytes per read and per write when Python moves the bytes itself.
BLOCK_SIZE = 64 * 1024
#: Larger under ASGI, where each read costs a hop to a worker thread.
ASYNC_BLOCK_SIZE = 256 * 1024

#: A body is a sequence of literal bytes (multipart headers) and file ranges.
Piece = bytes | ByteRange


class TruncatedFileError(OSError):
    """The file ended before the promised Content-Length: the connection must be cut."""


def announce_range(file: IO[bytes], byte_range: ByteRange) -> None:
    """Tell ``file`` which bytes are about to be read front to back, if it cares.

    A remote object (an S3 key) turns the announcement into one ranged
    request for the whole range instead of one request per block; a file on
    disk has no ``will_read`` and is left alone.
    """
    will_read = getattr(file, "will_read", None)
    if will_read is not None:
        will_read(byte_range.start, byte_range.stop)


def _read_exactly(file: IO[bytes], position: int, size: int) -> bytes:
    file.seek(position)
    data = file.read(size)
    if len(data) < size:
        # Sending fewer bytes than Content-Length, then ending cleanly, would
        # let the client believe it has the whole file (RFC 9112 §6.3).
        raise TruncatedFileError("the file shrank while it was being served")
    return data


def _blocks(byte_range: ByteRange, block_size: int) -> Iterator[tuple[int, int]]:
    for position in range(byte_range.start, byte_range.stop, block_size):
        yield position, min(block_size, byte_range.stop - position)


class FileSlice:
    """Bytes ``[start, stop)`` of an open file, shaped for ``wsgi.file_wrapper``.

    The file is positioned at ``start`` up front and ``fileno()`` is the real
    descriptor, so gunicorn sends ``Content-Length`` bytes with ``sendfile(2)``
    from there. Servers without sendfile call ``read()``, which stops at
    ``stop``.
    """

    def __init__(self, file: IO[bytes], byte_range: ByteRange, block_size: int = BLOCK_SIZE):
        self._file = file
        self._range = byte_range
        self._position = byte_range.start
        self.block_size = block_size
        file.seek(byte_range.start)
        announce_range(file, byte_range)

    def fileno(self) -> int:
        """The file's descriptor, for ``sendfile(2)``."""
        return self._file.fileno()

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the slice (all that is left when negative).

        :raises TruncatedFileError: when the file ended before the slice did.
        """
        left = self._range.stop - self._position
        size = left if size < 0 else min(size, left)
        if size <= 0:
            return b""
        data = _read_exactly(self._file, self._position, size)
        self._position += size
        return data

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(self.block_size):
            yield block

    def ensure_complete(self) -> None:
        """Raise :class:`TruncatedFileError` if the file no longer holds the whole slice.

        ``sendfile(2)`` stops silently at the end of a file that shrank while
        it was sent, and the server then ends the response as if it were
        complete (and reads the next request on the connection). Raising
        when the response is closed makes the server drop the connection
        instead, so the client knows the body is short (RFC 9112 §8).
        """
        # Only files with a descriptor become a FileSlice (see has_fileno).
        if not self._file.closed and os.fstat(self._file.fileno()).st_size < self._range.stop:
            raise TruncatedFileError("the file shrank while it was being served")

    def close(self) -> None:
        """Close the file."""
        self._file.close()


class FileBlocks:
    """A file-like object read front to back in blocks (never line by line), closable."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def __iter__(self) -> Iterator[bytes]:
        while block := self._file.read(BLOCK_SIZE):
            yield block

    def close(self) -> None:
        """Close the file, if it can be closed."""
        # Anything with read() is accepted as a file; not everything has close().
        close = getattr(self._file, "close", None)
        if callable(close):
            close()


def iter_pieces(file: IO[bytes], pieces: Iterable[Piece]) -> Iterator[bytes]:
    """Yield the body made of ``pieces``, reading file ranges block by block."""
    for piece in pieces:
        if isinstance(piece, bytes):
            yield piece
        else:
            announce_range(file, piece)
            for position, size in _blocks(piece, BLOCK_SIZE):
                yield _read_exactly(file, position, size)


async def aiter_pieces(file: IO[bytes], pieces: Iterable[Piece]) -> AsyncIterator[bytes]:
    """Async twin of :func:`iter_pieces`; each read runs off the event loop."""
    try:
        for piece in pieces:
            if isinstance(piece, bytes):
                yield piece
            else:
                announce_range(file, piece)
                for position, size in _blocks(piece, ASYNC_BLOCK_SIZE):
                    yield await asyncio.to_thread(_read_exactly, file, position, size)
    except Exception:
        # Django's ASGI handler closes the response after a client disconnect
        # but not when its body raises (a truncated file): close it here.
        file.close()
        raise


def _encode(chunk: bytes | str, charset: str) -> bytes:
    return chunk.encode(charset) if isinstance(chunk, str) else bytes(chunk)


def _batch(iterator: Iterator[bytes | str], charset: str) -> bytes:
    """Join items until a block is full: a million small CSV rows become a
    few thousand writes (and, under ASGI, a few thousand thread hops)."""
    parts: list[bytes] = []
    size = 0
    for item in iterator:
        data = _encode(item, charset)
        parts.append(data)
        size += len(data)
        if size >= BLOCK_SIZE:
            break
    return b"".join(parts)


def iter_stream(stream: Iterable[bytes | str] | AsyncIterable[bytes | str], charset: str) -> Iterator[bytes]:
    """A sync iterator of blocks over a generated stream (for WSGI)."""
    if isinstance(stream, AsyncIterable):
        yield from _drive_async(stream, charset)
        return
    iterator = iter(stream)
    while block := _batch(iterator, charset):
        yield block


async def _abatch(iterator: AsyncIterator[bytes | str], charset: str) -> bytes:
    """Async twin of :func:`_batch`."""
    parts: list[bytes] = []
    size = 0
    while size < BLOCK_SIZE:
        try:
            item = await anext(iterator)
        except StopAsyncIteration:
            break
        data = _encode(item, charset)
        parts.append(data)
        size += len(data)
    return b"".join(parts)


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


async def aiter_stream(
    stream: Iterable[bytes | str] | AsyncIterable[bytes | str], charset: str
) -> AsyncIterator[bytes]:
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


def has_fileno(file: IO[bytes]) -> bool:
    """Whether ``file`` has an OS descriptor a server could ``sendfile(2)`` from."""
    try:
        file.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return False
    return True


def is_asgi(request: HttpRequest) -> bool:
    """Whether Django's ASGI handler will send the response, so its body must be async.

    Django REST framework's ``Request`` wraps Django's as ``request._request``.
    """
    return isinstance(getattr(request, "_request", request), ASGIRequest)


async def empty_async() -> AsyncIterator[bytes]:
    """An empty async body (under ASGI a sync one, even empty, makes Django warn)."""
    nothing: tuple[bytes, ...] = ()
    for chunk in nothing:
        yield chunk
