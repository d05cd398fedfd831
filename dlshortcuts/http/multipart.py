"""``multipart/byteranges`` framing for a response to several ranges (RFC 9110 §14.6)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator

from dlshortcuts.http.ranges import ByteRange, Piece


def multipart_byteranges(
    ranges: Iterable[ByteRange], size: int, content_type: str
) -> tuple[str, list[Piece], int]:
    """Frame ``ranges`` of a ``size``-byte representation as one multipart body.

    :param ranges: the satisfiable ranges, in the order they are sent.
    :param size: the representation's complete length (each Content-Range says it).
    :param content_type: the representation's type, repeated in every part.
    :returns: the response's Content-Type (with a random boundary), the body
        as pieces (literal part headers and file ranges), and its exact length.
    """
    boundary = secrets.token_hex(16)
    pieces = list(_pieces(ranges, size, content_type, boundary))
    length = sum(len(p) if isinstance(p, bytes) else p.length for p in pieces)
    return f"multipart/byteranges; boundary={boundary}", pieces, length


def _pieces(ranges: Iterable[ByteRange], size: int, content_type: str, boundary: str) -> Iterator[Piece]:
    # Each part has its own Content-Type and Content-Range; CRLF before every
    # boundary but the first, and the closing delimiter ends with "--".
    for index, byte_range in enumerate(ranges):
        separator = "\r\n" if index else ""
        head = (
            f"{separator}--{boundary}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Range: {byte_range.content_range(size)}\r\n\r\n"
        )
        yield head.encode("ascii")
        yield byte_range
    yield f"\r\n--{boundary}--\r\n".encode("ascii")
