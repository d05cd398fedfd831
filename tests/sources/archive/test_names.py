"""Archive member names (pure): zip-slip names, repeats and non-str names refused, safe ones kept."""

from __future__ import annotations

import pytest

from dlshortcuts.sources.archive.names import check_names


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("/etc/passwd", "is absolute"),
        ("C:/Windows/win.ini", "is absolute"),
        ("c:evil.txt", "is absolute"),
        ("../outside.txt", "'..' segment"),
        ("docs/../../outside.txt", "'..' segment"),
        ("docs/..", "'..' segment"),
        ("docs\\..\\evil.txt", "backslash"),
        ("report\x00.pdf", "NUL"),
        ("docs/", "ends with '/'"),
        ("", "empty"),
        ("a//b.txt", "empty, '.' or '..' segment"),
        ("./a.txt", "empty, '.' or '..' segment"),
        ("\udcff.txt", "UTF-8"),
        ("x" * 70000, "longer than 65535"),
    ],
)
def test_unsafe_names_raise_value_error_naming_the_entry(name: str, problem: str) -> None:
    with pytest.raises(ValueError, match="archive member name") as raised:
        check_names(["fine.txt", name])
    assert repr(name) in str(raised.value)
    assert problem in str(raised.value)


def test_a_repeated_name_raises_value_error() -> None:
    with pytest.raises(ValueError, match=r"'photos/cat\.jpg' is given twice"):
        check_names(["photos/cat.jpg", "photos/dog.jpg", "photos/cat.jpg"])


def test_a_name_that_is_not_a_str_raises_type_error() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        check_names([b"bytes.txt"])  # type: ignore[list-item]


def test_safe_names_pass() -> None:
    check_names(["a.txt", "docs/2024/q1 report.pdf", "фото/кот.jpg", "..hidden", "a..b/c"])
