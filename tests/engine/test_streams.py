"""Streams as bodies (engine/streams.py): a file in blocks, iterables batched, async ones driven."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator

import pytest

from dlshortcuts.engine.bodies import BLOCK_SIZE
from dlshortcuts.engine.streams import FileBlocks, aiter_stream, iter_stream


def test_file_blocks_never_line_by_line() -> None:
    data = b"\n" * (BLOCK_SIZE + 1)
    blocks = FileBlocks(io.BytesIO(data))
    assert [len(b) for b in blocks] == [BLOCK_SIZE, 1]


def rows(count: int) -> Iterator[str]:
    for n in range(count):
        yield f"{n:09d}\n"


async def arows(count: int) -> AsyncIterator[str]:
    for n in range(count):
        yield f"{n:09d}\n"


class NoAclose:
    """An async iterable whose iterator has no aclose()."""

    def __init__(self) -> None:
        self.items = [b"a", b"b"]

    def __aiter__(self) -> NoAclose:
        return self

    async def __anext__(self) -> bytes:
        if not self.items:
            raise StopAsyncIteration
        return self.items.pop(0)


def test_iter_stream_batches_small_items() -> None:
    blocks = list(iter_stream(rows(20_000), "utf-8"))
    assert b"".join(blocks) == "".join(rows(20_000)).encode()
    # 10-byte rows are joined until a block holds at least BLOCK_SIZE bytes
    assert [len(block) for block in blocks] == [65_540, 65_540, 65_540, 3_380]


def test_iter_stream_drives_async_iterables() -> None:
    assert b"".join(iter_stream(arows(20_000), "utf-8")) == "".join(rows(20_000)).encode()
    assert b"".join(iter_stream(NoAclose(), "utf-8")) == b"ab"


@pytest.mark.parametrize("make", [rows, arows])
def test_aiter_stream(make: object) -> None:
    async def collect() -> list[bytes]:
        return [chunk async for chunk in aiter_stream(make(20_000), "latin-1")]  # type: ignore[operator]

    blocks = asyncio.run(collect())
    assert b"".join(blocks) == "".join(rows(20_000)).encode()
    assert all(len(block) >= BLOCK_SIZE for block in blocks[:-1])
