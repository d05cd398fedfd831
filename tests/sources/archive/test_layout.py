"""The ZIP layout (pure): times, header fields, ZIP64 only where needed, exact lengths."""

from __future__ import annotations

import ast
import struct
import zipfile
from pathlib import Path

import pytest

import dlshortcuts.sources.archive as archive_package
from dlshortcuts.sources.archive.layout import (
    CENTRAL,
    DATA,
    LIMIT,
    Entry,
    Layout,
    central_header,
    dos_time,
    end_records,
    local_header,
)

PACKAGE = Path(archive_package.__file__).parent


@pytest.mark.parametrize(
    ("modified", "expected"),
    [
        (None, (0, (1 << 5) | 1)),  # 1980-01-01 00:00:00
        (0.0, (0, (1 << 5) | 1)),  # before 1980: clamped
        # 2024-02-29 13:45:31 UTC: seconds halved (DOS has two-second steps)
        (1709214331.9, ((13 << 11) | (45 << 5) | 15, (44 << 9) | (2 << 5) | 29)),
        (2**40, ((23 << 11) | (59 << 5) | 29, (127 << 9) | (12 << 5) | 31)),  # after 2107: clamped
    ],
)
def test_dos_time_in_utc_clamped_to_its_range(modified: float | None, expected: tuple[int, int]) -> None:
    assert dos_time(modified) == expected


def test_the_layout_modules_import_nothing_from_django() -> None:
    for module in ("layout.py", "names.py"):
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        imported = {
            node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
        } | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert sorted(name for name in imported if name.startswith(("django", "dlshortcuts"))) == []


def test_local_header_fields() -> None:
    header = local_header(Entry("é.txt", 5, 1709214331.0))
    signature, version, flags, method = struct.unpack_from("<IHHH", header)
    crc, compressed, size, name_length, extra_length = struct.unpack_from("<IIIHH", header, 14)
    assert (signature, version, flags, method) == (0x04034B50, 20, 0x0808, 0)
    # Bit 3: CRC and sizes are in the data descriptor.
    assert (crc, compressed, size) == (0, 0, 0)
    assert header[30 : 30 + name_length] == "é.txt".encode()
    # Info-ZIP's extended timestamp with the exact UTC time.
    assert header[30 + name_length :] == struct.pack("<HHBI", 0x5455, 5, 1, 1709214331)
    assert extra_length == 9


def test_zip64_appears_only_where_a_value_needs_it() -> None:
    small = Entry("small.bin", 10)
    huge = Entry("huge.bin", LIMIT)
    assert b"\x01\x00\x10\x00" not in local_header(small)
    assert local_header(huge).endswith(struct.pack("<HHQQ", 1, 16, 0, 0))
    # In the central directory: only the fields that overflow, in APPNOTE order.
    assert central_header(small, 0, 10, 10, LIMIT - 1).endswith(b"small.bin")
    assert central_header(small, 0, 10, 10, LIMIT).endswith(struct.pack("<HHQ", 1, 8, LIMIT))
    assert central_header(huge, 0, LIMIT, LIMIT, 5).endswith(struct.pack("<HHQQ", 1, 16, LIMIT, LIMIT))
    assert len(end_records(0xFFFE, 0, 0)) == 22
    assert len(end_records(0xFFFF, 0, 0)) == 22 + 56 + 20
    assert len(end_records(1, LIMIT, 0)) == 22 + 56 + 20


def test_the_layout_length_is_exact_for_huge_members_without_reading_them() -> None:
    entries = [Entry("a.bin", 5 * 2**30, 1e9), Entry("b.txt", 3, None)]
    layout = Layout(entries)
    header_a = 30 + 5 + 9 + 20
    data_b = header_a + 5 * 2**30 + 24 + 30 + 5
    assert layout.data_start(1) == data_b
    assert layout.directory_offset == data_b + 3 + 16
    # a: sizes in ZIP64; b: its offset in ZIP64; then ZIP64 end records.
    assert layout.directory_size == (46 + 5 + 9 + 20) + (46 + 5 + 12)
    assert layout.size == layout.directory_offset + layout.directory_size + 56 + 20 + 22
    assert [
        layout.spans[layout.span_at(position)].kind for position in (header_a, layout.directory_offset)
    ] == [
        DATA,
        CENTRAL,
    ]


def test_the_same_entries_give_the_same_bytes() -> None:
    entries = [Entry("a.txt", 3, 1.7e9), Entry("b/c.txt", 0, None)]
    spans = Layout(entries).spans
    crcs = [123, 0]
    first = [Layout(entries).literal(span, crcs) for span in spans if span.kind != DATA]
    assert first == [Layout(list(entries)).literal(span, crcs) for span in spans if span.kind != DATA]


def test_an_empty_archive_is_its_end_record() -> None:
    layout = Layout([])
    assert layout.size == 22
    assert zipfile.ZipFile(__import__("io").BytesIO(layout.end)).namelist() == []


def test_a_layout_refuses_unknown_sizes_and_compression() -> None:
    with pytest.raises(ValueError, match=r"'stream\.bin'"):
        Layout([Entry("stream.bin", None)])
    with pytest.raises(ValueError, match=r"'big\.txt'"):
        Layout([Entry("big.txt", 10, None, 8)])
