"""The representation headers of a download: type, disposition, nosniff, caching, validators.

The same for every answer about one download: a 200 carries them all, a 304
the validators and caching ones, a handover all but the body's length. They
are set on the response here, and for a file on disk remembered per version
of the file (:func:`represent`).
"""

from __future__ import annotations

import calendar
import datetime
import functools
import itertools
import threading
import time
from collections.abc import Hashable, Iterable

from django.http.response import HttpResponseBase
from django.utils.http import http_date, quote_etag

from dlshortcuts.download import Download
from dlshortcuts.engine.content_type import choose_content_type, is_active_content_type, with_charset
from dlshortcuts.engine.decide import Representation
from dlshortcuts.http.dates import not_after_now
from dlshortcuts.http.disposition import content_disposition
from dlshortcuts.options import Options

#: How many versions of files :func:`represent` remembers (about 3 KB each).
REMEMBERED_VERSIONS = 1024

# A response's header store as set_headers() leaves it, its content type
# and what decide() reads, per file version and options.
_Remembered = tuple[tuple[tuple[str, tuple[str, str]], ...], str, Representation]
_remembered: dict[tuple[Hashable, ...], _Remembered] = {}
_remembering = threading.Lock()


def represent(response: HttpResponseBase, download: Download, options: Options) -> tuple[str, Representation]:
    """Set the representation headers of ``download`` on ``response``; its content type and metadata.

    A file on disk is downloaded again and again: what this computes for it
    (the guessed or sniffed type, the disposition, the validators, about
    20 us a request) depends only on the file's version (its
    :attr:`~dlshortcuts.Download.identity`: device, inode, size and mtime to
    the nanosecond), its names and the options. It is computed once per
    version and the header store copied afterwards. Not remembered: a
    source's or the caller's own header fields, and a Last-Modified that had
    to be clamped to the current time (RFC 9110 §8.8.2.1: it changes as the
    clock reaches the file's future mtime), or may have been (an mtime in
    the current second).

    :returns: the content type as computed (the ``headers`` option may
        replace the one sent) and the :class:`Representation` decide() reads.
    """
    key = _version(download, options)
    remembered = None if key is None else _remembered.get(key)
    if remembered is not None:
        fields, content_type, representation = remembered
        response.headers._store.update(fields)  # name.lower() -> (name, value), as set_headers() stores them
        return content_type, representation
    headers, content_type = representation_headers(download, options)
    set_headers(response, headers)
    representation = representation_of(response, download, options)
    modified = representation.last_modified
    if key is not None and (modified is None or modified < int(time.time())):
        with _remembering:
            if len(_remembered) >= REMEMBERED_VERSIONS:
                del _remembered[next(iter(_remembered))]  # the oldest
            store = response.headers._store
            fields = tuple((name, store[name]) for name in dict.fromkeys(name.lower() for name, _ in headers))
            _remembered[key] = (fields, content_type, representation)
    return content_type, representation


def _version(download: Download, options: Options) -> tuple[Hashable, ...] | None:
    """What the representation of ``download`` depends on, or None when it is not to be remembered."""
    if download.identity is None or download.headers or options.headers:
        return None
    seekable = download.file is not None or download.opener is not None
    return (
        download.identity,
        download.path,
        download.filename,
        download.size,
        download.modified,
        download.content_type,
        download.etag,
        seekable,
        options,  # hashable without its headers, which are empty here
    )


def representation_of(response: HttpResponseBase, download: Download, options: Options) -> Representation:
    """What decide() reads about ``download``, with the ETag and Content-Type as set on ``response``.

    The ``headers`` option wins over the computed ones: they are read from
    the store set_headers() writes, ``name.lower() -> (name, value)``.
    """
    store = response.headers._store
    etag = store.get("etag")
    return Representation(
        size=download.size,
        etag=None if etag is None else etag[1],
        last_modified=last_modified(download, options),
        ranges=rangeable(download, options),
        content_type=store["content-type"][1],
    )


