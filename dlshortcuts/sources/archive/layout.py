"""The bytes of a ZIP archive around its members' data, computed without reading any member.

Pure (no Django, no I/O), after PKWARE's APPNOTE.TXT 6.3.10. Every entry
sets general purpose bit 3: its CRC-32 goes in a data descriptor after the
data (§4.3.9), so the first byte of an entry leaves before its CRC is known,
and bit 11: its name is UTF-8 (§4.4.4, appendix D). ZIP64 records appear only
where a size, an offset or the entry count needs them (§4.3.14, §4.5.3); a
ZIP64 local header has the 0x0001 extra field, which tells readers that its
data descriptor holds 8-byte sizes (§4.3.9.2). The same entries always give
the same bytes.
"""

from __future__ import annotations

import bisect
import datetime
import struct
from collections.abc import Sequence
from dataclasses import dataclass

STORED = 0
DEFLATED = 8
#: A 4-byte size or offset at this value or above lives in the ZIP64 extra field.
LIMIT = 0xFFFFFFFF
#: An entry count at this value or above needs the ZIP64 end records.
COUNT_LIMIT = 0xFFFF
_FLAGS = 0x0008 | 0x0800  # bit 3: data descriptor; bit 11: UTF-8 name
_UNIX_FILE = 0o100644 << 16  # external attributes: a regular file, rw-r--r--


@dataclass(frozen=True)
class Entry:
    """What the layout needs of one member.

    :ivar name: the arcname, already checked by :func:`~dlshortcuts.sources.archive.names.check_names`.
    :ivar size: the uncompressed size, None when unknown (a stream).
    :ivar modified: the modification time (POSIX timestamp), None when unknown.
    :ivar method: :data:`STORED` or :data:`DEFLATED`.
    """

    name: str
    size: int | None
    modified: float | None = None
    method: int = STORED

    @property
    def zip64(self) -> bool:
        """Whether the local header carries ZIP64 sizes (so does the data descriptor).

        A stream or a compressed entry may end up past 4 GiB: decided up front.
        """
        return self.size is None or self.method != STORED or self.size >= LIMIT


def dos_time(modified: float | None) -> tuple[int, int]:
    """``(time, date)`` in MS-DOS format (§4.4.6), in UTC, clamped to 1980-2107; 1980 when unknown."""
    if modified is None:
        return 0, (1 << 5) | 1
    # 1980-01-01 and 2107-12-31 23:59:58 UTC: the first and last DOS times.
    clamped = min(max(modified, 315532800), 4354819198)
    moment = datetime.datetime.fromtimestamp(clamped, datetime.timezone.utc)
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    return time, ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day


def _timestamp_extra(entry: Entry) -> bytes:
    """Info-ZIP's extended timestamp (0x5455): the exact UTC time, which DOS time lacks."""
    if entry.modified is None:
        return b""
    return struct.pack("<HHBI", 0x5455, 5, 1, min(max(int(entry.modified), 0), LIMIT))


def local_header(entry: Entry) -> bytes:
    """The local file header (§4.3.7): CRC and sizes are zero, the data descriptor has them."""
    name = entry.name.encode("utf-8")
    extra = _timestamp_extra(entry)
    if entry.zip64:
        extra += struct.pack("<HHQQ", 0x0001, 16, 0, 0)
    time, date = dos_time(entry.modified)
    version = 45 if entry.zip64 else 20
    fixed = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, version, _FLAGS, entry.method, time, date, 0, 0, 0, len(name), len(extra)
    )
    return fixed + name + extra


def local_header_size(entry: Entry) -> int:
    """``len(local_header(entry))``, without building it."""
    timestamp = 0 if entry.modified is None else 9
    return 30 + len(entry.name.encode("utf-8")) + timestamp + (20 if entry.zip64 else 0)


def descriptor(entry: Entry, crc: int, compressed: int, size: int) -> bytes:
    """The data descriptor after an entry's data (§4.3.9), with its signature."""
    layout = "<IIQQ" if entry.zip64 else "<IIII"
    return struct.pack(layout, 0x08074B50, crc, compressed, size)


def descriptor_size(entry: Entry) -> int:
    return 24 if entry.zip64 else 16


