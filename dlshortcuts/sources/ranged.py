"""A seekable view of one object in a store, read with one ranged GET per range.

django-storages' cloud files (S3, Google Cloud Storage, Azure) copy the
whole object into a temporary file on the first ``read()``: the first byte
of a 200 MiB download would wait for 200 MiB. :class:`RangedReader` instead
asks the store for exactly the bytes being sent (RFC 9110 §14.2 ``Range`` on
the store's GET) and streams the answer in blocks. Each store's module
(:mod:`~dlshortcuts.sources.s3`, :mod:`~dlshortcuts.sources.gcs`,
:mod:`~dlshortcuts.sources.azure`) says how one ranged GET is made and how
the object's version is pinned.
"""

from __future__ import annotations

from typing import Any, Protocol

from dlshortcuts.sources.seekable import SizedReader

#: What stores record for an upload whose type nobody gave.
GENERIC_TYPE = "application/octet-stream"


class ObjectChanged(OSError):
    """The stored object is no longer the version being served: the read fails, the response is cut."""


class Body(Protocol):
    """The body of one ranged GET: read in blocks, closed to drop the connection."""

    def read(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


class RangedReader(SizedReader):
    """A seekable, read-only view of one stored object that fetches bytes on demand.

    Nothing is requested until the first ``read()``. A range announced with
    :meth:`will_read` is fetched with one ranged GET and read from its body
    block by block; an unannounced ``read(n)`` fetches exactly ``n`` bytes.
    Subclasses make the GET (:meth:`get_range`) conditional on the version
    the object had when it was described, so bytes from two versions are
    never stitched together: the store refuses, the read fails, and the
    server cuts the connection.

    The object's properties, read without downloading it, describe the
    download: size, ETag (quoted, RFC 9110 §8.8.3), modification time and
    the type it was stored with.

    :param size: the object's size in bytes.
    :param etag: the validator announced to clients, or None.
    :param modified: the modification time as a POSIX timestamp.
    :param content_type: the stored type, or None when the store holds only
        the generic ``application/octet-stream`` (the name then tells more).
    """

    def __init__(self, size: int, etag: str | None, modified: float, content_type: str | None) -> None:
        super().__init__(size)
        self.etag = etag
        self.modified = modified
        self.content_type = None if content_type in (None, "", GENERIC_TYPE) else content_type
        self._planned: tuple[int, int] | None = None
        self._body: Body | None = None
        self._body_position = 0
        self._body_stop = 0

    def get_range(self, start: int, stop: int) -> Body:
        """Send one GET for bytes ``[start, stop)`` of the version described, and return its body."""
        raise NotImplementedError

    def will_read(self, start: int, stop: int) -> None:
        """Announce that bytes ``[start, stop)`` are read next, in order (one GET for all)."""
        self._planned = (start, min(stop, self.size))
        self._drop_body()

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self.size - self._position)
        if wanted <= 0:
            return 0
        if self._body is None or self._body_position != self._position or self._position >= self._body_stop:
            self._request(wanted)
        assert self._body is not None
        filled = 0
        while filled < wanted:
            chunk = self._body.read(min(wanted - filled, self._body_stop - self._body_position))
            if not chunk:
                break
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
            self._body_position += len(chunk)
        self._position += filled
        return filled

    def _request(self, wanted: int) -> None:
        """Open a ranged GET at the current position, for the announced range if it covers it."""
        self._drop_body()
        start = self._position
        stop = start + wanted
        if self._planned is not None and self._planned[0] <= start < self._planned[1]:
            stop = max(stop, self._planned[1])
        self._body = self.get_range(start, stop)
        self._body_position = start
        self._body_stop = stop

    def _drop_body(self) -> None:
        if self._body is not None:
            # Closing mid-body drops the connection instead of draining the rest.
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop_body()
        super().close()


class ResponseBody:
    """The body of a streamed ``requests`` response, read as stored (no Content-Encoding decoding).

    :param response: a response made with ``stream=True``.
    """

    def __init__(self, response: Any) -> None:
        self.response = response

    def read(self, size: int, /) -> bytes:
        data: bytes = self.response.raw.read(size)
        return data

    def close(self) -> None:
        self.response.close()
