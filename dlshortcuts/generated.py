"""Content made by the application: bytes, text, file objects, iterables, callables."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import AsyncIterable, Iterable
from typing import IO, Any

from django.http import HttpRequest
from django.utils.http import quote_etag

from .bodies import FileBlocks
from .download import Download

__all__ = ["resolve_content"]


def resolve_content(
    request: HttpRequest,
    content: Any,
    *,
    filename: str,
    size: int | None,
    charset: str,
    url_kwargs: dict[str, Any],
) -> Download:
    """Describe generated ``content`` as a Download.

    :param content: bytes or str (sized, ETag from the bytes, ranges
        honoured), a file-like object (ranges honoured when seekable), an
        iterable or async iterable of bytes/str (streamed), or a callable
        returning one of those, called as ``content(request, **url_kwargs)``.
    :param size: the length of a stream, when the caller knows it.
    :param charset: how str content is encoded.
    :raises TypeError: for anything else, naming what was given.
    """
    if callable(content) and not _is_content(content):
        content = content(request, **url_kwargs)
    if isinstance(content, str):
        content = content.encode(charset)
    if isinstance(content, (bytes, bytearray, memoryview)):
        data = bytes(content)
        etag = quote_etag(hashlib.blake2b(data, digest_size=12).hexdigest())
        return Download(filename=filename, size=len(data), etag=etag, file=io.BytesIO(data))
    if hasattr(content, "read"):
        return _file_like(content, filename, size)
    if isinstance(content, (Iterable, AsyncIterable)):
        return Download(filename=filename, size=size, stream=content)
    raise TypeError(
        "serve_generated() content must be bytes, str, a file-like object, an "
        f"iterable or async iterable of bytes/str, or a callable returning one; got {type(content).__name__}"
    )


def _is_content(value: Any) -> bool:
    # File-like objects and iterables can be callable too (rarely); they are content.
    return hasattr(value, "read") or isinstance(value, (bytes, str, Iterable, AsyncIterable))


def _file_like(file: IO[bytes], filename: str, size: int | None) -> Download:
    if _seekable(file):
        return Download(filename=filename, size=_size(file) if size is None else size, file=file)
    # An unseekable file is read once, front to back, like any stream.
    return Download(filename=filename, size=size, stream=FileBlocks(file))


def _seekable(file: IO[bytes]) -> bool:
    try:
        return bool(file.seekable())
    except (AttributeError, ValueError):
        return False


def _size(file: IO[bytes]) -> int | None:
    """The size of a seekable file object, without reading it."""
    try:
        return os.fstat(file.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        pass
    position = file.tell()
    size = file.seek(0, os.SEEK_END)
    file.seek(position)
    return size
