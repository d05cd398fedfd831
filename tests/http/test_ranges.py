"""Range and If-Range evaluation, case by case (RFC 9110 §14, §13.1.5)."""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dlshortcuts.http.ranges import MAX_RANGES, ByteRange, RangeNotSatisfiable, if_range_matches, parse_range
from tests.work_counter import executed_lines

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


# Hostile Range and If-Range headers: property-based and worst-case inputs.
#
# The engine's table tests check what well-formed headers mean; these check
# what no header, however crafted, can do: raise, select a byte outside the
# file, amplify the response beyond the file's size, or cost more than linear
# work.

SIZES = st.integers(min_value=0, max_value=10_000)
POSITIONS = st.one_of(
    st.integers(min_value=0, max_value=12_000).map(str),
    st.just(""),
    st.just("9" * 30),  # beyond any real size, and past int's 18 digits
    st.text(alphabet="0123456789", min_size=1, max_size=5000),  # past int()'s 4300-digit limit
)
# Specs built from the grammar's pieces (so that most headers are valid and
# reach the interesting code), mixed with arbitrary text.
SPECS = st.one_of(
    st.builds(lambda first, last: f"{first}-{last}", POSITIONS, POSITIONS),
    st.text(alphabet="0123456789-, \t=abyt", max_size=12),
    st.text(max_size=12),
)
WHITESPACE = st.sampled_from(["", " ", "\t", "  "])
UNITS = st.sampled_from(["bytes", "BYTES", " bytes ", "Bytes", "items", "bytes ", "", "bites"])


@st.composite
def range_headers(draw: st.DrawFn) -> str:
    specs = draw(st.lists(SPECS, max_size=MAX_RANGES * 3))
    separator = draw(st.builds(lambda a, b: f"{a},{b}", WHITESPACE, WHITESPACE))
    return f"{draw(UNITS)}={separator.join(specs)}"


def _parse(header: str, size: int) -> list[ByteRange] | str | None:
    try:
        return parse_range(header, size)
    except RangeNotSatisfiable:
        return "416"


def _selected(spec: str, size: int) -> set[int]:
    """The bytes one well-formed spec selects, straight from RFC 9110 §14.1.1."""
    first, _, last = spec.partition("-")
    if first:
        stop = size if not last else min(int(last) + 1, size)
        return set(range(int(first), stop))
    return set(range(max(size - int(last), 0), size))


@settings(deadline=None)
@given(header=range_headers() | st.text(), size=SIZES)
@example(header="bytes=" + "0-0," * 5000, size=10)
@example(header="bytes=" + "1" * 5000 + "-", size=10)
@example(header="bytes=-" + "1" * 5000, size=10)
@example(header="bytes=0-0,0-0,0-0,0-0", size=1)  # overlap: four times the file
@example(header="bytes=\u0661-\u0662", size=10)  # Arabic-Indic digits are not DIGIT
def test_parse_range_never_escapes_the_file(header: str, size: int) -> None:
    result = _parse(header, size)
    if result is None or result == "416":
        return
    assert isinstance(result, list)
    assert 1 <= len(result) <= MAX_RANGES
    for byte_range in result:
        assert 0 <= byte_range.start < byte_range.stop <= size
    # Sorted and coalesced: each range starts after the previous one ends,
    # with at least one byte in between (adjacent ranges are merged).
    for before, after in itertools.pairwise(result):
        assert before.stop < after.start
    assert sum(r.length for r in result) <= size


@settings(deadline=None)
@given(
    specs=st.lists(
        st.one_of(
            st.builds(
                lambda first, length: f"{first}-{first + length}" if length >= 0 else f"{first}-",
                st.integers(min_value=0, max_value=300),
                st.integers(min_value=-1, max_value=300),
            ),
            st.integers(min_value=0, max_value=300).map(lambda n: f"-{n}"),
        ),
        min_size=1,
        max_size=MAX_RANGES,
    ),
    size=st.integers(min_value=1, max_value=300),
)
def test_parse_range_serves_exactly_the_bytes_asked_for(specs: list[str], size: int) -> None:
    result = _parse("bytes=" + ",".join(specs), size)
    wanted: set[int] = set().union(*(_selected(spec, size) for spec in specs))
    if result == "416":
        assert wanted == set()
    elif result is None:
        # Ignored only when the ranges add up to more than the file (§15.3.7.3).
        assert sum(len(_selected(spec, size)) for spec in specs) > size
    else:
        assert isinstance(result, list)
        served = {position for r in result for position in range(r.start, r.stop)}
        assert served == wanted


