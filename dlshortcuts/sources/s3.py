"""S3 objects read lazily with ranged GETs, never downloaded whole.

django-storages' ``S3File`` copies the whole object into a temporary file on
the first ``read()``: the first byte of a 200 MiB download would wait for
200 MiB. :class:`ObjectReader` instead asks S3 for exactly the bytes being
sent (RFC 9110 §14.2 ``Range`` on the GetObject request) and streams the
answer in blocks.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import Any

#: The object parameters a GetObject request needs too (customer-provided
#: encryption keys, requester pays); the others only apply to uploads.
DOWNLOAD_PARAMETERS = frozenset(
    {"SSECustomerAlgorithm", "SSECustomerKey", "SSECustomerKeyMD5", "RequestPayer", "ExpectedBucketOwner"}
)


def boto3_object(file: object) -> Any | None:
    """The boto3 ``s3.Object`` behind a storage file, or None.

    django-storages' ``S3File`` (and its subclasses) keeps the loaded object
    as ``obj``; any storage file exposing one the same way is read through
    :class:`ObjectReader` instead of its own buffering ``read()``.
    """
    obj = getattr(file, "obj", None)
    if callable(getattr(obj, "get", None)) and isinstance(getattr(obj, "content_length", None), int):
        return obj
    return None


class ObjectReader(io.RawIOBase):
    """A seekable, read-only view of one S3 object that fetches bytes on demand.

    Nothing is requested until the first ``read()``. A range announced with
    :meth:`will_read` is fetched with one ranged GET and read from its body
    block by block; an unannounced ``read(n)`` fetches exactly ``n`` bytes.
    Every GET carries ``If-Match`` with the ETag the object had when it was
    opened, so bytes from two versions are never stitched together: S3
    answers 412 and the read fails, which cuts the connection.

    :param obj: a loaded boto3 ``s3.Object``.
    :param parameters: extra GetObject parameters (see :data:`DOWNLOAD_PARAMETERS`).
    """

    def __init__(self, obj: Any, parameters: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.obj = obj
        self.size: int = obj.content_length
        self.etag: str | None = obj.e_tag
        self._parameters = {k: v for k, v in (parameters or {}).items() if k in DOWNLOAD_PARAMETERS}
        self._position = 0
        self._planned: tuple[int, int] | None = None
        self._body: Any | None = None
        self._body_position = 0
        self._body_stop = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._position = base + offset
        return self._position

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
        conditions = {} if self.etag is None else {"IfMatch": self.etag}
        answer = self.obj.get(Range=f"bytes={start}-{stop - 1}", **conditions, **self._parameters)
        self._body = answer["Body"]
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
