"""The HTTP decision for a download: status, headers and byte pieces, free of Django.

A pure function of the request method, the request's precondition and Range
fields and the representation's metadata, in the order of RFC 9110:
preconditions (§13.2.2), then Range (§14.2, GET and HEAD only, after the
preconditions). The Django layer (:mod:`dlshortcuts.engine.respond`) adds
the representation headers and picks the body.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from dlshortcuts.http.conditions import NOT_MODIFIED, PRECONDITION_FAILED, evaluate_preconditions
from dlshortcuts.http.multipart import multipart_byteranges
from dlshortcuts.http.ranges import ByteRange, Piece, RangeNotSatisfiable, if_range_matches, parse_range

_RANGE_METHODS = frozenset({"GET", "HEAD"})
#: The request fields :func:`decide` reads; no other field changes its answer.
FIELDS = ("If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Range", "If-Range")


@dataclass(frozen=True)
class Representation:
    """What the decision needs to know about the selected representation.

    :ivar size: its length in bytes, when known.
    :ivar etag: its ETag (quoted), or None.
    :ivar last_modified: its modification time in whole seconds, or None.
    :ivar ranges: whether a Range may be honoured (a seekable source of known size).
    :ivar content_type: its Content-Type, repeated in each multipart part.
    """

    size: int | None
    etag: str | None = None
    last_modified: int | None = None
    ranges: bool = False
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Decision:
    """The answer: ``status``, the ``headers`` it sets over the representation's, the body's ``pieces``.

    ``pieces`` are the byte ranges (and literal multipart framing) of the
    body; a HEAD answer has the same headers and sends none of them.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    pieces: tuple[Piece, ...] = ()


def decide(method: str, headers: Mapping[str, str], representation: Representation) -> Decision:
    """Decide the answer to ``method`` with the request's ``headers`` for ``representation``.

    :param method: the request method.
    :param headers: the request's fields by name (If-Match, If-None-Match,
        If-Modified-Since, If-Unmodified-Since, Range, If-Range).
    :param representation: the metadata of what would be sent.
    """
    if not headers:  # no precondition and no Range: nothing below could apply
        return whole(representation.size)
    outcome = evaluate_preconditions(
        method, headers, etag=representation.etag, last_modified=representation.last_modified
    )
    if outcome == NOT_MODIFIED:
        return not_modified()
    if outcome == PRECONDITION_FAILED:
        return precondition_failed()
    size = representation.size
    if size is not None and representation.ranges and method in _RANGE_METHODS:
        try:
            ranges = requested_ranges(headers, representation)
        except RangeNotSatisfiable:
            return not_satisfiable(size)
        if ranges is not None and len(ranges) == 1:
            return single_range(ranges[0], size)
        if ranges is not None:
            return multiple_ranges(ranges, size, representation.content_type)
    return whole(size)


def requested_ranges(headers: Mapping[str, str], representation: Representation) -> list[ByteRange] | None:
    """The ranges asked for, or None for the whole representation (no Range, or If-Range failed).

    :raises RangeNotSatisfiable: when no range overlaps the representation.
    """
    header = headers.get("Range")
    assert representation.size is not None  # only called for a known size
    if header is None or not if_range_matches(
        headers.get("If-Range"), representation.etag, representation.last_modified
    ):
        return None
    return parse_range(header, representation.size)


# The answer to nearly every request, for the few sizes served again and
# again: a Decision is immutable, so one per size is shared.
@functools.lru_cache(maxsize=1024)
def whole(size: int | None) -> Decision:
    """200 with every byte (none for an empty or unsized source: its stream is the body)."""
    return Decision(200, pieces=(ByteRange(0, size),) if size else ())


def single_range(byte_range: ByteRange, size: int) -> Decision:
    """206 with one range (RFC 9110 §14.4, §15.3.7.1)."""
    headers = {"Content-Range": byte_range.content_range(size), "Content-Length": str(byte_range.length)}
    return Decision(206, headers, (byte_range,))


def multiple_ranges(ranges: list[ByteRange], size: int, content_type: str) -> Decision:
    """206 with a ``multipart/byteranges`` body (RFC 9110 §14.6)."""
    multipart_type, pieces, length = multipart_byteranges(ranges, size, content_type)
    return Decision(206, {"Content-Type": multipart_type, "Content-Length": str(length)}, tuple(pieces))


def not_modified() -> Decision:
    """304: the representation headers a 304 keeps are the Django layer's to copy (§15.4.5)."""
    return Decision(NOT_MODIFIED)


def precondition_failed() -> Decision:
    """412, empty."""
    return Decision(PRECONDITION_FAILED)


def not_satisfiable(size: int | None) -> Decision:
    """416 with the current length when known, so the client can retry (RFC 9110 §15.5.17)."""
    headers = {} if size is None else {"Content-Range": f"bytes */{size}"}
    return Decision(416, {**headers, "Accept-Ranges": "bytes"})


def relay(status: int, size: int | None) -> Decision:
    """The answer a source already gave (an upstream sent the request's fields).

    It evaluated them against its own representation (RFC 9110 §13.2.1,
    §14.2): a second evaluation here could only contradict it. The body, if
    any, is the source's stream as it comes.
    """
    if status == NOT_MODIFIED:
        return not_modified()
    if status == 416:
        return not_satisfiable(size)
    return Decision(status)
