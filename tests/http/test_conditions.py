"""Preconditions in RFC 9110 §13.2.2 order, as a table."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client, override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dlshortcuts.http.conditions import evaluate_preconditions, parse_entity_tags
from dlshortcuts.http.dates import parse_http_date
from tests.urls_hardening import CONFINED

ETAG = '"abc"'
MODIFIED = 1_700_000_000
AT = "Tue, 14 Nov 2023 22:13:20 GMT"  # == MODIFIED
BEFORE = "Tue, 14 Nov 2023 22:13:19 GMT"
AFTER = "Tue, 14 Nov 2023 22:13:21 GMT"


@pytest.mark.parametrize(
    ("method", "headers", "expected"),
    [
        ("GET", {}, None),
        # Step 1: If-Match (strong comparison, "*", lists)
        ("GET", {"If-Match": ETAG}, None),
        ("GET", {"If-Match": '"x", "abc"'}, None),
        ("GET", {"If-Match": "*"}, None),
        ("GET", {"If-Match": '"x"'}, 412),
        ("GET", {"If-Match": 'W/"abc"'}, 412),
        ("POST", {"If-Match": '"x"'}, 412),
        ("GET", {"If-Match": "garbage"}, None),  # malformed: ignored
        # Step 2: If-Unmodified-Since, only without If-Match
        ("GET", {"If-Unmodified-Since": AT}, None),
        ("GET", {"If-Unmodified-Since": AFTER}, None),
        ("GET", {"If-Unmodified-Since": BEFORE}, 412),
        ("GET", {"If-Unmodified-Since": "not a date"}, None),
        ("GET", {"If-Match": ETAG, "If-Unmodified-Since": BEFORE}, None),
        ("GET", {"If-Match": '"x"', "If-Unmodified-Since": AFTER}, 412),
        # Step 3: If-None-Match (weak comparison, lists, "*")
        ("GET", {"If-None-Match": ETAG}, 304),
        ("HEAD", {"If-None-Match": ETAG}, 304),
        ("GET", {"If-None-Match": 'W/"abc"'}, 304),
        ("GET", {"If-None-Match": '"x", W/"abc"'}, 304),
        ("GET", {"If-None-Match": "*"}, 304),
        ("GET", {"If-None-Match": '"x"'}, None),
        ("POST", {"If-None-Match": ETAG}, 412),
        ("POST", {"If-None-Match": '"x"'}, None),
        # If-None-Match wins over If-Modified-Since in both directions
        ("GET", {"If-None-Match": '"x"', "If-Modified-Since": AFTER}, None),
        ("GET", {"If-None-Match": ETAG, "If-Modified-Since": BEFORE}, 304),
        # Step 4: If-Modified-Since, GET and HEAD only, malformed dates ignored
        ("GET", {"If-Modified-Since": AT}, 304),
        ("GET", {"If-Modified-Since": AFTER}, 304),
        ("HEAD", {"If-Modified-Since": AT}, 304),
        ("GET", {"If-Modified-Since": BEFORE}, None),
        ("POST", {"If-Modified-Since": AT}, None),
        ("GET", {"If-Modified-Since": "Tue, 14 Nov 2023 22:13:20 +0100"}, None),
        ("GET", {"If-Modified-Since": "2023-11-14"}, None),
        ("GET", {"If-Modified-Since": ""}, None),
        # a failed If-Match is decided before a matching If-None-Match
        ("GET", {"If-Match": '"x"', "If-None-Match": ETAG}, 412),
        ("GET", {"If-Unmodified-Since": BEFORE, "If-Modified-Since": AT}, 412),
    ],
)
def test_precedence(method: str, headers: dict[str, str], expected: int | None) -> None:
    assert evaluate_preconditions(method, headers, etag=ETAG, last_modified=MODIFIED) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"If-Match": ETAG}, 412),  # no ETag: nothing matches strongly
        ({"If-Match": "*"}, None),  # but a current representation exists
        ({"If-None-Match": ETAG}, None),
        ({"If-None-Match": "*"}, 304),
        ({"If-Unmodified-Since": BEFORE}, None),  # §13.1.4: no date, header ignored
        ({"If-Modified-Since": AFTER}, None),
    ],
)
def test_without_validators(headers: dict[str, str], expected: int | None) -> None:
    assert evaluate_preconditions("GET", headers, etag=None, last_modified=None) == expected


def test_weak_current_etag_never_matches_if_match() -> None:
    assert evaluate_preconditions("GET", {"If-Match": 'W/"abc"'}, etag='W/"abc"', last_modified=None) == 412
    assert (
        evaluate_preconditions("GET", {"If-None-Match": '"abc"'}, etag='W/"abc"', last_modified=None) == 304
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("*", ["*"]),
        (' "a" ', ['"a"']),
        ('"a", W/"b",,', ['"a"', 'W/"b"']),
        ('"a" "b"', None),
        ("a", None),
        ("", None),
        ('"a",*', None),
    ],
)
def test_parse_entity_tags(value: str, expected: list[str] | None) -> None:
    assert parse_entity_tags(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784111777),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 784111777),
        ("Sun Nov  6 08:49:37 1994", 784111777),
        ("Sunday, 06-Nov-37 08:49:37 GMT", 2141110177),  # two-digit years: within 50 years
        ("Sun, 06 Nov 1994 08:49:37 +0200", None),
        ("Sun, 06 Nov 1994 25:49:37 GMT", None),
        ("Sun, 06 Xyz 1994 08:49:37 GMT", None),
        ("Sun, 06 Nov 99999999999999999999 08:49:37 GMT", None),
        ("", None),
        ("now", None),
    ],
)
def test_parse_http_date(value: str, expected: int | None) -> None:
    assert parse_http_date(value) == expected


@settings(deadline=None)  # a slow example on a shared machine is not a failure
@given(st.text())
def test_parse_http_date_never_raises(value: str) -> None:
    result = parse_http_date(value)
    assert result is None or isinstance(result, int)


@settings(deadline=None)  # a slow example on a shared machine is not a failure
@given(st.text(), st.text())
def test_preconditions_never_raise_on_any_header_value(first: str, second: str) -> None:
    headers = {
        "If-Match": first,
        "If-None-Match": second,
        "If-Modified-Since": first,
        "If-Unmodified-Since": second,
    }
    assert evaluate_preconditions("GET", headers, etag=ETAG, last_modified=MODIFIED) in {None, 304, 412}


# Garbage in conditional and Range headers, through the whole stack: never a 500.
#
# Every value a client can put in If-Match, If-None-Match, If-Modified-Since,
# If-Unmodified-Since, If-Range and Range reaches the engine through Django's
# request handling; whatever they hold, the answer is one of the statuses
# RFC 9110 allows for a GET of an existing file.

pytestmark = pytest.mark.urls("tests.urls_hardening")

HEADERS = ("If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range", "Range")
# What a server hands Django: header bytes decoded as Latin-1 (PEP 3333).
LATIN_1 = st.characters(max_codepoint=255, exclude_characters="\r\n")
VALUES = st.one_of(
    st.text(alphabet=LATIN_1, max_size=60),
    st.sampled_from(
        [
            "*",
            '"',
            'W/"',
            '"a", *, W/"b"',
            ",,,",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 99999 08:49:37 GMT",
            "Mon, 32 Foo 2024 99:99:99 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "-1",
            "1e308",
            "bytes=0-0",
            "bytes=-1",
            "bytes=9999999999999999999999-",
            "bytes=0-0,0-0,0-0",
        ]
    ),
)
PATHS = [*(prefix + "inside.txt" for prefix in CONFINED.values()), "/hardening/generated.bin"]
ALLOWED = {200, 206, 304, 412, 416}


@pytest.fixture(scope="module", autouse=True)
def inside_file(module_root: Path) -> None:
    """The one file the confined routes serve."""
    (module_root / "inside.txt").write_bytes(b"inside\n" * 100)


@pytest.mark.parametrize("path", PATHS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
@given(headers=st.dictionaries(st.sampled_from(HEADERS), VALUES, min_size=1))
@example(headers={"If-Modified-Since": "Sun, 06 Nov 99999 08:49:37 GMT"})
@example(headers={"If-Unmodified-Since": "Mon, 01 Jan 0001 00:00:00 GMT"})
@example(headers={"If-None-Match": '"unterminated'})
@example(headers={"If-Range": "Sun, 06 Nov 1994 08:49:37 +9999", "Range": "bytes=0-0"})
def test_garbage_conditional_headers_never_give_a_500(
    module_root: Path, path: str, headers: dict[str, str]
) -> None:
    client = Client(raise_request_exception=True)
    with override_settings(HARDENING_ROOT=str(module_root)):
        response = client.get(path, headers=headers)
        response.close()
    assert response.status_code in ALLOWED


@pytest.mark.parametrize("path", PATHS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(headers=st.dictionaries(st.sampled_from(HEADERS), VALUES, min_size=1))
@example(headers={"Range": "bytes=0-0,2-2,-1", "If-Range": "Sun, 06 Nov 99999 08:49:37 GMT"})
def test_garbage_conditional_headers_under_asgi_never_give_a_500(
    module_root: Path, path: str, headers: dict[str, str]
) -> None:
    """The same through Django's ASGI handler, where bodies are async iterators."""

    async def fetch() -> tuple[int, bytes]:
        response: HttpResponseBase = await AsyncClient(raise_request_exception=True).get(
            path, headers=headers
        )
        body = b""
        if isinstance(response, StreamingHttpResponse) and response.is_async:
            body = b"".join([chunk async for chunk in response])
        elif isinstance(response, StreamingHttpResponse):
            # The test client empties a 304's body with a sync list, as
            # conditional_content_removal() does for every streaming 304.
            body = b"".join(response)
        response.close()
        return response.status_code, body

    with override_settings(HARDENING_ROOT=str(module_root)):
        status, body = asyncio.run(fetch())
    assert status in ALLOWED
    assert status != 206 or len(body) > 0
