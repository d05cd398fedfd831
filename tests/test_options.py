"""The common options: defaults, validation messages, taking them out of kwargs."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from dlshortcuts.options import Options, check_sniff


def test_defaults() -> None:
    assert Options() == Options(
        filename=None,
        as_attachment=True,
        content_type=None,
        charset=None,
        last_modified=None,
        etag=True,
        max_age=None,
        ranges=True,
        sniff=None,
        headers={},
    )


def test_parse_returns_the_callers_keywords() -> None:
    kwargs: dict[str, Any] = {"filename": "a.csv", "max_age": 60, "year": 2024, "headers": None}
    options, rest = Options.parse("serve_x", kwargs, others=True)
    assert rest == {"year": 2024}
    assert kwargs == {"filename": "a.csv", "max_age": 60, "year": 2024, "headers": None}
    assert options.filename == "a.csv"
    assert options.max_age == 60
    assert options.headers == {}


def test_parse_refuses_unknown_keywords() -> None:
    with pytest.raises(TypeError, match=r"^serve_x\(\) got an unexpected keyword argument 'b'$"):
        Options.parse("serve_x", {"filename": "a", "c": 1, "b": 2})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filename": b"a.pdf"}, "filename must be a str or None, not b'a.pdf'"),
        ({"content_type": 1}, "content_type must be a str or None, not 1"),
        ({"charset": False}, "charset must be a str or None, not False"),
        ({"as_attachment": 1}, "as_attachment must be True or False, not 1"),
        ({"ranges": None}, "ranges must be True or False, not None"),
        ({"sniff": "yes"}, "sniff must be True, False or None, not 'yes'"),
        ({"max_age": True}, "max_age must be a non-negative int of seconds, not True"),
        ({"max_age": 1.5}, "max_age must be a non-negative int of seconds, not 1.5"),
        ({"etag": None}, "etag must be True, False or a string, not None"),
        (
            {"last_modified": "yesterday"},
            "last_modified must be a datetime or a POSIX timestamp, not 'yesterday'",
        ),
        ({"last_modified": True}, "last_modified must be a datetime or a POSIX timestamp, not True"),
        (
            {"headers": [("X-A", "1")]},
            "headers must be a mapping of header names to values, not [('X-A', '1')]",
        ),
    ],
)
def test_invalid_options(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as raised:
        Options.parse("serve_x", kwargs)
    assert str(raised.value) == message


def test_negative_max_age_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^max_age must be a non-negative int of seconds, not -1$"):
        Options.parse("serve_x", {"max_age": -1})


def test_options_built_directly_are_validated_too() -> None:
    with pytest.raises(TypeError, match=r"^ranges must be True or False, not 'yes'$"):
        Options(ranges="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_age": 0},
        {"etag": "v1"},
        {"last_modified": 0},
        {"last_modified": 1.5},
        {"last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)},
        {"sniff": False},
        {"headers": {"X-A": "1"}},
    ],
)
def test_valid_options(kwargs: dict[str, Any]) -> None:
    assert Options.parse("serve_x", kwargs) == (Options(**kwargs), {})


@pytest.mark.parametrize("value", [True, False, None])
def test_check_sniff_returns_a_valid_choice(value: bool | None) -> None:
    assert check_sniff(value) is value


@pytest.mark.parametrize(("value", "name"), [(1, "sniff"), ("yes", "SNIFF"), (0, "sniff")])
def test_check_sniff_refuses_anything_else_naming_the_option(value: object, name: str) -> None:
    with pytest.raises(TypeError) as raised:
        check_sniff(value, name)
    assert str(raised.value) == f"{name} must be True, False or None, not {value!r}"
