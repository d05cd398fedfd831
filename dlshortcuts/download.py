"""The Download value object: what is being served, and what is known about it."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from django.core.files.storage import Storage

__all__ = ["Download"]


@dataclass(eq=False)
class Download:
    """One resolved source plus its metadata, kept on the response as ``response.download``.

    A shortcut resolves its argument into a Download; the response engine
    turns that into HTTP; ``@optimized_download``, middleware and tests read
    it to learn what is served without touching the body.

    :ivar filename: the download name.
    :ivar size: the length in bytes, when known.
    :ivar modified: the modification time as a POSIX timestamp, when known.
    :ivar content_type: the type the source itself declares (a model field, an
        upstream header), or None to let the engine decide.
    :ivar etag: a validator the source already has (quoted), or None to let
        the engine derive one from size and modification time.
    :ivar path: the absolute path when the bytes are a regular file on disk.
    :ivar storage: the Django storage holding the file, with its ``name``.
    :ivar name: the file's name inside ``storage``.
    :ivar url: the remote URL the bytes come from.
    :ivar file: an open, seekable binary file (owned: the response closes it).
    :ivar stream: a one-shot iterable or async iterable of bytes or str.
    """

    filename: str
    size: int | None = None
    modified: float | None = None
    content_type: str | None = None
    etag: str | None = None
    path: str | None = None
    storage: Storage | None = None
    name: str | None = None
    url: str | None = None
    file: IO[bytes] | None = field(default=None, repr=False)
    stream: Iterable[bytes | str] | AsyncIterable[bytes | str] | None = field(default=None, repr=False)

    @property
    def generated(self) -> bool:
        """True for content made by the application (never offloaded to a proxy)."""
        return self.path is None and self.storage is None and self.url is None

    def close(self) -> None:
        """Release the open file or stream, if any (safe to call twice)."""
        if self.file is not None:
            self.file.close()
        close = getattr(self.stream, "close", None)
        if callable(close):
            close()
