"""Range and If-Range evaluation, case by case (RFC 9110 §14, §13.1.5)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlshortcuts.http.ranges import MAX_RANGES, ByteRange, RangeNotSatisfiable, if_range_matches, parse_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # single ranges
        ("bytes=0-0", [ByteRange(0, 1)]),
        ("bytes=0-499", [ByteRange(0, 500)]),
        ("bytes=500-999", [ByteRange(500, 1000)]),
        ("bytes=500-", [ByteRange(500, 1000)]),
        ("bytes=999-", [ByteRange(999, 1000)]),
        # suffix ranges
        ("bytes=-1", [ByteRange(999, 1000)]),
        ("bytes=-500", [ByteRange(500, 1000)]),
        # end past EOF is clamped
        ("bytes=900-5000", [ByteRange(900, 1000)]),
        ("bytes=0-999999999999999999999999999999", [ByteRange(0, 1000)]),
        # a suffix longer than the file selects the whole file (a 206, not a 416)
        ("bytes=-1000", [ByteRange(0, 1000)]),
        ("bytes=-5000", [ByteRange(0, 1000)]),
        ("bytes=-" + "9" * 5000, [ByteRange(0, 1000)]),
        # unit case, optional whitespace, empty list elements
        ("BYTES=0-9", [ByteRange(0, 10)]),
        ("bytes=0-9, 20-29", [ByteRange(0, 10), ByteRange(20, 30)]),
        ("bytes=,0-9,,", [ByteRange(0, 10)]),
        # several ranges come back sorted; overlapping and adjacent ones coalesce
        ("bytes=20-29,0-9", [ByteRange(0, 10), ByteRange(20, 30)]),
        ("bytes=0-3,2-5", [ByteRange(0, 6)]),
        ("bytes=0-9,10-19", [ByteRange(0, 20)]),
        ("bytes=0-9,-10", [ByteRange(0, 10), ByteRange(990, 1000)]),
        # one unsatisfiable spec among satisfiable ones is dropped
        ("bytes=0-9,5000-", [ByteRange(0, 10)]),
    ],
)
def test_satisfiable_ranges(header: str, expected: list[ByteRange]) -> None:
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "items=0-9",  # unknown unit: ignored, not a 400
        "bytes",
        "bytes=",
        "bytes=,",
        "bytes=abc",
        "bytes=-",
        "bytes=9-0",  # last < first makes the header invalid
        "bytes=0-9,9-0",
        "bytes=0x10-20",
        "bytes=1-2-3",
        "bytes=+1-2",
        "bytes=\N{ARABIC-INDIC DIGIT ONE}-2",  # only ASCII digits are digits
        "bytes=0-9;x",
        # too many ranges, or more bytes than the file: never amplify a response
        "bytes=" + ",".join(f"{i}-{i}" for i in range(MAX_RANGES + 1)),
        "bytes=" + "," * (MAX_RANGES * 2),
        "bytes=0-999,0-999",
        "bytes=0-599,400-999",
        "bytes=-1000,0-0",
    ],
)
def test_ignored_headers_serve_the_whole_file(header: str | None) -> None:
    assert parse_range(header, SIZE) is None


def test_max_ranges_is_allowed() -> None:
    header = "bytes=" + ",".join(f"{i * 2}-{i * 2}" for i in range(MAX_RANGES))
    assert parse_range(header, SIZE) == [ByteRange(i * 2, i * 2 + 1) for i in range(MAX_RANGES)]


@pytest.mark.parametrize(
    "header",
    ["bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=5000-,6000-", "bytes=" + "9" * 5000 + "-"],
)
def test_unsatisfiable_ranges_raise(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, SIZE)


@pytest.mark.parametrize("header", ["bytes=0-0", "bytes=-1", "bytes=-0", "bytes=5-"])
def test_empty_representation_is_served_whole(header: str) -> None:
    assert parse_range(header, 0) is None


def test_huge_header_is_linear_and_ignored() -> None:
    assert parse_range("bytes=" + "0-1," * 100_000, SIZE) is None


def test_content_range() -> None:
    assert ByteRange(0, 1).content_range(10) == "bytes 0-0/10"
    assert ByteRange(5, 10).content_range(10) == "bytes 5-9/10"
    assert ByteRange(5, 10).length == 5


ETAG = '"3e8-5f5e100"'
LAST_MODIFIED = 1_700_000_000  # Tue, 14 Nov 2023 22:13:20 GMT


@pytest.mark.parametrize(
    ("if_range", "expected"),
    [
        (None, True),
        (ETAG, True),
        (f"  {ETAG} ", True),
        ('"other"', False),
        (f"W/{ETAG}", False),  # a weak tag never matches (strong comparison)
        ("Tue, 14 Nov 2023 22:13:20 GMT", True),
        ("Tuesday, 14-Nov-23 22:13:20 GMT", True),  # RFC 850
        ("Tue Nov 14 22:13:20 2023", True),  # asctime
        ("Tue, 14 Nov 2023 22:13:21 GMT", False),  # exact match only
        ("Tue, 14 Nov 2023 22:13:19 GMT", False),
        ("Tue, 14 Nov 2023 23:13:20 +0100", False),  # not an HTTP-date
        ("yesterday", False),
        ("", False),
        ('"unterminated', False),
    ],
)
def test_if_range(if_range: str | None, expected: bool) -> None:
    assert if_range_matches(if_range, ETAG, LAST_MODIFIED) is expected


def test_if_range_needs_a_validator_to_match() -> None:
    assert if_range_matches(ETAG, None, LAST_MODIFIED) is False
    assert if_range_matches("Tue, 14 Nov 2023 22:13:20 GMT", ETAG, None) is False
    assert if_range_matches('W/"x"', 'W/"x"', None) is False


@settings(deadline=None)  # a slow example on a shared machine is not a failure
@given(st.text(), st.integers(min_value=0, max_value=10**15))
def test_parse_range_never_raises_anything_but_unsatisfiable(header: str, size: int) -> None:
    try:
        ranges = parse_range("bytes=" + header, size)
    except RangeNotSatisfiable:
        return
    if ranges is not None:
        assert sum(r.length for r in ranges) <= size
        assert all(0 <= r.start < r.stop <= size for r in ranges)


@settings(deadline=None)  # a slow example on a shared machine is not a failure
@given(st.text(), st.text())
def test_if_range_never_raises(header: str, etag: str) -> None:
    assert if_range_matches(header, etag, LAST_MODIFIED) in {True, False}


_position_st = st.integers(min_value=0, max_value=2000)
_spec = st.one_of(
    st.builds("{}-{}".format, _position_st, _position_st),
    st.builds("{}-".format, _position_st),
    st.builds("-{}".format, _position_st),
)


@settings(deadline=None)  # a slow example on a shared machine is not a failure
@given(st.lists(_spec, min_size=1, max_size=MAX_RANGES + 2), st.integers(min_value=0, max_value=1500))
def test_served_ranges_never_amplify(specs: list[str], size: int) -> None:
    try:
        ranges = parse_range("bytes=" + ",".join(specs), size)
    except RangeNotSatisfiable:
        assert size > 0
        return
    if ranges is None:
        return
    assert len(ranges) <= MAX_RANGES
    assert sum(r.length for r in ranges) <= size
    assert all(0 <= r.start < r.stop <= size for r in ranges)
    # sorted, and neither overlapping nor adjacent once coalesced
    assert all(a.stop < b.start for a, b in itertools.pairwise(ranges))
