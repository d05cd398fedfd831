"""The Download value object: what is being served, what is known about it, and what it holds open."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from django.core.files.storage import Storage

_T = TypeVar("_T")


class SourceUnavailable(Exception):
    """The source cannot deliver (an upstream failure): answered with an empty ``status``."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(eq=False)
class Download:
    """One resolved source plus its metadata, kept on the response as ``response.download``.

    A shortcut resolves its argument into a Download; the response engine
    turns that into HTTP; ``@optimized_download``, middleware and tests read
    it to learn what is served without touching the body. The Download owns
    every resource its source opened (:meth:`hold`) and releases them all in
    :meth:`close`, which the response calls on every path.

    :ivar filename: the download name.
    :ivar size: the length in bytes, when known.
    :ivar modified: the modification time as a POSIX timestamp, when known.
    :ivar content_type: the type the source itself declares (a model field, an
        upstream header), or None to let the engine decide.
    :ivar etag: a validator the source already has (quoted), or None to let
        the engine derive one from size and modification time.
    :ivar path: the absolute path when the bytes are a regular file on disk.
    :ivar identity: for a file on disk, ``(st_dev, st_ino, st_size,
        st_mtime_ns)`` from the opened file's ``fstat``: it changes whenever
        the bytes may have, even within one second at the same size (what
        the sniffed-type cache is keyed by).
    :ivar storage: the Django storage holding the file, with its ``name``.
    :ivar name: the file's name inside ``storage``.
    :ivar url: the remote URL the bytes come from.
    :ivar file: an open, seekable binary file (held: released by :meth:`close`).
    :ivar opener: opens ``file`` when a body is about to be sent, for sources
        whose metadata is known without opening them (a model's fields): a
        HEAD or a 304 then never opens the file. It may raise ``Http404``.
    :ivar stream: a one-shot iterable or async iterable of bytes or str (held).
    :ivar resolver: completes the Download when the engine needs more than
        its name (see :meth:`resolve`): a remote file is fetched only once
        the engine has decided not to hand it over to the web server.
    :ivar status: set when the source has already answered this request
        itself: an upstream server that was sent its Range and conditional
        headers (200, 206, 304 or 416). The engine then sends that answer
        instead of evaluating the request a second time.
    :ivar headers: header fields of the source's own answer that pass
        through as they are (Content-Range, Content-Encoding ...): they win
        over the computed ones, the caller's ``headers`` option wins over them.
    :ivar temporary: True once the file is to be deleted when the Download is
        released (:meth:`delete_on_close`): its path must not be handed to
        a server that opens it later.
    """

    filename: str
    size: int | None = None
    modified: float | None = None
    content_type: str | None = None
    etag: str | None = None
    path: str | None = None
    identity: tuple[int, int, int, int] | None = None
    storage: Storage | None = None
    name: str | None = None
    url: str | None = None
    file: IO[bytes] | None = field(default=None, repr=False)
    opener: Callable[[], IO[bytes]] | None = field(default=None, repr=False)
    stream: Iterable[bytes | str] | AsyncIterable[bytes | str] | None = field(default=None, repr=False)
    resolver: Callable[[Download], None] | None = field(default=None, repr=False)
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    held: list[object] = field(default_factory=list, init=False, repr=False)
    temporary: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        for resource in (self.file, self.stream):
            if resource is not None:
                self.hold(resource)

    @property
    def generated(self) -> bool:
        """True for content made by the application (never offloaded to a proxy)."""
        return self.path is None and self.storage is None and self.url is None

    def hold(self, resource: _T) -> _T:
        """Take ownership of ``resource`` (anything with ``close()``): :meth:`close` releases it.

        :returns: ``resource``, so that opening and holding read as one step.
        """
        if callable(getattr(resource, "close", None)) and not any(held is resource for held in self.held):
            self.held.append(resource)
        return resource

    def release(self, resource: object) -> None:
        """Close one held resource now (a redirect's answer), before the others."""
        for index, held in enumerate(self.held):
            if held is resource:
                del self.held[index]
                _close(held)
                return

    @contextlib.contextmanager
    def closing_on_error(self) -> Iterator[Download]:
        """Release what is held if the block raises: a source failing half-way leaks nothing."""
        try:
            yield self
        except BaseException:
            self.close()
            raise

    def resolve(self) -> bool:
        """Run :attr:`resolver` once; True when it did (the metadata may have changed).

        :raises Http404: or any error the source reports, after releasing what it held.
        """
        resolver, self.resolver = self.resolver, None
        if resolver is None:
            return False
        with self.closing_on_error():
            resolver(self)
        return True

    def open(self) -> IO[bytes] | None:
        """The file, opened through :attr:`opener` on first use; None for streams."""
        if self.file is None and self.opener is not None:
            opener, self.opener = self.opener, None
            self.file = self.hold(opener())
        return self.file

    def delete_on_close(self) -> None:
        """Delete the file behind this Download when it is released (the ``delete_when_done`` option).

        The file is a path on disk (``serve_path``, a file object opened from
        a path), or a storage's file (``serve_storage``, ``serve_field``),
        deleted through ``storage.delete()``. It is deleted after every other
        resource is released (closed first: Windows cannot delete an open
        file). On POSIX a file on disk that is already open is unlinked at
        once: its descriptor keeps the bytes readable until it is closed, and
        nothing is left behind if the process dies in the middle.

        :raises ValueError: when there is no file to delete (a remote URL,
            generated bytes, a stream).
        """
        deletion = _Deletion.of(self)
        if deletion is None:
            raise ValueError(
                f"delete_when_done=True needs a file to delete, and {self.filename!r} is not one: "
                "use it with serve_path, serve_storage, serve_field, or serve_generated given a "
                "file opened from a path"
            )
        self.temporary = True
        if os.name == "posix" and deletion.path is not None and self.file is not None:
            deletion.close()
        else:
            self.held.insert(0, deletion)  # released last

    def close(self) -> None:
        """Release every held resource, the last held first (safe to call twice)."""
        errors: list[BaseException] = []
        while self.held:
            try:
                _close(self.held.pop())
            except Exception as error:
                errors.append(error)
        if errors:
            raise errors[0]


@dataclass(frozen=True)
class _Deletion:
    """A file to delete: a path on disk, or a name in a storage."""

    path: str | None = None
    storage: Storage | None = None
    name: str | None = None

    @classmethod
    def of(cls, download: Download) -> _Deletion | None:
        if download.path is not None:
            return cls(path=download.path)
        if download.storage is not None and download.name is not None:
            return cls(storage=download.storage, name=download.name)
        name = getattr(download.file, "name", None)
        if isinstance(name, str) and os.path.isfile(name):
            return cls(path=os.path.abspath(name))
        return None

    def close(self) -> None:
        if self.path is not None:
            # Already gone (a NamedTemporaryFile deletes itself on close): done.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
        elif self.storage is not None and self.name is not None:
            self.storage.delete(self.name)


def _close(resource: object) -> None:
    close = getattr(resource, "close", None)
    if callable(close):
        # "generator already executing": under ASGI a sync generator runs in
        # a worker thread, and a client disconnect cancels the request while
        # it does. It is then closed when collected.
        with contextlib.suppress(ValueError):
            close()
