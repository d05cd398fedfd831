"""Range and If-Range evaluation (RFC 9110 §14 and §13.1.5), free of Django.

Everything here works on plain strings and integers so that it can be tested
exhaustively with tables and property-based tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

__all__ = [
    "MAX_RANGES",
    "ByteRange",
    "RangeNotSatisfiable",
    "if_range_matches",
    "parse_range",
]

#: More ranges than this in one request are ignored (a full 200 is served):
#: RFC 9110 §14.2 lets a server ignore a Range header that looks abusive, and
#: a bound keeps multipart responses small and parsing linear.
MAX_RANGES = 16

# RFC 9110 §14.1.1: int-range = first-pos "-" [ last-pos ], suffix-range =
# "-" suffix-length; positions are 1*DIGIT (ASCII digits only: str.isdigit
# would accept other scripts' digits).
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)", re.ASCII)
_HUGE = 10**18
_ENTITY_TAG = re.compile(r'(W/)?"[\x21\x23-\x7e\x80-\xff]*"')


@dataclass(frozen=True, order=True)
class ByteRange:
    """A satisfiable byte range: ``start`` inclusive, ``stop`` exclusive."""

    start: int
    stop: int

    @property
    def length(self) -> int:
        return self.stop - self.start

    def content_range(self, size: int) -> str:
        """The Content-Range value of this range in a representation of ``size``."""
        return f"bytes {self.start}-{self.stop - 1}/{size}"


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
    if not header or size <= 0:
        return None
    unit, sep, specs = header.partition("=")
    # RFC 9110 §14.1: range units are case-insensitive; an unknown unit is ignored.
    if not sep or unit.strip().lower() != "bytes":
        return None
    # Count before splitting so that a huge header costs one linear scan.
    if specs.count(",") >= MAX_RANGES * 2:
        return None
    # RFC 9110 §5.6.1: recipients accept empty list elements.
    elements = [e.strip(" \t") for e in specs.split(",")]
    elements = [e for e in elements if e]
    if not elements or len(elements) > MAX_RANGES:
        return None

    ranges: list[ByteRange] = []
    for element in elements:
        match = _RANGE_SPEC.fullmatch(element)
        if match is None:
            return None
        first, last = (_position(group) for group in match.groups())
        if first is not None:
            start = first
            if last is not None and last < start:
                return None  # §14.1.1: an invalid range makes the whole header invalid
            if start >= size:
                continue  # unsatisfiable on its own (§14.1.1); others may still be served
            stop = min(last + 1, size) if last is not None else size
        elif last is not None:
            # A suffix longer than the file selects the whole file (§14.1.1).
            start, stop = max(size - last, 0), size
            if start == stop:
                continue  # bytes=-0 selects nothing
        else:
            return None  # "-" alone
        ranges.append(ByteRange(start, stop))

    if not ranges:
        raise RangeNotSatisfiable
    # §15.3.7.3 warns of overlapping and many small ranges used to amplify
    # a response: refuse to send more bytes than the file holds.
    if sum(r.length for r in ranges) > size:
        return None
    return _coalesce(ranges)


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


def if_range_matches(header: str | None, etag: str | None, last_modified: str | None) -> bool:
    """Whether a Range request may be honoured given its If-Range header.

    RFC 9110 §13.1.5: an entity-tag must match the current ETag by strong
    comparison (a weak tag never matches); an HTTP-date must equal the
    Last-Modified date exactly. Anything else, malformed values included,
    means "send the whole representation".

    :param header: the raw If-Range value, or None when absent.
    :param etag: the current ETag, quoted, or None.
    :param last_modified: the current Last-Modified value (an HTTP-date), or None.
    """
    if header is None:
        return True
    value = header.strip()
    if _ENTITY_TAG.fullmatch(value):
        return etag is not None and not value.startswith("W/") and value == etag
    if last_modified is None:
        return False
    try:
        return parsedate_to_datetime(value) == parsedate_to_datetime(last_modified)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
