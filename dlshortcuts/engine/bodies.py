"""File bodies: byte ranges of an open file, as a sync (WSGI) or async (ASGI) iterator.

Under WSGI a single slice of a real file is handed over as ``file_to_stream``
so the server's ``wsgi.file_wrapper`` can ``sendfile(2)`` it, unless it is
small enough to cost less read at once. Under ASGI,
Django's handler would drain a sync iterator into a list (the whole file in
memory), so everything becomes an async iterator whose blocking reads run in
a worker thread, one block at a time. The file belongs to the Download:
nothing here closes it.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import IO

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest

from dlshortcuts.http.ranges import ByteRange, Piece

#: Bytes per read and per write when Python moves the bytes itself.
BLOCK_SIZE = 64 * 1024
#: Larger under ASGI, where each read costs a hop to a worker thread.
ASYNC_BLOCK_SIZE = 256 * 1024
#: Under WSGI, a single range of a file on disk this small is read at once
#: and written like any bytes: for it, ``wsgi.file_wrapper`` and
#: ``sendfile(2)`` cost a gunicorn worker more than the copy (docs/benchmarks.rst).
INLINE_BODY_SIZE = BLOCK_SIZE
#: Under ASGI, a read of a local file this small is made on the event loop:
#: from the page cache it takes a few microseconds, the hop to a worker
#: thread and back about a hundred. A small file's whole body is one such read.
INLINE_READ_SIZE = 64 * 1024


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


def read_exactly(file: IO[bytes], position: int, size: int) -> bytes:
    """``size`` bytes of ``file`` from ``position``.

    :raises TruncatedFileError: when the file holds fewer: sending fewer
        bytes than Content-Length, then ending cleanly, would let the client
        believe it has the whole file (RFC 9112 §6.3).
    """
    file.seek(position)
    data = file.read(size)
    if len(data) < size:
        raise TruncatedFileError("the file shrank while it was being served")
    return data


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
        # What the server has taken: None until it reads or seeks (see delivered()).
        self._taken: int | None = None
        self.block_size = block_size
        file.seek(byte_range.start)
        announce_range(file, byte_range)

    def fileno(self) -> int:
        """The file's descriptor, for ``sendfile(2)``."""
        return self._file.fileno()

    def close(self) -> None:
        """Nothing: the file belongs to the Download (see :meth:`forget_closer`)."""

    def forget_closer(self) -> None:
        """Undo Django's ``file_to_stream.close = response.close`` (WSGIHandler, for ``wsgi.file_wrapper``).

        That makes a reference cycle, response -> slice -> response, which
        only the garbage collector frees: every request's response, headers,
        Download and file objects (33) left for it to find, about 10 us a
        request. The response calls this when closed; the server holds its
        own reference to the closer it was given.
        """
        vars(self).pop("close", None)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the slice (all that is left when negative).

        :raises TruncatedFileError: when the file ended before the slice did.
        """
        # A server reads the next block once it has written the previous one.
        self._taken = self._position - self._range.start
        left = self._range.stop - self._position
        size = left if size < 0 else min(size, left)
        if size <= 0:
            return b""
        data = read_exactly(self._file, self._position, size)
        self._position += size
        return data

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(self.block_size):
            yield block

    def seek(self, position: int) -> int:
        """Move to ``position`` (absolute, in the file), where the next read starts.

        ``socket.sendfile()``, which gunicorn calls for ``wsgi.file_wrapper``,
        seeks its file to where ``sendfile(2)`` stopped once it returns or
        raises (CPython's ``socket._sendfile_use_sendfile``): that is how the
        slice learns how many bytes the kernel took, a disconnect included.
        """
        self._position = min(max(position, self._range.start), self._range.stop)
        self._taken = self._position - self._range.start
        return position

    def delivered(self) -> tuple[int | None, bool | None]:
        """``(bytes the server took, whether that is the whole slice)``.

        ``(None, None)`` when the server neither read nor seeked: it sent the
        descriptor its own way without saying how far it got (uWSGI's
        file wrapper), or the connection failed before the body.
        """
        if self._taken is None:
            return None, None
        return self._taken, self._taken == self._range.stop - self._range.start

    def ensure_complete(self) -> None:
        """Raise :class:`TruncatedFileError` if the file no longer holds the whole slice.

        ``sendfile(2)`` stops silently at the end of a file that shrank while
        it was sent, and the server then ends the response as if it were
        complete (and reads the next request on the connection). Raising
        when the response is closed makes the server drop the connection
        instead, so the client knows the body is short (RFC 9112 §8).
        """
        # A slice the server took whole was sent whole, whatever the file
        # became since: no fstat then (the case under gunicorn's sendfile).
        if self._taken == self._range.stop - self._range.start:
            return
        # Only files with a descriptor become a FileSlice (see has_fileno).
        if not self._file.closed and os.fstat(self._file.fileno()).st_size < self._range.stop:
            raise TruncatedFileError("the file shrank while it was being served")


def wsgi_body(file: IO[bytes], pieces: Sequence[Piece]) -> Iterable[bytes]:
    """The body of ``pieces`` for a WSGI server: the bytes, a :class:`FileSlice` or an iterator.

    A single range of a file with a descriptor is a FileSlice, for the
    server's ``wsgi.file_wrapper`` (zero-copy), unless it is at most
    :data:`INLINE_BODY_SIZE`: that is read here, in one read. A small range
    the file no longer holds whole is a FileSlice too, whose close cuts the
    connection (see :meth:`FileSlice.ensure_complete`). Several ranges, or a
    file without a descriptor, are read block by block as the server asks.
    """
    if len(pieces) != 1 or not isinstance(pieces[0], ByteRange) or not has_fileno(file):
        return iter_pieces(file, pieces)
    byte_range = pieces[0]
    if byte_range.length <= INLINE_BODY_SIZE:
        try:
            return (read_exactly(file, byte_range.start, byte_range.length),)
        except TruncatedFileError:
            pass  # sent as a FileSlice, whose close cuts the connection
    return FileSlice(file, byte_range)


def _steps(file: IO[bytes], pieces: Iterable[Piece], block_size: int) -> Iterator[bytes | tuple[int, int]]:
    """The body of ``pieces`` as literal bytes and ``(position, size)`` reads still to make."""
    for piece in pieces:
        if isinstance(piece, bytes):
            yield piece
            continue
        announce_range(file, piece)
        for position in range(piece.start, piece.stop, block_size):
            yield position, min(block_size, piece.stop - position)


def iter_pieces(file: IO[bytes], pieces: Iterable[Piece]) -> Iterator[bytes]:
    """Yield the body made of ``pieces``, reading file ranges block by block."""
    for step in _steps(file, pieces, BLOCK_SIZE):
        yield step if isinstance(step, bytes) else read_exactly(file, *step)


async def aiter_pieces(file: IO[bytes], pieces: Iterable[Piece]) -> AsyncIterator[bytes]:
    """Async twin of :func:`iter_pieces`; each read runs off the event loop.

    Except the reads of at most :data:`INLINE_READ_SIZE` from a file opened
    by the operating system (``io.FileIO``, raw or buffered: a file on disk,
    opened on the loop too). Any other file object is read in a worker
    thread: a remote object's read is a network request, and so may be
    merely asking a storage's file for its descriptor.
    """
    local = isinstance(getattr(file, "raw", file), io.FileIO)
    for step in _steps(file, pieces, ASYNC_BLOCK_SIZE):
        if isinstance(step, bytes):
            yield step
        elif local and step[1] <= INLINE_READ_SIZE:
            yield read_exactly(file, *step)
        else:
            yield await asyncio.to_thread(read_exactly, file, *step)


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
