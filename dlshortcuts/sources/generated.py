"""Content made by the application: bytes, text, file objects, iterables, callables."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import AsyncIterable, Iterable, Mapping, Set
from typing import IO, Any

from django.http import HttpRequest
from django.utils.http import quote_etag

from dlshortcuts.download import Download
from dlshortcuts.engine.streams import FileBlocks


def call_content(request: HttpRequest, content: Any, url_kwargs: dict[str, Any]) -> Any:
    """Call ``content`` as ``content(request, **url_kwargs)`` when it is a factory.

    :param content: what was given to ``serve_generated``.
    :param url_kwargs: the keywords left once the options are taken (URL
        kwargs when used in ``urlpatterns``).
    :raises TypeError: when keywords are left but ``content`` is not a
        callable that could take them (a misspelt option, most likely).
    """
    if callable(content) and not is_content(content):
        return content(request, **url_kwargs)
    if url_kwargs:
        unknown = sorted(url_kwargs)[0]
        raise TypeError(
            f"serve_generated() got an unexpected keyword argument {unknown!r}: only a callable "
            "content receives extra keyword arguments (check the option's spelling)"
        )
    return content


def resolve_content(content: Any, *, filename: str, size: int | None, charset: str) -> Download:
    """Describe generated ``content`` as a Download.

    :param content: bytes or str (sized, ETag from the bytes, ranges
        honoured), a file-like object (ranges honoured when seekable), or an
        iterable or async iterable of bytes/str (streamed).
    :param filename: the download name.
    :param size: the length of a stream, when the caller knows it.
    :param charset: how str content is encoded.
    :raises TypeError: for anything else, naming what was given.
    """
    if not isinstance(filename, str) or not filename:
        # Python's own "expected str ... not NoneType" names no argument.
        raise TypeError(
            f"serve_generated() filename must be the download's name as a non-empty str, such as "
            f"'report.csv', not {filename!r}"
        )
    if isinstance(content, str):
        content = content.encode(charset)
    if isinstance(content, (bytes, bytearray, memoryview)):
        data = bytes(content)
        etag = quote_etag(hashlib.blake2b(data, digest_size=12).hexdigest())
        return Download(filename=filename, size=len(data), etag=etag, file=io.BytesIO(data))
    if hasattr(content, "read"):
        return _file_like(content, filename, size)
    if isinstance(content, (Mapping, Set)):
        # Iterating a dict gives its keys: {"a": 1} would be served as "a".
        raise TypeError(
            f"serve_generated() content must not be a {type(content).__name__}: iterating it gives "
            "its keys (unordered for a set); serialise it first, e.g. json.dumps(content)"
        )
    if isinstance(content, (Iterable, AsyncIterable)):
        return Download(filename=filename, size=size, stream=content)
    raise TypeError(
        "serve_generated() content must be bytes, str, a file-like object, an iterable or async "
        f"iterable of bytes/str, or a callable returning one; got {type(content).__name__}"
    )


def is_content(value: Any) -> bool:
    """Whether ``value`` is content itself rather than a factory of content.

    File-like objects and iterables can be callable too (rarely); they are content.
    """
    return hasattr(value, "read") or isinstance(value, (bytes, str, Iterable, AsyncIterable))


def _file_like(file: IO[bytes], filename: str, size: int | None) -> Download:
    if _seekable(file):
        return Download(filename=filename, size=_size(file) if size is None else size, file=file)
    # An unseekable file is read once, front to back, like any stream.
    download = Download(filename=filename, size=size, stream=FileBlocks(file))
    download.hold(file)
    return download


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
