"""The representation headers of a download: type, disposition, nosniff, caching, validators.

The same for every answer about one download: a 200 carries them all, a 304
the validators and caching ones, a handover all but the body's length.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import itertools

from django.utils.http import http_date, quote_etag

from dlshortcuts.download import Download
from dlshortcuts.engine.content_type import choose_content_type, is_active_content_type, with_charset
from dlshortcuts.http.dates import not_after_now
from dlshortcuts.http.disposition import content_disposition
from dlshortcuts.options import Options


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