def central_header(entry: Entry, crc: int, compressed: int, size: int, offset: int) -> bytes:
    """The central directory header (§4.3.12), ZIP64 fields only for the values that need them."""
    name = entry.name.encode("utf-8")
    wide = [value for value in (size, compressed, offset) if value >= LIMIT]
    extra = _timestamp_extra(entry)
    if wide:
        extra += struct.pack(f"<HH{len(wide)}Q", 0x0001, 8 * len(wide), *wide)
    version = 45 if wide or entry.zip64 else 20
    time, date = dos_time(entry.modified)
    fixed = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        0x0300 | version,  # made by: Unix, so that the external attributes are a mode
        version,
        _FLAGS,
        entry.method,
        time,
        date,
        crc,
        min(compressed, LIMIT),
        min(size, LIMIT),
        len(name),
        len(extra),
        0,
        0,
        0,
        _UNIX_FILE,
        min(offset, LIMIT),
    )
    return fixed + name + extra


def central_header_size(entry: Entry, size: int, offset: int) -> int:
    """``len(central_header(...))`` for a stored entry, without building it."""
    wide = (2 if size >= LIMIT else 0) + (offset >= LIMIT)
    timestamp = 0 if entry.modified is None else 9
    return 46 + len(entry.name.encode("utf-8")) + timestamp + (4 + 8 * wide if wide else 0)


def end_records(count: int, directory_offset: int, directory_size: int) -> bytes:
    """The end of central directory record (§4.3.16), after ZIP64's record and locator when needed."""
    records = b""
    if count >= COUNT_LIMIT or directory_offset >= LIMIT or directory_size >= LIMIT:
        zip64_offset = directory_offset + directory_size
        records = struct.pack(
            "<IQHHIIQQQQ", 0x06064B50, 44, 0x032D, 45, 0, 0, count, count, directory_size, directory_offset
        ) + struct.pack("<IIQI", 0x07064B50, 0, zip64_offset, 1)
    return records + struct.pack(
        "<IHHHHIIH",
        0x06054B50,
        0,
        0,
        min(count, COUNT_LIMIT),
        min(count, COUNT_LIMIT),
        min(directory_size, LIMIT),
        min(directory_offset, LIMIT),
        0,
    )


# The parts of a stored archive, in order.
HEADER, DATA, DESCRIPTOR, CENTRAL, END = range(5)


@dataclass(frozen=True)
class Span:
    """Bytes ``[start, stop)`` of the archive: one part (``kind``) of entry ``index``."""

    start: int
    stop: int
    kind: int
    index: int


class Layout:
    """Where every byte of a stored archive lies, all sizes known: its exact length up front.

    :param entries: stored entries, each with its size.
    """

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = entries
        self.offsets: list[int] = []
        spans: list[Span] = []
        position = 0
        for index, entry in enumerate(entries):
            if entry.size is None or entry.method != STORED:
                raise ValueError(f"entry {entry.name!r}: a layout needs stored entries of known size")
            self.offsets.append(position)
            for kind, length in (
                (HEADER, local_header_size(entry)),
                (DATA, entry.size),
                (DESCRIPTOR, descriptor_size(entry)),
            ):
                spans.append(Span(position, position + length, kind, index))
                position += length
        self.directory_offset = position
        for index, entry in enumerate(entries):
            assert entry.size is not None
            length = central_header_size(entry, entry.size, self.offsets[index])
            spans.append(Span(position, position + length, CENTRAL, index))
            position += length
        self.directory_size = position - self.directory_offset
        self.end = end_records(len(entries), self.directory_offset, self.directory_size)
        spans.append(Span(position, position + len(self.end), END, 0))
        self.size = position + len(self.end)
        self.spans = [span for span in spans if span.stop > span.start]
        self._starts = [span.start for span in self.spans]

    def span_at(self, position: int) -> int:
        """The index in :attr:`spans` of the span holding byte ``position``."""
        return bisect.bisect_right(self._starts, position) - 1

    def data_start(self, index: int) -> int:
        """Where entry ``index``'s data begins."""
        return self.offsets[index] + local_header_size(self.entries[index])

    def literal(self, span: Span, crcs: Sequence[int | None]) -> bytes:
        """The bytes of a span other than DATA; ``crcs[index]`` must be known for its CRC."""
        if span.kind == END:
            return self.end
        entry = self.entries[span.index]
        size = entry.size or 0
        if span.kind == HEADER:
            return local_header(entry)
        crc = crcs[span.index]
        assert crc is not None, "the caller provides the CRC first"
        if span.kind == DESCRIPTOR:
            return descriptor(entry, crc, size, size)
        return central_header(entry, crc, size, size, self.offsets[span.index])
