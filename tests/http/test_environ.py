"""Request fields read from a WSGI/ASGI environ without copying them (dlshortcuts.http.environ)."""

from __future__ import annotations

import pytest

from dlshortcuts.http.environ import EnvironHeaders, meta_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("If-Range", "HTTP_IF_RANGE"),
        ("if-none-match", "HTTP_IF_NONE_MATCH"),
        ("Range", "HTTP_RANGE"),
        ("Content-Type", "CONTENT_TYPE"),
        ("content-length", "CONTENT_LENGTH"),
    ],
)
def test_meta_key_is_the_cgi_name(name: str, key: str) -> None:
    assert meta_key(name) == key


def test_fields_are_read_by_name_in_any_case() -> None:
    headers = EnvironHeaders({"HTTP_IF_RANGE": '"a"', "CONTENT_TYPE": "text/plain"})
    assert headers["If-Range"] == '"a"'
    assert headers.get("if-range") == '"a"'
    assert headers.get("Content-Type") == "text/plain"
    assert headers.get("Range") is None


def test_only_header_fields_are_listed() -> None:
    environ = {
        "HTTP_RANGE": "bytes=0-0",
        "HTTP_IF_NONE_MATCH": "*",
        "CONTENT_LENGTH": "0",
        "REQUEST_METHOD": "GET",
        "wsgi.input": object(),
    }
    headers = EnvironHeaders(environ)
    assert sorted(headers) == ["Content-Length", "If-None-Match", "Range"]
    assert len(headers) == 3


def test_a_value_that_is_not_text_is_no_field() -> None:
    # An ASGI server or a test may put other objects in META: they never pass for a field.
    headers = EnvironHeaders({"HTTP_RANGE": b"bytes=0-0"})
    assert headers.get("Range") is None
    with pytest.raises(KeyError):
        headers["Range"]
