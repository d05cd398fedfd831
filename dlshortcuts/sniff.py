"""Content types: from the download name, or sniffed from leading bytes with python-magic."""

from __future__ import annotations

import mimetypes
import threading
from functools import lru_cache

import magic

__all__ = [
    "ACTIVE_CONTENT_TYPES",
    "SNIFF_BYTES",
    "guess_content_type",
    "is_active_content_type",
    "sniff_buffer",
    "sniff_file",
]

#: How many leading bytes libmagic may look at. 16 KiB tells DOCX/XLSX from a
#: plain zip (under ~2 KiB does not) while keeping a sniff to one small read.
SNIFF_BYTES = 16 * 1024

#: Types a browser would render and run scripts in: never shown inline on the
#: strength of a sniff.
ACTIVE_CONTENT_TYPES = frozenset(
    {
        "application/ecmascript",
        "application/javascript",
        "application/x-javascript",
        "application/xhtml+xml",
        "application/xml",
        "image/svg",
        "image/svg+xml",
        "text/ecmascript",
        "text/html",
        "text/javascript",
        "text/xml",
    }
)

# A compressed file is served as the archive it is, never with a
# Content-Encoding that would make the client decompress it (the same choice
# as Django's FileResponse).
_ARCHIVE_TYPES = {
    "br": "application/x-brotli",
    "bzip2": "application/x-bzip",
    "compress": "application/x-compress",
    "gzip": "application/gzip",
    "xz": "application/x-xz",
}
# libmagic's answers when it could not tell: no better than no answer.
_UNKNOWN = frozenset({"application/octet-stream", "inode/x-empty", "application/x-empty"})

_local = threading.local()


def guess_content_type(filename: str) -> str | None:
    """The content type a download name tells, or None when it tells nothing.

    :param filename: the download name, e.g. ``"report.csv.gz"``.
    """
    content_type, encoding = mimetypes.guess_type(filename, strict=False)
    if encoding:
        return _ARCHIVE_TYPES.get(encoding, "application/octet-stream")
    # ".bin" and the like name no format: as good as no extension.
    return None if content_type == "application/octet-stream" else content_type


def is_active_content_type(content_type: str) -> bool:
    """Whether a browser showing this type inline could run scripts from it."""
    return content_type.split(";", 1)[0].strip().lower() in ACTIVE_CONTENT_TYPES


def _magic() -> magic.Magic:
    # One libmagic handle per thread: a handle is not safe to share, and
    # python-magic's own lock would serialise every worker thread on it.
    handle: magic.Magic | None = getattr(_local, "magic", None)
    if handle is None:
        handle = magic.Magic(mime=True)
        handle.setparam(magic.MAGIC_PARAM_BYTES_MAX, SNIFF_BYTES)
        _local.magic = handle
    return handle


def sniff_buffer(data: bytes) -> str | None:
    """The content type libmagic reads in ``data`` (only its first bytes are used).

    :returns: a type such as ``"application/pdf"``, or None when libmagic
        cannot tell.
    """
    found = _magic().from_buffer(data[:SNIFF_BYTES])
    return None if found in _UNKNOWN else found


@lru_cache(maxsize=4096)
def sniff_file(path: str, size: int, mtime_ns: int) -> str | None:  # noqa: ARG001 - cache key
    """The content type libmagic reads in the file at ``path``, cached.

    ``size`` and ``mtime_ns`` are part of the cache key only: a file that
    changes gets sniffed again. libmagic reads at most :data:`SNIFF_BYTES`.

    :param path: an absolute path to a regular file.
    :param size: the file's size, from the stat the caller already made.
    :param mtime_ns: the file's ``st_mtime_ns``.
    """
    found = _magic().from_file(path)
    return None if found in _UNKNOWN else found
