"""multipart/byteranges framing, byte for byte."""

from __future__ import annotations

import re

from dlshortcuts.http.multipart import multipart_byteranges
from dlshortcuts.http.ranges import ByteRange


def test_parts_are_framed_as_rfc_9110_shows() -> None:
    content_type, pieces, length = multipart_byteranges(
        [ByteRange(0, 5), ByteRange(10, 13)], 100, "application/pdf"
    )
    match = re.fullmatch(r"multipart/byteranges; boundary=([0-9a-f]{32})", content_type)
    assert match is not None
    boundary = match.group(1).encode()
    assert pieces == [
        b"--" + boundary + b"\r\nContent-Type: application/pdf\r\nContent-Range: bytes 0-4/100\r\n\r\n",
        ByteRange(0, 5),
        b"\r\n--" + boundary + b"\r\nContent-Type: application/pdf\r\nContent-Range: bytes 10-12/100\r\n\r\n",
        ByteRange(10, 13),
        b"\r\n--" + boundary + b"--\r\n",
    ]
    assert length == sum(len(p) if isinstance(p, bytes) else p.length for p in pieces)


def test_every_response_gets_its_own_boundary() -> None:
    first, _, _ = multipart_byteranges([ByteRange(0, 1), ByteRange(2, 3)], 4, "text/plain")
    second, _, _ = multipart_byteranges([ByteRange(0, 1), ByteRange(2, 3)], 4, "text/plain")
    assert first != second