@settings(deadline=None)
@given(header=st.text() | st.from_regex(r'\s*(W/)?"[^"]*"\s*', fullmatch=True), etag=st.text(max_size=20))
@example(header="Mon, 32 Jan 2024 00:00:00 GMT", etag='"a"')
@example(header="Sun, 06 Nov 99999 08:49:37 GMT", etag='"a"')
@example(header="Sun, 06 Nov 1994 08:49:37 +9999", etag='"a"')
@example(header="  ", etag='"a"')
def test_if_range_never_raises_and_needs_an_exact_strong_match(header: str, etag: str) -> None:
    quoted = f'"{etag}"'
    matches = if_range_matches(header, quoted, 784111777)
    assert isinstance(matches, bool)
    if header.strip().startswith("W/"):
        assert not matches
    if matches and header.strip().startswith('"'):
        assert header.strip() == quoted


@settings(deadline=None)
@given(header=st.text(alphabet=string.printable))
def test_if_range_without_validators_never_matches(header: str) -> None:
    assert if_range_matches(header, None, None) is False


# Inputs a parser may be slow on, each made from a length n, with what a
# correct parser answers for them in a 100-byte file.
WORST_CASES: dict[str, tuple[Callable[[int], str], list[ByteRange] | str | None]] = {
    "commas": (lambda n: "bytes=" + "," * n, None),
    "spaces before one range": (lambda n: "bytes=" + " " * n + "0-0", [ByteRange(0, 1)]),
    "first position digits": (lambda n: "bytes=" + "1" * n + "-", "416"),
    "suffix digits": (lambda n: "bytes=-" + "1" * n, [ByteRange(0, 100)]),
    "small ranges": (lambda n: "bytes=" + "0-0," * (n // 4), None),
    "overlapping ranges": (lambda n: "bytes=" + "0-99," * (n // 5), None),
    "unit": (lambda n: "x" * n + "=0-0", None),
    "dashes": (lambda n: "bytes=" + "-" * n, None),
    "digits and dashes": (lambda n: "bytes=" + "1-" * (n // 2), None),
    "equals signs": (lambda n: "bytes=" + "=" * n, None),
}


def test_a_100_kb_range_header_gets_an_answer() -> None:
    assert parse_range("bytes=" + "0-1," * 25_000, 100) is None
    assert parse_range("bytes=" + "," * 100_000, 100) is None
    assert parse_range("bytes=" + " " * 100_000 + "0-0", 100) == [ByteRange(0, 1)]


@pytest.mark.parametrize(("make", "expected"), WORST_CASES.values(), ids=WORST_CASES.keys())
def test_range_parsing_work_is_linear_in_the_header_length(
    make: Callable[[int], str], expected: list[ByteRange] | str | None
) -> None:
    small, large = make(10_000), make(100_000)
    assert _parse(large, 100) == expected
    # Ten times the input may cost at most about ten times the work.
    assert executed_lines(_parse, large, 100) <= 12 * executed_lines(_parse, small, 100)


@pytest.mark.parametrize(
    "header",
    [
        '"' + "a" * 100_000 + '"',
        "W/" + '"' * 100_000,
        "Mon, 07 Nov 1994 08:49:37 GMT" + " x" * 50_000,
        " " * 100_000,
        "," * 100_000,
    ],
    ids=["long etag", "quotes", "long date", "spaces", "commas"],
)
def test_if_range_work_is_linear_in_the_header_length(header: str) -> None:
    def evaluate(value: str) -> int:
        return executed_lines(if_range_matches, value, '"a"', 784111777)

    assert if_range_matches(header, '"a"', 784111777) is False
    assert evaluate(header) <= 12 * evaluate(header[: len(header) // 10])
