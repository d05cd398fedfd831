"""The pure decision: status, headers and byte pieces from method, request fields and metadata."""

from __future__ import annotations

import re

import pytest

from dlshortcuts.engine.decide import Decision, Representation, decide, relay
from dlshortcuts.http.ranges import ByteRange

ETAG = '"a-1"'
MODIFIED = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT
DATE = "Sun, 06 Nov 1994 08:49:37 GMT"
EARLIER = "Sat, 05 Nov 1994 08:49:37 GMT"
FILE = Representation(size=100, etag=ETAG, last_modified=MODIFIED, ranges=True, content_type="text/plain")
WHOLE = Decision(200, {}, (ByteRange(0, 100),))


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        # RFC 9110 §13.2.2: If-Match, else If-Unmodified-Since; then
        # If-None-Match, else If-Modified-Since.
        ("GET", {}, 200),
        ("GET", {"If-Match": ETAG}, 200),
        ("GET", {"If-Match": '"other"'}, 412),
        ("GET", {"If-Match": "*"}, 200),
        ("GET", {"If-Match": ETAG, "If-Unmodified-Since": EARLIER}, 200),
        ("GET", {"If-Unmodified-Since": EARLIER}, 412),
        ("GET", {"If-Unmodified-Since": DATE}, 200),
        ("GET", {"If-None-Match": ETAG}, 304),
        ("GET", {"If-None-Match": f"W/{ETAG}"}, 304),
        ("HEAD", {"If-None-Match": ETAG}, 304),
        ("POST", {"If-None-Match": ETAG}, 412),
        ("GET", {"If-None-Match": "*"}, 304),
        ("GET", {"If-None-Match": '"other"', "If-Modified-Since": DATE}, 200),
        ("GET", {"If-Modified-Since": DATE}, 304),
        ("GET", {"If-Modified-Since": EARLIER}, 200),
        ("POST", {"If-Modified-Since": DATE}, 200),
        ("GET", {"If-Match": '"other"', "If-None-Match": ETAG}, 412),
        ("GET", {"If-None-Match": ETAG, "Range": "bytes=0-9"}, 304),
        ("GET", {"If-Match": '"other"', "Range": "bytes=0-9"}, 412),
        ("GET", {"If-Modified-Since": DATE, "Range": "bytes=500-"}, 304),
    ],
)
def test_preconditions_in_rfc_9110_order(method: str, headers: dict[str, str], status: int) -> None:
    assert decide(method, headers, FILE).status == status


@pytest.mark.parametrize("status", [304, 412])
def test_304_and_412_set_no_header_and_no_piece(status: int) -> None:
    headers = {"If-None-Match": ETAG} if status == 304 else {"If-Match": '"x"'}
    assert decide("GET", headers, FILE) == Decision(status, {}, ())


@pytest.mark.parametrize(
    ("range_header", "expected"),
    [
        (
            "bytes=0-9",
            Decision(206, {"Content-Range": "bytes 0-9/100", "Content-Length": "10"}, (ByteRange(0, 10),)),
        ),
        (
            "bytes=90-",
            Decision(
                206, {"Content-Range": "bytes 90-99/100", "Content-Length": "10"}, (ByteRange(90, 100),)
            ),
        ),
        (
            "bytes=-5",
            Decision(206, {"Content-Range": "bytes 95-99/100", "Content-Length": "5"}, (ByteRange(95, 100),)),
        ),
        (
            "bytes=-500",
            Decision(206, {"Content-Range": "bytes 0-99/100", "Content-Length": "100"}, (ByteRange(0, 100),)),
        ),
        (
            "bytes=0-4,5-9",
            Decision(206, {"Content-Range": "bytes 0-9/100", "Content-Length": "10"}, (ByteRange(0, 10),)),
        ),
        ("bytes=100-", Decision(416, {"Content-Range": "bytes */100", "Accept-Ranges": "bytes"}, ())),
        ("items=0-9", WHOLE),
        ("bytes=9-0", WHOLE),
        ("bytes=0-99,0-99", WHOLE),
    ],
)
def test_ranges(range_header: str, expected: Decision) -> None:
    assert decide("GET", {"Range": range_header}, FILE) == expected


def test_several_ranges_make_a_multipart_body() -> None:
    decision = decide("GET", {"Range": "bytes=0-1,10-11"}, FILE)
    assert decision.status == 206
    match = re.fullmatch(r"multipart/byteranges; boundary=(\w+)", decision.headers["Content-Type"])
    assert match is not None
    boundary = match[1]
    assert decision.pieces == (
        f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/100\r\n\r\n".encode(),
        ByteRange(0, 2),
        f"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 10-11/100\r\n\r\n".encode(),
        ByteRange(10, 12),
        f"\r\n--{boundary}--\r\n".encode(),
    )
    length = sum(len(p) if isinstance(p, bytes) else p.length for p in decision.pieces)
    assert decision.headers["Content-Length"] == str(length)


@pytest.mark.parametrize(
    ("if_range", "status"),
    [
        (ETAG, 206),
        ('"stale"', 200),
        (f"W/{ETAG}", 200),  # §13.1.5: a weak tag never matches
        (DATE, 206),
        (EARLIER, 200),
        ("garbage", 200),
    ],
)
def test_if_range(if_range: str, status: int) -> None:
    assert decide("GET", {"Range": "bytes=0-9", "If-Range": if_range}, FILE).status == status


@pytest.mark.parametrize(
    ("method", "status"),
    [("GET", 206), ("HEAD", 206), ("POST", 200), ("PUT", 200)],
)
def test_ranges_apply_to_get_and_head_only(method: str, status: int) -> None:
    assert decide(method, {"Range": "bytes=0-9"}, FILE).status == status


def test_head_is_decided_like_get() -> None:
    for headers in ({}, {"Range": "bytes=0-9"}, {"If-None-Match": ETAG}, {"Range": "bytes=500-"}):
        assert decide("HEAD", headers, FILE) == decide("GET", headers, FILE)


@pytest.mark.parametrize(
    "representation",
    [
        Representation(size=100, etag=ETAG, ranges=False),
        Representation(size=None, ranges=True),
    ],
)
def test_range_ignored_when_ranges_are_impossible(representation: Representation) -> None:
    assert decide("GET", {"Range": "bytes=0-9"}, representation).status == 200


@pytest.mark.parametrize(("size", "pieces"), [(0, ()), (None, ()), (3, (ByteRange(0, 3),))])
def test_whole_body_pieces(size: int | None, pieces: tuple[ByteRange, ...]) -> None:
    assert decide("GET", {}, Representation(size=size)) == Decision(200, {}, pieces)


def test_without_validators_conditionals_are_ignored_but_star() -> None:
    bare = Representation(size=10, ranges=True)
    assert decide("GET", {"If-Modified-Since": DATE, "If-Unmodified-Since": EARLIER}, bare).status == 200
    assert decide("GET", {"If-Match": "*"}, bare).status == 200
    assert decide("GET", {"If-Match": ETAG}, bare).status == 412
    assert decide("GET", {"If-None-Match": "*"}, bare).status == 304


@pytest.mark.parametrize(
    ("status", "size", "expected"),
    [
        (200, 3, Decision(200)),
        (206, None, Decision(206)),
        (304, None, Decision(304)),
        (416, 3, Decision(416, {"Content-Range": "bytes */3", "Accept-Ranges": "bytes"})),
        (416, None, Decision(416, {"Accept-Ranges": "bytes"})),
    ],
)
def test_relay_keeps_the_sources_answer(status: int, size: int | None, expected: Decision) -> None:
    assert relay(status, size) == expected
