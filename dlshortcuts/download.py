"""The Download value object: what is being served, and what is known about it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
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
    :ivar opener: opens ``file`` when a body is about to be sent, for sources
        whose metadata is known without opening them (a model's fields): a
        HEAD or a 304 then never opens the file. It may raise ``Http404``.
    :ivar stream: a one-shot iterable or async iterable of bytes or str.
    :ivar status: set when the source has already answered this request
        itself: an upstream server that was sent its Range and conditional
        headers (200, 206, 304 or 416). The engine then sends that answer
        instead of evaluating the request a second time.
    :ivar headers: header fields of the source's own answer that pass
        through as they are (Content-Range, Content-Encoding ...): they win
        over the computed ones, the caller's ``headers`` option wins over them.
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
    opener: Callable[[], IO[bytes]] | None = field(default=None, repr=False)
    stream: Iterable[bytes | str] | AsyncIterable[bytes | str] | None = field(default=None, repr=False)
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def generated(self) -> bool:
        """True for content made by the application (never offloaded to a proxy)."""
        return self.path is None and self.storage is None and self.url is None

    def open(self) -> IO[bytes] | None:
        """The file, opened through :attr:`opener` on first use; None for streams."""
        if self.file is None and self.opener is not None:
            self.file = self.opener()
            self.opener = None
        return self.file

    def close(self) -> None:
        """Release the open file or stream, if any (safe to call twice)."""
        if self.file is not None:
            self.file.close()
        close = getattr(self.stream, "close", None)
        if callable(close):
            # "generator already executing": under ASGI a sync generator runs
            # in a worker thread, and a client disconnect cancels the request
            # while it does. It is then closed when collected.
            with contextlib.suppress(ValueError):
                close()
