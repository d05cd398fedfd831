"""HTTP-dates: exactly one date or none (RFC 9110 §5.6.7); Last-Modified never after Date (§8.8.2.1)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils.http import http_date

from dlshortcuts import serve_path
from dlshortcuts.http.conditions import evaluate_preconditions
from dlshortcuts.http.dates import not_after_now, parse_http_date
from dlshortcuts.http.ranges import if_range_matches

MODIFIED = 1_700_000_000
AT = "Tue, 14 Nov 2023 22:13:20 GMT"  # == MODIFIED
EARLIER = "Tue, 14 Nov 2023 22:13:19 GMT"


@pytest.mark.parametrize(
    "value",
    [
        f"{AT}, {EARLIER}",  # two dates
        f"{AT} (a comment)",
        f"{AT}x",
        "tue, 14 Nov 2023 22:13:20 GMT",  # §5.6.7: HTTP-date is case sensitive
        "Tue, 14 Nov 2023 22:13:20 gmt",
        "Tue, 14 Nov 23 22:13:20 GMT",  # IMF-fixdate has a four-digit year
        "Tuesday, 14 Nov 2023 22:13:20 GMT",
        "Tue, 14-Nov-23 22:13:20 GMT",  # rfc850-date spells the day out
        "Tue Nov 14 22:13:20 2023 GMT",
        "14 Nov 2023 22:13:20 GMT",
    ],
)
def test_not_exactly_one_http_date_is_not_a_date(value: str) -> None:
    assert parse_http_date(value) is None


@pytest.mark.parametrize(
    "value",
    [AT, "Tuesday, 14-Nov-23 22:13:20 GMT", "Tue Nov 14 22:13:20 2023", " Tue, 14 Nov 2023 22:13:20 GMT\t"],
)
def test_the_three_formats(value: str) -> None:
    assert parse_http_date(value) == MODIFIED


def test_a_date_followed_by_text_is_ignored_in_every_date_field() -> None:
    two = f"{AT}, {EARLIER}"
    # If-Unmodified-Since ignored: no 412 although EARLIER < MODIFIED.
    assert (
        evaluate_preconditions(
            "GET", {"If-Unmodified-Since": f"{EARLIER} x"}, etag=None, last_modified=MODIFIED
        )
        is None
    )
    # If-Modified-Since ignored: no 304 although AT == MODIFIED.
    assert (
        evaluate_preconditions("GET", {"If-Modified-Since": two}, etag=None, last_modified=MODIFIED) is None
    )
    # If-Range evaluates false: the whole representation is sent.
    assert if_range_matches(two, None, MODIFIED) is False
    assert if_range_matches(AT, None, MODIFIED) is True


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "CONNECT"])
@pytest.mark.parametrize(
    "headers",
    [
        {"If-Match": '"x"'},
        {"If-None-Match": "*"},
        {"If-Unmodified-Since": EARLIER},
        {"If-Modified-Since": AT},
    ],
)
def test_methods_that_select_no_representation_ignore_preconditions(
    method: str, headers: dict[str, str]
) -> None:
    # RFC 9110 §13.2.1.
    assert evaluate_preconditions(method, headers, etag='"abc"', last_modified=MODIFIED) is None


def test_the_same_preconditions_apply_to_get() -> None:
    assert evaluate_preconditions("GET", {"If-Match": '"x"'}, etag='"abc"', last_modified=MODIFIED) == 412


def test_not_after_now() -> None:
    assert not_after_now(None) is None
    assert not_after_now(MODIFIED + 10, now=MODIFIED + 0.9) == MODIFIED
    assert not_after_now(MODIFIED, now=MODIFIED + 10) == MODIFIED
    assert not_after_now(int(time.time()) + 3600) <= time.time()  # type: ignore[operator]


def test_a_file_from_the_future_is_sent_with_the_current_time(tmp_path: Path, rf: RequestFactory) -> None:
    (tmp_path / "future.txt").write_bytes(b"later")
    future = time.time() + 86_400
    os.utime(tmp_path / "future.txt", (future, future))
    before = int(time.time())
    response = serve_path(rf.get("/"), "future.txt", root=tmp_path)
    after = int(time.time())
    modified = parse_http_date(response["Last-Modified"])
    assert modified is not None
    assert before <= modified <= after
    assert response["Last-Modified"] in {http_date(t) for t in range(before, after + 1)}
    response.close()
