"""The common options: defaults, validation messages, taking them out of kwargs."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from dlshortcuts import serve_field, serve_generated, serve_path
from dlshortcuts.options import Options, check_sniff, did_you_mean, misspelt_option, path_argument
from tests.models import Document


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


def test_options_are_hashable_with_headers_left_out_of_the_hash() -> None:
    # What keys the remembered representations (engine/headers.py).
    assert hash(Options(max_age=60)) == hash(Options(max_age=60)) != hash(Options())
    assert hash(Options(headers={"X-Robots-Tag": "noindex"})) == hash(Options())
    assert Options(headers={"X-Robots-Tag": "noindex"}) != Options()


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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"as_attachement": False},
            "serve_x() got an unexpected keyword argument 'as_attachement'. Did you mean 'as_attachment'?",
        ),
        (
            {"modified": 0},
            "serve_x() got an unexpected keyword argument 'modified'. Did you mean 'last_modified'?",
        ),
        ({"colour": "red"}, "serve_x() got an unexpected keyword argument 'colour'"),
    ],
)
def test_an_unknown_keyword_is_named_with_the_closest_option(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as raised:
        Options.parse("serve_x", kwargs)
    assert str(raised.value) == message


def test_with_others_only_a_near_miss_of_an_option_is_refused() -> None:
    kwargs = {"pk": 1, "slug": "a", "year": 2024, "modified": 0}
    assert Options.parse("serve_x", kwargs, others=True) == (Options(), kwargs)
    with pytest.raises(TypeError) as raised:
        Options.parse("serve_x", {"pk": 1, "as_attachement": False}, others=True)
    assert str(raised.value) == (
        "serve_x() got an unexpected keyword argument 'as_attachement'. Did you mean 'as_attachment'?"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("as_attachement", True), ("max_ages", True), ("header", True), ("modified", False), ("pk", False)],
)
def test_misspelt_option(name: str, expected: bool) -> None:
    assert misspelt_option(name) is expected


@pytest.mark.parametrize(
    ("name", "known", "hint"),
    [
        ("LOCATION", ["BACKEND", "LOCATIONS"], "Did you mean 'LOCATIONS'?"),
        ("backend", ["BACKEND", "LOCATIONS"], "Did you mean 'BACKEND'?"),
        ("TIMEOUT", ["BACKEND", "LOCATIONS"], ""),
    ],
)
def test_did_you_mean_ignores_case(name: str, known: list[str], hint: str) -> None:
    assert did_you_mean(name, known) == hint


@pytest.mark.parametrize(("value", "expected"), [("a/b.pdf", "a/b.pdf"), (Path("a/b.pdf"), "a/b.pdf")])
def test_path_argument_accepts_text_paths(value: object, expected: str) -> None:
    assert path_argument(value, "f() path") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (123, "f() path must be a str or os.PathLike, not 123 (int)"),
        (b"a.pdf", "f() path must be a str or os.PathLike, not b'a.pdf' (bytes)"),
        (None, "f() path must be a str or os.PathLike, not None (NoneType)"),
    ],
)
def test_path_argument_names_the_argument_and_the_type(value: object, message: str) -> None:
    with pytest.raises(TypeError) as raised:
        path_argument(value, "f() path")
    assert str(raised.value) == message


# The shortcuts raise these messages at the call (issue 16: misuse named).


def test_serve_path_names_a_path_that_is_not_one(root: Path) -> None:
    request = RequestFactory().get("/")
    with pytest.raises(TypeError) as raised:
        serve_path(request, 123, root=root)  # type: ignore[arg-type]
    assert str(raised.value) == "serve_path() path must be a str or os.PathLike, not 123 (int)"
    with pytest.raises(TypeError) as raised:
        serve_path(request, "a.txt", root=5)  # type: ignore[arg-type]
    assert str(raised.value) == "serve_path() root must be a str or os.PathLike, not 5 (int)"


def test_serve_path_names_a_misspelt_option(root: Path) -> None:
    with pytest.raises(TypeError) as raised:
        serve_path(RequestFactory().get("/"), "a.txt", root=root, as_attachement=False)  # type: ignore[call-arg]
    assert str(raised.value) == (
        "serve_path() got an unexpected keyword argument 'as_attachement'. Did you mean 'as_attachment'?"
    )


def test_serve_field_names_the_misspelt_option_not_the_lookup() -> None:
    with pytest.raises(TypeError) as raised:
        serve_field(RequestFactory().get("/"), model=Document, pk=1, as_attachement=False)  # type: ignore[call-arg]
    assert str(raised.value) == (
        "serve_field() got an unexpected keyword argument 'as_attachement'. Did you mean 'as_attachment'?"
    )


def test_a_negative_max_age_is_a_value_error_at_the_call() -> None:
    with pytest.raises(ValueError, match=r"^max_age must be a non-negative int of seconds, not -5$"):
        serve_generated(RequestFactory().get("/"), b"x", filename="a.txt", max_age=-5)


def test_sniffing_fills_only_an_unset_sniff_without_touching_the_options() -> None:
    unset = Options(filename="a.bin", max_age=60)
    chosen = Options(sniff=False)

    sniffing = unset.sniffing(True)

    assert sniffing == Options(filename="a.bin", max_age=60, sniff=True)
    assert unset.sniff is None  # a copy: the options the view passed are unchanged
    assert chosen.sniffing(True) is chosen  # the view's own choice wins
    assert unset.sniffing(None) is unset
