"""A read-only file of known size whose bytes are made on demand.

The engine serves any seekable file's Range: it seeks to each range and
reads it. A stored object read with ranged GETs
(:class:`~dlshortcuts.sources.ranged.RangedReader`) and a ZIP archive that
is laid out but never built (:class:`~dlshortcuts.sources.archive.reader.ArchiveFile`)
are such files: a seek only moves the position, the next read makes the bytes.
"""

from __future__ import annotations

import io
import os


class SizedReader(io.RawIOBase):
    """The position bookkeeping of a read-only file of ``size`` bytes; subclasses make the bytes."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._position = base + offset
        return self._position
