"""An archive's members: what the caller gives, and what is known about each before reading it."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import stat
import zlib
from collections.abc import AsyncIterable, Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import SuspiciousOperation
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db.models.fields.files import FieldFile
from django.http import Http404

from dlshortcuts.download import Download
from dlshortcuts.engine.bodies import TruncatedFileError
from dlshortcuts.sources.archive.layout import Entry
from dlshortcuts.sources.files import open_file, resolve_under_root
from dlshortcuts.sources.storages import check_name, resolve_storage

#: Opens a member's bytes for reading; the second item is what ``owner.release`` closes (or None).
Opener = Callable[[Download], tuple[IO[bytes], object | None]]


@dataclass(frozen=True)
class ArchiveMember:
    """One file of a :func:`~dlshortcuts.serve_archive` archive, with what the caller already knows.

    A plain ``(arcname, source)`` pair is enough; an ArchiveMember also
    carries metadata kept elsewhere (model fields), so that nothing has to
    ask the disk or the storage, or read the member, for it::

        ArchiveMember(f"documents/{doc.title}.pdf", doc.file,
                      size=doc.size, modified=doc.uploaded_at, crc32=doc.crc32)

    :ivar arcname: the name inside the archive, with ``/`` between folders.
    :ivar source: a path on disk (``str`` or ``os.PathLike``, trusted), a
        Django ``File`` or ``FieldFile``, ``bytes``, or an iterable or async
        iterable of bytes (its size is then unknown).
    :ivar size: the size in bytes of a storage file (no storage call) or of
        a stream (checked as it is sent); a file on disk is measured by one ``stat``.
    :ivar modified: the modification time, a datetime or a POSIX timestamp.
    :ivar crc32: the CRC-32 of the member's bytes, as ``zlib.crc32(data)``
        gives it (computed once at upload, say): a Range after this member
        never reads it to compute its CRC.
    """

    arcname: str
    source: Any
    size: int | None = None
    modified: datetime.datetime | float | None = None
    crc32: int | None = None


@dataclass
class Resolved:
    """A member as the archive sees it.

    :ivar entry: its name, size and time for the layout.
    :ivar validator: changes whenever its bytes may have (ETag, CRC cache key); None when unknown.
    :ivar crc: its CRC-32 when known without reading it.
    :ivar opener: opens its bytes (a seekable file); None for a stream.
    :ivar stream: its bytes as an iterable or async iterable, read once.
    """

    entry: Entry
    validator: tuple[object, ...] | None
    crc: int | None = None
    opener: Opener | None = None
    stream: Iterable[bytes] | AsyncIterable[bytes] | None = None


def as_member(item: object) -> ArchiveMember:
    """An ``(arcname, source)`` pair or an :class:`ArchiveMember` as an ArchiveMember.

    :raises TypeError: for anything else, naming it.
    """
    if isinstance(item, ArchiveMember):
        return item
    if isinstance(item, tuple) and len(item) == 2:
        return ArchiveMember(*item)
    raise TypeError(f"an archive member must be an (arcname, source) pair or an ArchiveMember, not {item!r}")


def resolve_member(member: ArchiveMember, owner: Download, method: int) -> Resolved:
    """What is known about ``member`` without opening it (a ``stat`` or storage metadata at most).

    :param owner: the archive's Download, which holds a caller's File until the end.
    :raises Http404: when the file is missing from its disk or storage.
    :raises TypeError: for a source of another kind, naming the member.
    """
    source, modified = member.source, _timestamp(member.modified)
    resolved: Resolved
    if isinstance(source, (str, os.PathLike)):
        resolved = _path(os.fspath(source), member.arcname, modified)
    elif isinstance(source, FieldFile):
        resolved = _storage(source.storage, source.name or "", member, modified)
    elif isinstance(source, File):
        owner.hold(source)
        resolved = Resolved(
            Entry(member.arcname, source.size, modified), None, opener=lambda _: (source, None)
        )
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        validator = ("bytes", hashlib.blake2b(data, digest_size=16).hexdigest())
        opener: Opener = lambda _: (io.BytesIO(data), None)  # noqa: E731
        resolved = Resolved(Entry(member.arcname, len(data), modified), validator, zlib.crc32(data), opener)
    elif isinstance(source, (Iterable, AsyncIterable)):
        owner.hold(source)
        resolved = Resolved(Entry(member.arcname, member.size, modified), None, stream=source)
    else:
        raise TypeError(
            f"archive member {member.arcname!r}: the source must be a path, a File, bytes or an "
            f"iterable of bytes, not {type(source).__name__}"
        )
    resolved.entry = Entry(resolved.entry.name, resolved.entry.size, resolved.entry.modified, method)
    if member.crc32 is not None:
        resolved.crc = member.crc32
    return resolved


def _path(path: str, arcname: str, modified: float | None) -> Resolved:
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:
        raise Http404("No such file.") from exc
    if not stat.S_ISREG(st.st_mode):
        raise Http404("No such file.")
    identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def opener(owner: Download) -> tuple[IO[bytes], object | None]:
        opened = open_file(path)
        if opened.identity != identity:
            opened.close()
            raise TruncatedFileError(f"archive member {arcname!r} changed while the archive was served")
        return opened.open() or io.BytesIO(), owner.hold(opened)

    entry = Entry(arcname, st.st_size, st.st_mtime_ns / 1e9 if modified is None else modified)
    return Resolved(entry, ("path", os.path.abspath(path), *identity), opener=opener)


def _storage(storage: Storage, name: str, member: ArchiveMember, modified: float | None) -> Resolved:
    name = check_name(name)
    if isinstance(storage, FileSystemStorage):
        return _path(resolve_under_root(storage.location, name), member.arcname, modified)
    size = member.size
    try:
        if size is None:
            size = storage.size(name)
        if modified is None:
            modified = _storage_time(storage, name)
    except (OSError, SuspiciousOperation) as exc:
        raise Http404("No such file.") from exc
    arcname = member.arcname

    def opener(owner: Download) -> tuple[IO[bytes], object | None]:
        opened = owner.hold(resolve_storage(storage, name, size=size, modified=modified))
        file = opened.open()
        if file is None or getattr(file, "size", size) != size:
            raise TruncatedFileError(f"archive member {arcname!r} changed while the archive was served")
        return file, opened

    # Storages know no inode: the name, size and time stand for the bytes.
    where = (
        type(storage).__qualname__,
        getattr(storage, "bucket_name", None),
        getattr(storage, "location", None),
    )
    return Resolved(Entry(arcname, size, modified), ("storage", *where, name, size, modified), opener=opener)


def _storage_time(storage: Storage, name: str) -> float | None:
    try:
        return storage.get_modified_time(name).timestamp()
    except NotImplementedError:
        return None


def _timestamp(value: datetime.datetime | float | None) -> float | None:
    if isinstance(value, datetime.datetime):
        # As the last_modified option: naive datetimes are taken as UTC.
        aware = value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)
        return aware.timestamp()
    return None if value is None else float(value)
