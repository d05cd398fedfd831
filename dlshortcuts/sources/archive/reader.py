"""A stored archive as a seekable, read-only file: the engine serves its Range like any file's.

Only the bytes asked for are made. Headers and the end records come from
the layout; a member's data from the member, opened when its first byte is
needed and released through the archive's Download as soon as its last one
is read (one member open at a time). The bytes after a member's data need
its CRC-32: given by the caller, cached, computed on the way while the
member is read from its first byte, or else by reading the member (see
docs/serve_archive.rst, "What a Range costs").
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import IO, Any

from dlshortcuts.download import Download
from dlshortcuts.engine.bodies import TruncatedFileError, announce_range
from dlshortcuts.http.ranges import ByteRange
from dlshortcuts.sources.archive.crcs import CRC_CACHE, crc_of, read_up_to
from dlshortcuts.sources.archive.layout import CENTRAL, DATA, DESCRIPTOR, Layout
from dlshortcuts.sources.archive.members import Resolved
from dlshortcuts.sources.seekable import SizedReader


class _Open:
    """The member being read: its file, what releases it, and its CRC so far."""

    def __init__(self, index: int, file: IO[bytes], handle: object | None) -> None:
        self.index = index
        self.file = file
        self.handle = handle
        self.position = 0
        self.crc: int | None = 0  # of bytes [0, position), None once a seek skipped some


class ArchiveFile(SizedReader):
    """The bytes of ``layout``, made on demand from ``members``.

    :param layout: where each byte lies.
    :param members: the resolved members, in the layout's order.
    :param owner: the archive's Download: each opened member is held by it
        and released through it.
    """

    def __init__(self, layout: Layout, members: Sequence[Resolved], owner: Download) -> None:
        super().__init__(layout.size)
        self._layout = layout
        self._members = members
        self._owner = owner
        self._crcs = [
            0
            if member.entry.size == 0
            else member.crc
            if member.crc is not None
            else CRC_CACHE.get(member.validator)
            for member in members
        ]
        self._stop = layout.size  # of the range announced by will_read
        self._open: _Open | None = None

    def will_read(self, start: int, stop: int) -> None:  # noqa: ARG002 (the engine's signature)
        """Announce that bytes ``[start, stop)`` are read next (see :func:`announce_range`).

        Only ``stop`` matters here: whether a member's descriptor is in the range.
        """
        self._stop = stop

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes from the current position (fewer only at the end).

        Made here rather than through ``readinto``: a member's block goes out
        as the bytes object it was read into, without two more copies.
        """
        left = self.size - self._position
        size = left if size is None or size < 0 else min(size, left)
        parts = []
        while size > 0:
            span = self._layout.spans[self._layout.span_at(self._position)]
            wanted = min(size, span.stop - self._position)
            if span.kind == DATA:
                chunk = self._read_data(span.index, self._position - span.start, wanted)
            else:
                if span.kind in (DESCRIPTOR, CENTRAL):
                    self._crc(span.index)
                start = self._position - span.start
                chunk = self._layout.literal(span, self._crcs)[start : start + wanted]
            parts.append(chunk)
            size -= len(chunk)
            self._position += len(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def _read_data(self, index: int, offset: int, wanted: int) -> bytes:
        current = self._member(index, offset)
        data = read_up_to(current.file, wanted)
        if len(data) < wanted:
            raise self._changed(index)
        if current.crc is not None:
            current.crc = zlib.crc32(data, current.crc)
        current.position += wanted
        size = self._members[index].entry.size
        if current.position == size:
            if current.file.read(1):
                raise self._changed(index)
            if current.crc is not None:
                self._known(index, current.crc)
            self._release()
        return data

    def _member(self, index: int, offset: int) -> _Open:
        """Member ``index`` positioned at ``offset``, opened (and the previous one released) if needed."""
        current = self._open
        if current is None or current.index != index:
            self._release()
            current = self._open = _Open(index, *self._opener(index))
            size = self._members[index].entry.size or 0
            data_start = self._layout.data_start(index)
            # Resuming inside this member up to its descriptor, which needs the CRC:
            # read the bytes before the range now rather than the whole member later.
            catch_up = offset and self._crcs[index] is None and self._stop > data_start + size
            stop = max(offset, min(size, self._stop - data_start))
            announce_range(current.file, ByteRange(0 if catch_up else offset, stop))
            if catch_up:
                current.crc = crc_of(current.file, offset, lambda: self._changed(index))
            else:
                current.file.seek(offset)
                current.crc = self._running(index, offset)
            current.position = offset
        elif current.position != offset:
            current.file.seek(offset)
            current.crc = self._running(index, offset)
            current.position = offset
        return current

    def _running(self, index: int, offset: int) -> int | None:
        """0 to compute the CRC while the member is read from its first byte; None when not needed."""
        return 0 if offset == 0 and self._crcs[index] is None else None

    def _opener(self, index: int) -> tuple[IO[bytes], object | None]:
        opener = self._members[index].opener
        assert opener is not None, "a layout holds members that open"
        return opener(self._owner)

    def _crc(self, index: int) -> int:
        crc = self._crcs[index]
        if crc is None:
            file, handle = self._opener(index)
            try:
                size = self._members[index].entry.size or 0
                announce_range(file, ByteRange(0, size))
                crc = crc_of(file, size, lambda: self._changed(index))
                if file.read(1):
                    raise self._changed(index)
            finally:
                if handle is not None:
                    self._owner.release(handle)
            self._known(index, crc)
        return crc

    def _known(self, index: int, crc: int) -> None:
        self._crcs[index] = crc
        CRC_CACHE.put(self._members[index].validator, crc)

    def _changed(self, index: int) -> TruncatedFileError:
        # Raised mid-body: the server cuts the connection, so the client never
        # takes a short or altered member for a whole archive (RFC 9112 §8).
        name = self._members[index].entry.name
        return TruncatedFileError(f"archive member {name!r} changed while the archive was served")

    def _release(self) -> None:
        current, self._open = self._open, None
        if current is not None and current.handle is not None:
            self._owner.release(current.handle)

    def close(self) -> None:
        try:
            self._release()
        finally:
            super().close()