def set_headers(response: HttpResponseBase, fields: Iterable[tuple[str, str]]) -> None:
    """Set each ``(name, value)`` of ``fields`` on ``response``, as ``response.headers[name] = value`` does.

    Django checks every assignment: the name must be ASCII, the value
    Latin-1 (else it is MIME-encoded), neither may hold CR or LF (a header
    injection). A ``str`` that is printable ASCII passes those checks
    unchanged, so it is stored as Django would store it, without the cost
    of the checks (nine a request, 9 % of a small download's time); any
    other name or value (non-ASCII, a control character, not a ``str``)
    goes through Django's checks as before.
    """
    store = response.headers._store  # CaseInsensitiveMapping's own dict, name.lower() -> (name, value)
    for name, value in fields:
        if type(name) is str and type(value) is str:
            line = name + value
            if line.isascii() and line.isprintable():
                store[name.lower()] = (name, value)
                continue
        response.headers[name] = value


def representation_headers(download: Download, options: Options) -> tuple[list[tuple[str, str]], str]:
    """The header fields of a 200 for ``download``, in order, and its content type.

    The source's own fields (``download.headers``) win over the computed
    ones, the caller's ``headers`` option wins over both; the content type
    returned is the computed one.
    """
    content_type, sniffed = choose_content_type(download, options)
    # A sniffed type is a guess about content the app may not control:
    # never let it make a browser run uploaded HTML or SVG inline.
    as_attachment = options.as_attachment or (sniffed and is_active_content_type(content_type))
    content_type = with_charset(content_type, options.charset)
    # Downloads are usually private: browsers revalidate, shared caches never store.
    max_age = "no-cache" if options.max_age is None else f"max-age={options.max_age}"
    headers = [
        ("Content-Type", content_type),
        (
            "Content-Disposition",
            _disposition(options.filename or download.filename, as_attachment),
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", f"private, {max_age}"),
    ]
    modified = last_modified(download, options)
    if modified is not None:
        headers.append(("Last-Modified", _http_date(modified)))
    etag = entity_tag(download, options)
    if etag is not None:
        headers.append(("ETag", etag))
    headers.append(("Accept-Ranges", "bytes" if rangeable(download, options) else "none"))
    if download.size is not None:
        headers.append(("Content-Length", str(download.size)))
    if download.headers or options.headers:
        headers.extend(itertools.chain(download.headers.items(), options.headers.items()))
    return headers, content_type


# The same file is downloaded again and again: its name's header value and
# its date are computed once (19 us and 8 us a request otherwise). Both
# are pure functions of their arguments; the caches are bounded.
@functools.lru_cache(maxsize=1024)
def _disposition(filename: str, as_attachment: bool) -> str:
    return content_disposition(filename, as_attachment=as_attachment)


@functools.lru_cache(maxsize=1024)
def _http_date(seconds: int) -> str:
    return http_date(seconds)


def rangeable(download: Download, options: Options) -> bool:
    """Whether a Range may be honoured: asked for, a seekable source, a known size."""
    seekable = download.file is not None or download.opener is not None
    return options.ranges and seekable and download.size is not None


def last_modified(download: Download, options: Options) -> int | None:
    """The modification time in whole seconds, the ``last_modified`` option first."""
    value = options.last_modified if options.last_modified is not None else download.modified
    if isinstance(value, datetime.datetime):
        # As Django's @last_modified: aware datetimes converted, naive ones taken as UTC.
        return not_after_now(calendar.timegm(value.utctimetuple()))
    return not_after_now(None if value is None else int(value))  # RFC 9110 §8.8.2.1


def entity_tag(download: Download, options: Options) -> str | None:
    """The ETag: the ``etag`` option, else the source's, else one from size and mtime."""
    if isinstance(options.etag, str):
        return quote_etag(options.etag)
    if not options.etag:
        return None
    if download.etag is not None:
        return download.etag
    if download.size is None or download.modified is None:
        return None
    # Size and modification time (microseconds), like nginx but finer: no
    # hashing of file contents on the hot path.
    return f'"{download.size:x}-{round(download.modified * 1e6):x}"'
