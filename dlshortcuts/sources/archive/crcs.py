"""CRC-32s of archive members: computed by reading, and kept per process by validator."""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import IO

from dlshortcuts.engine.bodies import BLOCK_SIZE, TruncatedFileError


class CrcCache:
    """The CRC-32 of members already read, by their validator, least recently used dropped first.

    One per process: a member read once (by any archive) is never read again
    for its CRC while its validator (inode, size and mtime, or storage name,
    size and time) is unchanged.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._crcs: OrderedDict[tuple[object, ...], int] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, validator: tuple[object, ...] | None) -> int | None:
        if validator is None:
            return None
        with self._lock:
            crc = self._crcs.get(validator)
            if crc is not None:
                self._crcs.move_to_end(validator)
            return crc

    def put(self, validator: tuple[object, ...] | None, crc: int) -> None:
        if validator is None:
            return
        with self._lock:
            self._crcs[validator] = crc
            self._crcs.move_to_end(validator)
            while len(self._crcs) > self.capacity:
                self._crcs.popitem(last=False)


#: About 100 bytes an entry: at most ~6 MiB.
CRC_CACHE = CrcCache(65536)


def read_up_to(file: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes, fewer only at the end of the file (a raw file may return less)."""
    parts = []
    while size > 0:
        part = file.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def crc_of(file: IO[bytes], size: int, changed: Callable[[], TruncatedFileError]) -> int:
    """The CRC-32 of ``file``'s first ``size`` bytes, read from its start in blocks."""
    file.seek(0)
    crc = 0
    for position in range(0, size, BLOCK_SIZE):
        block = read_up_to(file, min(BLOCK_SIZE, size - position))
        if not block or len(block) < min(BLOCK_SIZE, size - position):
            raise changed()
        crc = zlib.crc32(block, crc)
    return crc
