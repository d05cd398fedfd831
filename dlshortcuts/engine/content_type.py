"""Content types: from the download name, or sniffed from leading bytes with python-magic."""

from __future__ import annotations

import functools
import mimetypes
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import magic

from dlshortcuts.download import Download
from dlshortcuts.options import Options

#: What a download whose type nothing tells is served as.
DEFAULT_CONTENT_TYPE = "application/octet-stream"

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
        # Imported here, on the first sniff: importing dlshortcuts and
        # manage.py check must work on a host without libmagic (python-magic
        # raises ImportError at import when the C library is missing).
        import magic  # noqa: PLC0415

        handle = magic.Magic(mime=True)
        handle.setparam(magic.MAGIC_PARAM_BYTES_MAX, SNIFF_BYTES)
        _local.magic = handle
    return handle


def libmagic_error() -> ImportError | None:
    """Why python-magic cannot sniff on this host (it, or the libmagic C library, is missing), or None.

    python-magic raises ImportError at import when libmagic is missing; the
    system checks (dlshortcuts.E071, W071) turn it into an install hint.
    """
    try:
        import magic  # noqa: F401, PLC0415 - imported for the try only; see _magic()
    except ImportError as error:
        return error
    return None


@functools.cache
def can_sniff() -> bool:
    """Whether sniffing works here, asked once per process (a failed import is not cached by Python)."""
    return libmagic_error() is None


def sniff_buffer(data: bytes) -> str | None:
    """The content type libmagic reads in ``data`` (only its first bytes are used).

    :returns: a type such as ``"application/pdf"``, or None when libmagic
        cannot tell.
    """
    found = _magic().from_buffer(data[:SNIFF_BYTES])
    return None if found in _UNKNOWN else found


@functools.lru_cache(maxsize=4096)
def sniff_file(path: str, identity: tuple[int, int, int, int]) -> str | None:  # noqa: ARG001 - cache key
    """The content type libmagic reads in the file at ``path``, cached.

    ``identity`` is part of the cache key only: a file rewritten in place
    (a new ``st_mtime_ns``, to the nanosecond) or replaced by a rename (a
    new inode), even within one second at the same size, is sniffed again.
    libmagic reads at most :data:`SNIFF_BYTES`.

    :param path: an absolute path to a regular file.
    :param identity: ``(st_dev, st_ino, st_size, st_mtime_ns)`` from the
        ``fstat`` the caller already made (:attr:`Download.identity
        <dlshortcuts.Download.identity>`).
    """
    found = _magic().from_file(path)
    return None if found in _UNKNOWN else found


def choose_content_type(download: Download, options: Options) -> tuple[str, bool]:
    """Explicit > declared by the source or told by the name > sniffed > octet-stream.

    :param download: what is served (its declared type, name, path or file).
    :param options: the ``content_type``, ``filename`` and ``sniff`` options.
    :returns: the type and whether it was sniffed.
    """
    if options.content_type is not None:
        return options.content_type, False
    named = download.content_type or guess_content_type(options.filename or download.filename)
    if options.sniff or (options.sniff is None and named is None):
        sniffed = _sniff(download, force=bool(options.sniff))
        if sniffed is not None:
            return sniffed, True
    return named or DEFAULT_CONTENT_TYPE, False


def with_charset(content_type: str, charset: str | None) -> str:
    """``content_type`` with ``; charset=...`` added, for text types only."""
    # A charset parameter means something for text types only.
    if charset and content_type.startswith("text/") and "charset=" not in content_type.lower():
        return f"{content_type}; charset={charset}"
    return content_type


def _sniff(download: Download, *, force: bool) -> str | None:
    if not force and not can_sniff():
        # Without libmagic a name that tells nothing means octet-stream, as
        # with sniff=False, rather than a 500 (W071 says so at start-up).
        # sniff=True goes on and raises python-magic's ImportError (E071).
        return None
    if download.path is None and download.storage is not None:
        # A remote storage's file: reading its head costs a request (a GET
        # on S3, even for HEAD), so only when sniffing is asked for.
        if not force:
            return None
        download.open()
    if download.path is not None and download.identity is not None:
        return sniff_file(download.path, download.identity)
    if download.file is not None and download.file.seekable():
        position = download.file.tell()
        head = download.file.read(SNIFF_BYTES)
        download.file.seek(position)
        return sniff_buffer(head)
    return None
