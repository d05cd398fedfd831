"""ZIP archives of many members, streamed without being built first (serve_archive).

``layout`` computes the archive's bytes around the members' data (pure);
``members`` describes each member without reading it; ``reader`` serves a
stored archive of known length as a seekable file, so the engine's Range,
If-Range and multi-range rules apply unchanged; ``stream`` writes the other
archives front to back.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, Iterable
from typing import IO, Any, cast

from django.http import HttpRequest
from django.utils.http import quote_etag

from dlshortcuts.download import Download
from dlshortcuts.sources.archive.layout import DEFLATED, STORED, Layout
from dlshortcuts.sources.archive.members import as_member, resolve_member
from dlshortcuts.sources.archive.names import check_names
from dlshortcuts.sources.archive.reader import ArchiveFile
from dlshortcuts.sources.archive.stream import aiter_archive, iter_archive

COMPRESSIONS = {None: STORED, "deflate": DEFLATED}


def call_members(request: HttpRequest, members: Any, url_kwargs: dict[str, Any]) -> Any:
    """``members(request, **url_kwargs)`` when ``members`` is a callable (a urlpattern's view).

    :raises TypeError: when keywords are left but ``members`` is not callable
        (a misspelt option, most likely).
    """
    if callable(members):
        return members(request, **url_kwargs)
    if url_kwargs:
        raise TypeError(
            f"serve_archive() got an unexpected keyword argument {sorted(url_kwargs)[0]!r}: only a "
            "callable members receives extra keyword arguments (check the option's spelling)"
        )
    return members


def resolve_archive(items: Iterable[object], *, filename: str, compression: str | None) -> Download:
    """Describe the archive of ``items`` as a Download, opening none of them.

    Stored members of known size give an exact size and a seekable file
    (Range); anything else a stream. The ETag comes from the names and the
    members' validators, Last-Modified from the newest member.

    :raises ValueError: for a bad or repeated name, or an unknown ``compression``.
    :raises TypeError: for a member or source of the wrong kind, or a bad ``filename``.
    :raises Http404: when a member is missing.
    """
    if not isinstance(filename, str) or not filename:
        raise TypeError(
            f"serve_archive() filename must be a non-empty str, such as 'album.zip', not {filename!r}"
        )
    if compression not in COMPRESSIONS:
        raise ValueError(
            f"serve_archive() compression must be None (stored) or 'deflate', not {compression!r}"
        )
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(
            f"serve_archive() members must be an iterable of (arcname, source) pairs, not {items!r}"
        )
    download = Download(filename=filename, content_type="application/zip")
    with download.closing_on_error():
        members = [as_member(item) for item in items]
        check_names(member.arcname for member in members)
        resolved = [resolve_member(member, download, COMPRESSIONS[compression]) for member in members]
    validators = [(member.entry.name, member.validator) for member in resolved]
    if all(validator is not None for _, validator in validators):
        digest = hashlib.blake2b(repr((compression, validators)).encode(), digest_size=16).hexdigest()
        download.etag = quote_etag(digest)
        # Last-Modified, when each member says when it changed.
        times = [member.entry.modified for member in resolved]
        download.modified = None if None in times else max(times, default=None)  # type: ignore[type-var]
    if compression is None and all(member.opener is not None for member in resolved):
        layout = Layout([member.entry for member in resolved])
        download.size = layout.size
        # A seekable file without a descriptor: the engine reads its ranges block by block.
        download.opener = lambda: cast(IO[bytes], ArchiveFile(layout, resolved, download))
    elif any(isinstance(member.stream, AsyncIterable) for member in resolved):
        download.stream = download.hold(aiter_archive(resolved, download))
    else:
        download.stream = download.hold(iter_archive(resolved, download))
    return download
