"""Range and If-Range evaluation (RFC 9110 §14 and §13.1.5), free of Django.

Everything here works on plain strings and integers so that it can be tested
exhaustively with tables and property-based tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlshortcuts.http.conditions import ENTITY_TAG
from dlshortcuts.http.dates import parse_http_date

#: More ranges than this in one request are ignored (a full 200 is served):
#: RFC 9110 §14.2 lets a server ignore a Range header that looks abusive, and
#: a bound keeps multipart responses small and parsing linear.
MAX_RANGES = 16

# RFC 9110 §14.1.1: int-range = first-pos "-" [ last-pos ], suffix-range =
# "-" suffix-length; positions are 1*DIGIT (ASCII digits only: str.isdigit
# would accept other scripts' digits).
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)", re.ASCII)
_HUGE = 10**18


@dataclass(frozen=True, order=True)
class ByteRange:
    """A satisfiable byte range: ``start`` inclusive, ``stop`` exclusive."""

    start: int
    stop: int

    @property
    def length(self) -> int:
        """The number of bytes in the range."""
        return self.stop - self.start

    def content_range(self, size: int) -> str:
        """The Content-Range value of this range in a representation of ``size``."""
        return f"bytes {self.start}-{self.stop - 1}/{size}"


#: A body is a sequence of literal bytes (multipart part headers) and byte ranges.
Piece = bytes | ByteRange


class RangeNotSatisfiable(Exception):
    """Raised when a valid Range header selects no byte of the representation (416)."""


def parse_range(header: str | None, size: int) -> list[ByteRange] | None:
    """Evaluate a Range header against a representation of ``size`` bytes.

    :param header: the raw Range header value, or None.
    :param size: the length of the selected representation.
    :returns: the ranges to serve, sorted and coalesced, or None when the
        header must be ignored and the whole representation served (absent,
        unknown unit, bad syntax, too many ranges, ranges adding up to more
        than the file, or an empty file).
    :raises RangeNotSatisfiable: when the header is valid but no range
        overlaps the representation.
    """
    elements = _range_specs(header) if size > 0 else []
    if not elements:
        return None
    try:
        parsed = [_parse_spec(element, size) for element in elements]
    except _InvalidRangeSpec:
        return None  # §14.1.1: one invalid range-spec makes the whole header invalid
    # None: that spec alone is unsatisfiable; the others may still be served.
    ranges = [byte_range for byte_range in parsed if byte_range is not None]

    if not ranges:
        raise RangeNotSatisfiable
    # §15.3.7.3 warns of overlapping and many small ranges used to amplify
    # a response: refuse to send more bytes than the file holds.
    if sum(r.length for r in ranges) > size:
        return None
    return _coalesce(ranges)


def _range_specs(header: str | None) -> list[str]:
    """The range-specs of a ``bytes`` Range header; none when it must be ignored."""
    unit, sep, specs = (header or "").partition("=")
    # RFC 9110 §14.1: range units are case-insensitive; an unknown unit is
    # ignored. Counting commas first keeps a huge header to one linear scan.
    if not sep or unit.strip().lower() != "bytes" or specs.count(",") >= MAX_RANGES * 2:
        return []
    # RFC 9110 §5.6.1: recipients accept empty list elements.
    elements = [element.strip(" \t") for element in specs.split(",")]
    elements = [element for element in elements if element]
    return elements if len(elements) <= MAX_RANGES else []


class _InvalidRangeSpec(ValueError):
    pass


def _parse_spec(element: str, size: int) -> ByteRange | None:
    """One range-spec as a ByteRange, or None when it selects no byte."""
    match = _RANGE_SPEC.fullmatch(element)
    if match is None:
        raise _InvalidRangeSpec(element)
    first, last = (_position(group) for group in match.groups())
    if first is not None:
        if last is not None and last < first:
            raise _InvalidRangeSpec(element)
        if first >= size:
            return None
        return ByteRange(first, size if last is None else min(last + 1, size))
    if last is None:
        raise _InvalidRangeSpec(element)  # "-" alone
    # A suffix longer than the file selects the whole file (§14.1.1);
    # "-0" selects nothing.
    return ByteRange(max(size - last, 0), size) if last else None


def _position(digits: str) -> int | None:
    """A byte position; numbers past any real size are capped, not parsed.

    Python refuses to convert strings of more than 4300 digits, and no file
    is larger than 10**18 bytes, so longer numbers mean "beyond the end".
    """
    if not digits:
        return None
    return int(digits) if len(digits) <= 18 else _HUGE


def _coalesce(ranges: list[ByteRange]) -> list[ByteRange]:
    """Merge overlapping and adjacent ranges (RFC 9110 §14.3 allows it)."""
    merged: list[ByteRange] = []
    for current in sorted(ranges):
        if merged and current.start <= merged[-1].stop:
            last = merged[-1]
            merged[-1] = ByteRange(last.start, max(last.stop, current.stop))
        else:
            merged.append(current)
    return merged


def if_range_matches(header: str | None, etag: str | None, last_modified: int | None) -> bool:
    """Whether a Range request may be honoured given its If-Range header.

    RFC 9110 §13.1.5: an entity-tag must match the current ETag by strong
    comparison (a weak tag never matches); an HTTP-date must equal the
    Last-Modified date exactly. Anything else, malformed values included,
    means "send the whole representation".

    :param header: the raw If-Range value, or None when absent.
    :param etag: the current ETag, quoted, or None.
    :param last_modified: the current modification time in whole seconds
        (what Last-Modified says), or None.
    """
    if header is None:
        return True
    value = header.strip()
    if ENTITY_TAG.fullmatch(value):
        return etag is not None and not value.startswith("W/") and value == etag
    return last_modified is not None and parse_http_date(value) == last_modified
