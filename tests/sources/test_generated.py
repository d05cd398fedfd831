"""Resolving generated content into a Download."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from dlshortcuts.engine.streams import FileBlocks
from dlshortcuts.sources.generated import call_content, is_content, resolve_content


def gen() -> Iterator[bytes]:
    yield b"x"


async def agen() -> AsyncIterator[bytes]:
    yield b"x"


class CallableFile(io.BytesIO):
    def __call__(self) -> None:
        raise AssertionError("a file is content, never called")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"x", True),
        ("x", True),
        ([b"x"], True),
        (io.BytesIO(), True),
        (CallableFile(), True),
        (gen, False),
        (lambda request: b"x", False),
        (42, False),
    ],
)
def test_is_content(value: Any, expected: bool) -> None:
    assert is_content(value) is expected


def test_call_content_passes_request_and_kwargs(rf: RequestFactory) -> None:
    request = rf.get("/")

    def make(request_: HttpRequest, *, year: int) -> str:
        assert request_ is request
        return f"{year}"

    assert call_content(request, make, {"year": 2024}) == "2024"
    file = CallableFile(b"data")
    assert call_content(request, file, {}) is file


def test_resolve_kinds() -> None:
    text = resolve_content("é", filename="a.txt", size=None, charset="latin-1")
    assert (text.size, text.file is not None, text.etag is not None) == (1, True, True)
    assert text.file is not None
    assert text.file.read() == b"\xe9"

    seekable = resolve_content(io.BytesIO(b"abc"), filename="a", size=None, charset="utf-8")
    assert (seekable.size, seekable.stream) == (3, None)
    seekable.close()

    sized = resolve_content(io.BytesIO(b"abc"), filename="a", size=2, charset="utf-8")
    assert sized.size == 2
    sized.close()

    stream = gen()
    assert resolve_content(stream, filename="a", size=None, charset="utf-8").stream is stream
    astream = agen()
    assert resolve_content(astream, filename="a", size=5, charset="utf-8").size == 5

    class Reader:
        def read(self, size: int = -1) -> bytes:
            return b""

    assert isinstance(resolve_content(Reader(), filename="a", size=None, charset="utf-8").stream, FileBlocks)


def test_seekable_file_keeps_its_position_when_sized() -> None:
    file = io.BytesIO(b"abcdef")
    file.seek(2)
    download = resolve_content(file, filename="a", size=None, charset="utf-8")
    assert download.size == 6
    assert file.tell() == 2
    download.close()


@pytest.mark.parametrize(
    ("content", "kind"), [({"a": 1, "b": 2}, "dict"), ({"a", "b"}, "set"), (frozenset({"a"}), "frozenset")]
)
def test_mappings_and_sets_are_refused(content: Any, kind: str) -> None:
    with pytest.raises(TypeError) as raised:
        resolve_content(content, filename="a.json", size=None, charset="utf-8")
    assert str(raised.value) == (
        f"serve_generated() content must not be a {kind}: iterating it gives its keys (unordered "
        "for a set); serialise it first, e.g. json.dumps(content)"
    )


def test_serve_generated_refuses_a_dict(rf: RequestFactory) -> None:
    from dlshortcuts import serve_generated

    with pytest.raises(TypeError, match=r"^serve_generated\(\) content must not be a dict: "):
        serve_generated(rf.get("/"), {"a": 1, "b": 2}, filename="a.json")


@pytest.mark.parametrize("filename", [None, "", 123])
def test_filename_is_named_when_not_a_name(filename: Any) -> None:
    with pytest.raises(TypeError) as raised:
        resolve_content(b"x", filename=filename, size=None, charset="utf-8")
    assert str(raised.value) == (
        "serve_generated() filename must be the download's name as a non-empty str, such as "
        f"'report.csv', not {filename!r}"
    )
