"""The sample files the demo serves, written by ``manage.py demo_setup``.

Each is made here rather than shipped, so the repository stays small and the
files are exactly what the tests expect.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

LARGE_FILE_SIZE = 32 * 1024 * 1024
NON_ASCII_NAME = "naïve résumé.pdf"
# Name → content, saved in the "private" storage (settings.STORAGES).
STORAGE_FILES = {
    "reports/2026-q3.txt": b"Quarterly report, served by serve_storage from the 'private' storage.\n",
}


def sample_files() -> dict[str, Iterable[bytes]]:
    """Relative path → content, for everything under PRIVATE_ROOT."""
    return {
        "files/welcome.txt": [b"Hello from dlshortcuts: this file was served by serve_path with a root.\n"],
        f"files/{NON_ASCII_NAME}": [pdf("naïve résumé — a non-ASCII file name")],
        "files/large.bin": large_file(),
        "images/gradient.png": [png(160, 90)],
        "members/handbook.pdf": [pdf("Members' handbook — you are logged in")],
    }


def write_samples(root: Path) -> list[Path]:
    """Write the files missing under ``root``; existing ones are kept.

    :returns: the files written this time.
    """
    written = []
    for name, content in sample_files().items():
        path = root / name
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write aside, then rename: an interrupted run leaves no half file.
        partial = path.with_name(f".{path.name}.partial")
        with partial.open("wb") as file:
            file.writelines(content)
        partial.rename(path)
        written.append(path)
    return written


def large_file() -> Iterable[bytes]:
    """LARGE_FILE_SIZE bytes in 1 MiB blocks: byte ``i`` is ``(i + 128) % 256``.

    Starting at 0x80 rather than 0x00 keeps libmagic from reading the
    ``00 01 02`` header of a TGA image into a ``.bin`` that names no format.
    """
    block = (bytes(range(128, 256)) + bytes(range(128))) * 4096
    return (block for _ in range(LARGE_FILE_SIZE // len(block)))


def pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (WinAnsi encoded, so Latin-1 accents work)."""
    escaped = text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 20 Tf 72 720 Td (" + escaped + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png(width: int, height: int) -> bytes:
    """An RGB gradient as a PNG (for the inline image)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
